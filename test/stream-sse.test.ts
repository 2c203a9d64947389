// SSE streams on a real socket: snapshot, live delivery, filtering, resume, reset, heartbeats,
// compact format, exercises opt-out and refusals.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { verifyEvent } from '../src/alerts/event-signing.ts';
import { openSse, startWorld, type World } from './helpers/stream.ts';

describe('GET /v1/stream over SSE', () => {
  let world: World;
  before(async () => {
    // recentEvents: 2 keeps at most 4 events in memory, so a resume further back reads the store.
    world = await startWorld({ heartbeatMs: 60_000, recentEvents: 2 });
  });
  after(async () => {
    await world.close();
  });

  it('tells each EventSource its own reconnection delay, 1–3 s, so a restart is not one instant for all', async () => {
    const retryOf = () =>
      new Promise<number>((resolve, reject) => {
        const socket = connect(world.port, '127.0.0.1', () =>
          socket.write(
            'GET /v1/stream?regions=UA-59 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n',
          ),
        );
        let text = '';
        socket.on('data', (chunk) => {
          text += chunk.toString('utf8');
          const match = /\r\n\r\nretry: (\d+)\n/.exec(text);
          if (match) {
            socket.destroy();
            resolve(Number(match[1]));
          }
        });
        socket.on('error', reject);
      });
    const delays: number[] = [];
    for (let i = 0; i < 20; i++) delays.push(await retryOf());
    for (const delay of delays) assert.ok(delay >= 1000 && delay < 3000, `retry ${delay}`);
    // 20 draws out of 2,000 values: all equal only if the value were fixed.
    assert.ok(new Set(delays).size > 1, `one value for all: ${delays[0]}`);
  });

  it('sends a signed snapshot of the subscribed regions on connect, then live events with their seq', async () => {
    const before = await world.publish({ regions: ['UA-59'], event: 'air_raid' });
    const client = await openSse(world.port, 'regions=UA-59-01');
    const snapshotMessage = await client.inbox.next((m) => m.event === 'snapshot');
    const snapshot = JSON.parse(snapshotMessage.data) as {
      seq: number;
      kid: string;
      regions: Record<string, { event: string }[]>;
    };
    assert.equal(snapshot.seq, before);
    assert.equal(snapshotMessage.id, String(before));
    assert.equal(snapshot.regions['UA-59-01']?.[0]?.event, 'air_raid');
    assert.ok(verifyEvent(snapshot, world.keys.publicKeys), 'the snapshot signature verifies');

    const seq = await world.publish({ regions: ['UA-59-01'], event: 'missile' });
    const live = await client.inbox.next((m) => m.event === 'alert.issued');
    assert.equal(live.id, String(seq));
    const event = JSON.parse(live.data) as { seq: number; kid: string };
    assert.equal(event.seq, seq);
    assert.equal(live.data, world.log.events.at(-1)?.json, 'the bytes are the event as stored');
    assert.ok(verifyEvent(event, world.keys.publicKeys));
    client.close();
  });

  it('delivers alerts on the region, its ancestors and its descendants, and nothing else', async () => {
    const oblast = await openSse(world.port, 'regions=UA-59');
    const raion = await openSse(world.port, 'regions=UA-59-02');
    const other = await openSse(world.port, 'regions=UA-63');
    await Promise.all([oblast, raion, other].map((c) => c.inbox.next((m) => m.event === 'snapshot')));

    const onCountry = await world.publish({ regions: ['UA'] });
    const onRaion = await world.publish({ regions: ['UA-59-02'] });
    const onSibling = await world.publish({ regions: ['UA-59-01'] });
    const onOther = await world.publish({ regions: ['UA-32'] });
    const marker = await world.publish({ regions: ['UA-59', 'UA-63'] });
    await Promise.all([oblast, raion, other].map((c) => c.inbox.next((m) => m.id === String(marker))));

    assert.deepEqual(oblast.inbox.alertSeqs(), [onCountry, onRaion, onSibling, marker]);
    assert.deepEqual(raion.inbox.alertSeqs(), [onCountry, onRaion, marker]);
    assert.deepEqual(other.inbox.alertSeqs(), [onCountry, marker]);
    void onOther;
    for (const c of [oblast, raion, other]) c.close();
  });

  it('subscribes a point to the deepest region containing it', async () => {
    const client = await openSse(world.port, 'lat=51.5&lon=34.5');
    await client.inbox.next((m) => m.event === 'snapshot');
    await world.publish({ regions: ['UA-59-02'] });
    const hit = await world.publish({ regions: ['UA-59-01'] });
    const marker = await world.publish({ regions: ['UA'] });
    await client.inbox.next((m) => m.id === String(marker));
    assert.deepEqual(client.inbox.alertSeqs(), [hit, marker]);
    client.close();
  });

  it('marks Exercise and Test alerts, and drops them for exercises=exclude', async () => {
    const all = await openSse(world.port, 'regions=UA-63');
    const real = await openSse(world.port, 'regions=UA-63&exercises=exclude');
    await Promise.all([all, real].map((c) => c.inbox.next((m) => m.event === 'snapshot')));
    const drill = await world.publish({ regions: ['UA-63'], status: 'Exercise' });
    const test = await world.publish({ regions: ['UA-63'], status: 'Test' });
    const actual = await world.publish({ regions: ['UA-63'], status: 'Actual' });
    await Promise.all([all, real].map((c) => c.inbox.next((m) => m.id === String(actual))));
    assert.deepEqual(all.inbox.alertSeqs(), [drill, test, actual]);
    assert.deepEqual(real.inbox.alertSeqs(), [actual]);
    const statuses = all.inbox.json('alert.issued').map((e) => (e.alert as { status: string }).status);
    assert.deepEqual(statuses, ['Exercise', 'Test', 'Actual']);
    for (const c of [all, real]) c.close();
  });

  it('resumes with Last-Event-ID after a forced disconnect while events keep coming: no gap, no duplicate', async () => {
    const client = await openSse(world.port, 'regions=UA-32');
    await client.inbox.next((m) => m.event === 'snapshot');
    const first = await world.publish({ regions: ['UA-32'] });
    await client.inbox.next((m) => m.id === String(first));
    client.close();
    const received = [...client.inbox.alertSeqs()];
    const lastId = client.lastEventId() as string;

    const missed: number[] = [];
    for (let i = 0; i < 5; i++) missed.push(await world.publish({ regions: ['UA-32'] }));
    // Reconnect while publishing continues; the original since= is ignored for the header.
    const reconnecting = openSse(world.port, 'regions=UA-32&since=0', { 'last-event-id': lastId });
    const during: number[] = [];
    for (let i = 0; i < 5; i++) during.push(await world.publish({ regions: ['UA-32'] }));
    const resumed = await reconnecting;
    const later = await world.publish({ regions: ['UA-32'] });
    await resumed.inbox.next((m) => m.id === String(later));
    assert.equal(
      resumed.inbox.messages.filter((m) => m.event === 'snapshot').length,
      0,
      'a resume sends no snapshot',
    );
    assert.deepEqual([...received, ...resumed.inbox.alertSeqs()], [first, ...missed, ...during, later]);
    resumed.close();
  });

  it('sends a reset with a fresh snapshot when since is older than the retained log', async () => {
    let seq = 0;
    for (let i = 0; i < 6; i++) seq = await world.publish({ regions: ['UA-63'] });
    world.log.prune(seq);
    try {
      const client = await openSse(world.port, `regions=UA-63&since=${seq - 6}`);
      const reset = await client.inbox.next((m) => m.event === 'reset');
      const body = JSON.parse(reset.data) as {
        reason: string;
        seq: number;
        kid: string;
        regions: Record<string, unknown[]>;
      };
      assert.equal(body.reason, 'since_expired');
      assert.equal(body.seq, seq);
      assert.ok(Array.isArray(body.regions['UA-63']));
      assert.ok(verifyEvent(body, world.keys.publicKeys));
      const next = await world.publish({ regions: ['UA-63'] });
      await client.inbox.next((m) => m.id === String(next));
      assert.deepEqual(client.inbox.alertSeqs(), [next]);
      client.close();
    } finally {
      world.log.prune(1);
    }
  });

  it('sends a reset when since is ahead of the log (another database, a lost volume)', async () => {
    const client = await openSse(world.port, 'regions=UA-63&since=999999');
    const reset = await client.inbox.next((m) => m.event === 'reset');
    assert.equal((JSON.parse(reset.data) as { reason: string }).reason, 'since_ahead');
    client.close();
  });

  it('sends signed heartbeats carrying the latest seq and the time', async () => {
    const client = await openSse(world.port, 'regions=UA-32');
    await client.inbox.next((m) => m.event === 'snapshot');
    const latest = await world.publish({ regions: ['UA-32'] });
    await client.inbox.next((m) => m.id === String(latest));
    world.hub.heartbeat();
    const beat = await client.inbox.next((m) => m.event === 'heartbeat');
    const body = JSON.parse(beat.data) as { seq: number; time: string; type: string; kid: string };
    assert.equal(body.type, 'heartbeat');
    assert.equal(body.seq, latest);
    assert.ok(!Number.isNaN(Date.parse(body.time)));
    assert.ok(verifyEvent(body, world.keys.publicKeys), 'the heartbeat signature verifies');
    assert.equal(verifyEvent({ ...body, seq: latest + 1 } as typeof body, world.keys.publicKeys), false);
    client.close();
  });

  it('speaks format=compact: a snapshot block, then one A/P/N line per region and change', async () => {
    await world.publish({ type: 'alert.ended', regions: ['UA-59'], incident: 'none' });
    const client = await openSse(world.port, 'regions=UA-59-01,UA-63&format=compact');
    const snapshot = await client.inbox.next((m) => m.event === 'snapshot');
    assert.match(snapshot.data, /^S \d+\n\d+ UA-59-01 .*\n\d+ UA-63 /);
    const issued = await world.publish({ regions: ['UA-59-01'], event: 'drone', incident: 'drone-1' });
    const line = await client.inbox.next((m) => m.id === String(issued));
    assert.match(line.data, new RegExp(`^${issued} UA-59-01 .*drone:A`));
    const ended = await world.publish({
      type: 'alert.ended',
      regions: ['UA-59-01'],
      event: 'drone',
      incident: 'drone-1',
    });
    const cleared = await client.inbox.next((m) => m.id === String(ended));
    assert.match(cleared.data, new RegExp(`^${ended} UA-59-01 .*drone:N`));
    const drill = await world.publish({
      regions: ['UA-63'],
      event: 'chemical',
      status: 'Exercise',
      incident: 'drill-1',
    });
    const marked = await client.inbox.next((m) => m.id === String(drill));
    assert.match(marked.data, new RegExp(`^${drill} UA-63 (.* )?chemical:a( .*)? X$`));
    client.close();
  });
});

