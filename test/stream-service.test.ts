// The streams wired to the real parts (as main.ts wires them): the alert service on a temp-dir
// SQLite store, the in-process bus, the shipped Ukraine regions and an Ed25519 key.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Actor } from '../src/alerts/actor.ts';
import { verifyEvent } from '../src/alerts/event-signing.ts';
import { neverNeedsApproval } from '../src/alerts/policy.ts';
import { createAlertService } from '../src/alerts/service.ts';
import type { AlertService } from '../src/alerts/types.ts';
import { createMemoryBus } from '../src/bus/memory.ts';
import { createStreamHub } from '../src/delivery/stream/hub.ts';
import { streamDepsFrom } from '../src/delivery/stream/wiring.ts';
import { createRegionTree } from '../src/geo/region-tree.ts';
import { attachStreams } from '../src/http/routes/stream.ts';
import { loadDefaultRegions } from '../src/store/default-regions.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/store.ts';
import { openSse, openWs } from './helpers/stream.ts';

const operator: Actor = {
  id: 'op-1',
  name: 'op-1',
  kind: 'operator',
  roles: ['author', 'approver'],
  jurisdiction: ['UA'],
};
const SUMY_CITY = { lat: 50.9077, lon: 34.7981 };

describe('streams wired to the alert service on SQLite', () => {
  let dataDir: string;
  let store: Store;
  let alerts: AlertService;
  let app: FastifyInstance;
  let port: number;
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicKeys = new Map([['k1', publicKey]]);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tocsin-stream-'));
    store = await openSqliteStore({ dataDir });
    const bus = createMemoryBus();
    const tree = createRegionTree(loadDefaultRegions());
    const signingKey = () => ({ kid: 'k1', privateKey });
    alerts = createAlertService({
      store,
      bus,
      tree,
      signingKey,
      sender: 'tocsin@test',
      needsApproval: neverNeedsApproval,
    });
    await alerts.start();
    const hub = createStreamHub(
      streamDepsFrom({ tree, bus, store, state: () => alerts.state(), signingKey }),
    );
    app = Fastify();
    await attachStreams(app, hub, tree);
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  after(async () => {
    await app.close();
    await alerts.stop();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a point in Sumy hears the air raid alert for UA-59, its all-clear, and resumes from the log', async () => {
    const first = await alerts.issue(operator, {
      format: 'short',
      body: { event: 'air_raid', regions: ['UA-59'] },
    });
    const sse = await openSse(port, `lat=${SUMY_CITY.lat}&lon=${SUMY_CITY.lon}`);
    const snapshot = JSON.parse((await sse.inbox.next((m) => m.event === 'snapshot')).data) as {
      kid: string;
      regions: Record<string, { event: string; alert: string }[]>;
    };
    assert.ok(verifyEvent(snapshot, publicKeys));
    assert.equal(snapshot.regions['UA-59']?.[0]?.event, 'air_raid');
    const compact = await openWs(port, 'regions=UA-59,UA-63&format=compact');
    await compact.inbox.next((m) => m.data.startsWith('S '));

    const id = (first as { alert: { id: string } }).alert.id;
    await alerts.allClear(operator, id);
    const ended = await sse.inbox.next((m) => m.event === 'alert.ended');
    const event = JSON.parse(ended.data) as { seq: number; kid: string; regions: string[] };
    assert.ok(verifyEvent(event, publicKeys));
    assert.deepEqual(event.regions, ['UA-59']);
    const line = await compact.inbox.next((m) => m.data.startsWith(`${event.seq} `));
    assert.equal(line.data, `${event.seq} UA-59 air_raid:N`);

    sse.close();
    const missed = await alerts.issue(operator, {
      format: 'short',
      body: { event: 'missile', regions: ['UA-59'], status: 'Exercise' },
    });
    const resumed = await openSse(port, `lat=${SUMY_CITY.lat}&lon=${SUMY_CITY.lon}`, {
      'last-event-id': String(event.seq),
    });
    const replayed = await resumed.inbox.next((m) => m.event === 'alert.issued');
    const replayedEvent = JSON.parse(replayed.data) as { alert: { status: string; id: string } };
    assert.equal(replayedEvent.alert.status, 'Exercise');
    assert.equal(replayedEvent.alert.id, (missed as { alert: { id: string } }).alert.id);
    const stored = await store.readEvents(event.seq, 1);
    assert.equal(replayed.data, stored[0]?.json, 'the replay is the stored bytes');
    const drill = await compact.inbox.next((m) => m.data.endsWith(' X'));
    assert.match(drill.data, /UA-59 .*missile:a X$/);
    resumed.close();
    compact.close();
  });
});
