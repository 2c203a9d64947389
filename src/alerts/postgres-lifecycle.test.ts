// The lifecycle on the real PostgreSQL: commits resolve out of order there, so this checks that
// the bus still sees every event once and in seq order, and that region state and idempotency hold.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/postgres.ts';
import { openPostgresStore } from '../store/postgres/postgres-store.ts';
import { actor, airRaid, type Harness, harness } from './testing.ts';

const alice = actor('alice');

describe('lifecycle on PostgreSQL', () => {
  let db: TestDatabase;
  let h: Harness;
  before(async () => {
    db = await createTestDatabase();
    h = await harness({ openStore: () => openPostgresStore({ url: db.url }) });
  });
  after(async () => {
    await h.cleanup();
    await db.drop();
  });

  test('concurrent issues reach the bus once each, in seq order; state and log agree', async () => {
    const regions = ['UA-59', 'UA-63', 'UA-59-01'];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => h.service.issue(alice, airRaid([regions[i % 3] as string]))),
    );
    assert.equal(new Set(results.map((r) => r.alert.id)).size, 40);
    assert.deepEqual(
      h.published.map((e) => e.seq),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const all = JSON.parse(h.service.state().body) as { regions: Record<string, unknown[]> };
    assert.equal(all.regions['UA-59-01-01']?.length, 27);
    assert.equal(all.regions['UA-63']?.length, 13);
  });

  test('all-clear, expiry and idempotency behave as on SQLite', async () => {
    const { alert } = await h.service.issue(alice, airRaid(['UA-63'], { expiresInMinutes: 5 }), {
      idempotencyKey: 'pg-1',
    });
    const replay = await h.service.issue(alice, airRaid(['UA-63'], { expiresInMinutes: 5 }), {
      idempotencyKey: 'pg-1',
    });
    assert.equal(replay.alert.id, alert.id);
    assert.equal(replay.replayed, true);
    const other = (await h.service.issue(alice, airRaid(['UA-63']))).alert;
    await h.service.allClear(alice, other.id);
    h.clock.advance(6 * 60_000);
    assert.equal(await h.service.expireDue(), 1);
    const mine = (await h.service.list({ region: 'UA-63', limit: 100 })).items.filter(
      (i) => i.id === alert.id,
    );
    assert.equal(mine[0]?.endReason, 'expired');
    const log = await h.store.readEvents(0, 1000);
    assert.deepEqual(
      h.published.map((e) => e.seq),
      log.map((e) => e.seq),
    );
  });
});