describe('GET /v1/stream refusals', () => {
  let world: World;
  before(async () => {
    world = await startWorld({ maxConnectionsPerIp: 2, maxConnections: 3, maxRegions: 4 });
  });
  after(async () => {
    await world.close();
  });

  async function refusal(query: string, headers: Record<string, string> = {}) {
    const error = (await openSse(world.port, query, headers).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    )) as { status: number; body: string };
    return {
      status: error.status,
      body: JSON.parse(error.body) as { error: { code: string; details: { path: string }[] } },
    };
  }

  it('refuses hostile and malformed queries with a coded error naming the place', async () => {
    const cases: [string, Record<string, string>, number, string, string?][] = [
      ['regions=UA-99', {}, 400, 'STREAM_UNKNOWN_REGION', 'query.regions'],
      ['regions=UA-59,<script>', {}, 400, 'STREAM_BAD_QUERY', 'query.regions'],
      ['regions=UA-59,UA-63,UA-32,UA,UA-59-01', {}, 400, 'STREAM_TOO_MANY_REGIONS', 'query.regions'],
      [`regions=${'UA-59,'.repeat(2000)}`, {}, 414, 'STREAM_QUERY_TOO_LONG'],
      ['since=-1', {}, 400, 'STREAM_BAD_SINCE', 'query.since'],
      ['since=1e9', {}, 400, 'STREAM_BAD_SINCE', 'query.since'],
      ['', { 'last-event-id': 'abc' }, 400, 'STREAM_BAD_SINCE', 'header.last-event-id'],
      ['lat=91&lon=30', {}, 400, 'STREAM_BAD_QUERY', 'query.lat'],
      ['lat=50', {}, 400, 'STREAM_BAD_QUERY', 'query.lon'],
      ['lat=10&lon=10', {}, 400, 'STREAM_NO_REGION_AT_POINT', 'query.lat'],
      ['regions=UA-59&lat=50&lon=33', {}, 400, 'STREAM_BAD_QUERY', 'query'],
      ['region=UA-59', {}, 400, 'STREAM_BAD_QUERY', 'query.region'],
      ['format=xml', {}, 400, 'STREAM_BAD_QUERY', 'query.format'],
      ['since=1&since=2', {}, 400, 'STREAM_BAD_QUERY', 'query.since'],
    ];
    for (const [query, headers, status, code, path] of cases) {
      const answer = await refusal(query, headers);
      assert.equal(answer.status, status, query);
      assert.equal(answer.body.error.code, code, query);
      if (path) assert.equal(answer.body.error.details[0]?.path, path, query);
    }
    assert.equal(world.hub.connections, 0);
  });

  it('answers 406 to a GET that asks for neither SSE nor a WebSocket', async () => {
    const response = await world.app.inject({
      method: 'GET',
      url: '/v1/stream',
      headers: { accept: 'application/json' },
    });
    assert.equal(response.statusCode, 406);
    assert.equal(response.json().error.code, 'STREAM_NOT_ACCEPTABLE');
  });

  it('limits streams per client address (429) and in total (503), and frees a slot on disconnect', async () => {
    const a = await openSse(world.port, '', {}, '127.0.0.1');
    const b = await openSse(world.port, '', {}, '127.0.0.1');
    const third = await refusal('');
    assert.equal(third.status, 429);
    assert.equal(third.body.error.code, 'STREAM_LIMIT_PER_IP');
    const c = await openSse(world.port, '', {}, '127.0.0.2');
    const overall = await openSse(world.port, '', {}, '127.0.0.3').then(
      () => assert.fail('expected 503'),
      (e: { status: number; body: string }) => e,
    );
    assert.equal(overall.status, 503);
    assert.equal(JSON.parse(overall.body).error.code, 'STREAM_LIMIT_TOTAL');
    const gone = new Promise<void>((resolve) => {
      const off = world.hub.onDisconnect(() => {
        off();
        resolve();
      });
    });
    a.close();
    await gone;
    const again = await openSse(world.port, '', {}, '127.0.0.1');
    for (const client of [b, c, again]) client.close();
  });
});
