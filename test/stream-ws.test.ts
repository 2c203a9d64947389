// WebSocket streams on a real socket: the same semantics as SSE, plus slow-consumer
// disconnection, refusals before the upgrade and the shutdown close code.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { verifyEvent } from '../src/alerts/event-signing.ts';
import type { DisconnectInfo } from '../src/delivery/stream/hub.ts';
import { openWs, startWorld, type World } from './helpers/stream.ts';

function refusedWith(promise: Promise<unknown>) {
  return promise.then(
    () => assert.fail('expected the upgrade to be refused'),
    (e: { status: number; body: string }) => ({
      status: e.status,
      body: JSON.parse(e.body) as { error: { code: string } },
    }),
  );
}

describe('GET /v1/stream over WebSocket', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ maxQueueBytes: 256 * 1024 });
  });
  after(async () => {
    await world.close();
  });

  it('sends a signed snapshot, then the stored event bytes live', async () => {
    const active = await world.publish({ regions: ['UA-63'], event: 'artillery' });
    const client = await openWs(world.port, 'regions=UA-63');
    const snapshot = JSON.parse((await client.inbox.next((m) => m.event === 'snapshot')).data) as {
      seq: number;
      kid: string;
      regions: Record<string, { event: string }[]>;
    };
    assert.equal(snapshot.seq, active);
    assert.equal(snapshot.regions['UA-63']?.[0]?.event, 'artillery');
    assert.ok(verifyEvent(snapshot, world.keys.publicKeys));
    const seq = await world.publish({ regions: ['UA'] });
    const live = await client.inbox.next((m) => m.event === 'alert.issued');
    assert.equal(live.data, world.log.events.find((e) => e.seq === seq)?.json);
    client.close();
  });

  it('frames events of every length class intact (7-bit, 16-bit and 64-bit lengths, RFC 6455 §5.2)', async () => {
    const client = await openWs(world.port, 'regions=UA-32');
    await client.inbox.next((m) => m.event === 'snapshot');
    for (const size of [0, 200, 70_000]) {
      const seq = await world.publish({ regions: ['UA-32'], padding: 'é'.repeat(size) });
      const got = await client.inbox.next(
        (m) => m.event === 'alert.issued' && (JSON.parse(m.data) as { seq: number }).seq === seq,
      );
      assert.equal(got.data, world.log.events.find((e) => e.seq === seq)?.json);
    }
    client.close();
  });

  it('resumes with since after a forced disconnect while events keep coming', async () => {
    const client = await openWs(world.port, 'regions=UA-59');
    await client.inbox.next((m) => m.event === 'snapshot');
    const first = await world.publish({ regions: ['UA-59-01'] });
    await client.inbox.next((m) => m.event === 'alert.issued');
    client.close();
    await client.inbox.untilClosed();
    const seen = client.inbox.alertSeqs();
    const expected = [first];
    for (let i = 0; i < 20; i++) {
      expected.push(await world.publish({ regions: [i % 2 ? 'UA-59' : 'UA-59-02'] }));
      await world.publish({ regions: ['UA-63'] });
    }
    const reconnect = openWs(world.port, `regions=UA-59&since=${seen.at(-1)}`);
    for (let i = 0; i < 20; i++) expected.push(await world.publish({ regions: ['UA'] }));
    const resumed = await reconnect;
    await resumed.inbox.next(
      (m) => m.event === 'alert.issued' && (JSON.parse(m.data) as { seq: number }).seq === expected.at(-1),
    );
    assert.deepEqual([...seen, ...resumed.inbox.alertSeqs()], expected);
    resumed.close();
  });

  it('sends signed heartbeats and compact lines', async () => {
    const compact = await openWs(world.port, 'regions=UA-32&format=compact');
    const json = await openWs(world.port, 'regions=UA-32');
    await compact.inbox.next((m) => m.data.startsWith('S '));
    await json.inbox.next((m) => m.event === 'snapshot');
    const seq = await world.publish({ regions: ['UA-32'], event: 'power_outage' });
    const line = await compact.inbox.next((m) => m.data.startsWith(`${seq} `));
    assert.match(line.data, new RegExp(`^${seq} UA-32 (.* )?power_outage:A$`));
    await json.inbox.next((m) => m.event === 'alert.issued');
    world.hub.heartbeat();
    const beat = JSON.parse((await json.inbox.next((m) => m.event === 'heartbeat')).data) as {
      seq: number;
      kid: string;
    };
    assert.equal(beat.seq, seq);
    assert.ok(verifyEvent(beat, world.keys.publicKeys));
    const compactBeat = await compact.inbox.next((m) => m.data.startsWith('H '));
    assert.match(compactBeat.data, new RegExp(`^H ${seq} \\d+$`));
    compact.close();
    json.close();
  });

  it('closes a subscriber that stops reading (4008, resume hint) without slowing a fast one', async () => {
    const fast = await openWs(world.port, 'regions=UA-59');
    const slow = await openWs(world.port, 'regions=UA-59');
    await Promise.all([fast, slow].map((c) => c.inbox.next((m) => m.event === 'snapshot')));
    const slowSocket = (slow.ws as unknown as { _socket: Socket })._socket;
    slowSocket.pause();
    const overflowed = new Promise<DisconnectInfo>((resolve) => {
      const off = world.hub.onDisconnect((info) => {
        if (info.cause !== 'overflow') return;
        off();
        resolve(info);
      });
    });
    let disconnected: DisconnectInfo | undefined;
    void overflowed.then((info) => (disconnected = info));
    const padding = 'x'.repeat(32 * 1024);
    const sent: number[] = [];
    for (let i = 0; i < 4000 && !disconnected; i++) {
      const seq = await world.publish({ regions: ['UA-59'], padding });
      sent.push(seq);
      await fast.inbox.next(
        (m) => m.event === 'alert.issued' && (JSON.parse(m.data) as { seq: number }).seq === seq,
      );
    }
    const info = await overflowed;
    assert.equal(info.transport, 'ws');
    assert.equal(world.hub.connections >= 1, true);
    // The fast subscriber got every event, in order, while the slow one was cut off.
    const after = await world.publish({ regions: ['UA-59'] });
    sent.push(after);
    await fast.inbox.next(
      (m) => m.event === 'alert.issued' && (JSON.parse(m.data) as { seq: number }).seq === after,
    );
    assert.deepEqual(fast.inbox.alertSeqs(), sent);
    slowSocket.resume();
    await slow.inbox.untilClosed();
    assert.equal(slow.inbox.closeInfo.code, 4008);
    assert.match(slow.inbox.closeInfo.reason ?? '', /since=\d+/);
    const slowSeqs = slow.inbox.alertSeqs();
    assert.deepEqual(slowSeqs, sent.slice(0, slowSeqs.length), 'what the slow one got is a gap-free prefix');
    fast.close();
  });

  it('refuses bad queries and unknown paths before the upgrade, with the JSON error', async () => {
    const unknown = await refusedWith(openWs(world.port, 'regions=XX-1'));
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.error.code, 'STREAM_UNKNOWN_REGION');
    const since = await refusedWith(openWs(world.port, 'since=abc'));
    assert.equal(since.body.error.code, 'STREAM_BAD_SINCE');
  });
});

describe('WebSocket connection limits and shutdown', () => {
  it('answers 429 per address and 503 in total before upgrading, and closes with 1001 on shutdown', async () => {
    const world = await startWorld({ maxConnectionsPerIp: 1, maxConnections: 2 });
    try {
      const a = await openWs(world.port, '', '127.0.0.1');
      const perIp = await refusedWith(openWs(world.port, '', '127.0.0.1'));
      assert.equal(perIp.status, 429);
      assert.equal(perIp.body.error.code, 'STREAM_LIMIT_PER_IP');
      const b = await openWs(world.port, '', '127.0.0.2');
      const total = await refusedWith(openWs(world.port, '', '127.0.0.3'));
      assert.equal(total.status, 503);
      assert.equal(total.body.error.code, 'STREAM_LIMIT_TOTAL');
      await Promise.all([a, b].map((c) => c.inbox.next((m) => m.event === 'snapshot')));
      await world.close();
      await Promise.all([a.inbox.untilClosed(), b.inbox.untilClosed()]);
      assert.equal(a.inbox.closeInfo.code, 1001);
    } finally {
      await world.close().catch(() => {});
    }
  });
});
