// Two nodes on one database and one bus: each node's region state follows the other's commits
// through the bus, so every node serves the same state.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createMemoryBus } from '../bus/memory.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { neverNeedsApproval } from './policy.ts';
import { createAlertService } from './service.ts';
import { actor, airRaid, countingIds, movableClock, testKey, testTree } from './testing.ts';

test('a node sees incidents issued, updated and ended on another node', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-nodes-'));
  const bus = createMemoryBus();
  const clock = movableClock();
  const { key } = testKey();
  const node = async (name: string) => {
    const store = await openSqliteStore({ dataDir });
    const ids = countingIds();
    const service = createAlertService({
      store,
      bus,
      tree: testTree(),
      signingKey: () => key,
      sender: 'tocsin@localhost',
      clock,
      ids: { alertId: () => `${name}-${ids.alertId()}`, eventId: () => `${name}-${ids.eventId()}` },
      needsApproval: neverNeedsApproval,
    });
    return { store, service };
  };
  const a = await node('a');
  const b = await node('b');
  try {
    const before = await a.service.issue(actor('alice'), airRaid(['UA-63'])); // before b starts
    await a.service.start();
    await b.service.start();
    assert.equal(JSON.parse(b.service.stateOf('UA-63').body).active, true);
    const { alert } = await a.service.issue(actor('alice'), airRaid(['UA-59']));
    assert.equal(JSON.parse(b.service.stateOf('UA-59-01').body).alerts[0].incident, alert.id);
    await a.service.update(actor('alice'), alert.id, { format: 'short', body: { regions: ['UA-59-01'] } });
    await b.service.allClear(actor('bob'), before.alert.id);
    assert.equal(a.service.state().body, b.service.state().body);
    assert.equal(JSON.parse(a.service.stateOf('UA-63').body).active, false);
    assert.equal(JSON.parse(b.service.stateOf('UA-59').body).active, false);
    assert.equal(JSON.parse(b.service.stateOf('UA-59-01').body).active, true);
    await b.service.cancel(actor('bob'), alert.id);
    assert.equal(a.service.state().body, '{"regions":{}}');
  } finally {
    await a.service.stop();
    await b.service.stop();
    await a.store.close();
    await b.store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
