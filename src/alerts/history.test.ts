// History, statistics, restarts and concurrency of the lifecycle on a real SQLite store.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actor, airRaid, harness, T0 } from './testing.ts';

const alice = actor('alice');
const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('history and statistics', () => {
  test('history filters by region (ancestors and descendants), event, time, active; the cursor pages in a stable order', async () => {
    const h = await harness();
    try {
      const a = (await h.service.issue(alice, airRaid(['UA-59']))).alert; // T0
      h.clock.advance(MIN);
      const b = (
        await h.service.issue(alice, { format: 'short', body: { event: 'drone', regions: ['UA-63'] } })
      ).alert;
      h.clock.advance(MIN);
      const c = (await h.service.issue(alice, airRaid(['UA']))).alert;
      h.clock.advance(MIN);
      const d = (await h.service.issue(alice, airRaid(['UA-59-01']))).alert;
      h.clock.advance(MIN);
      const end = (await h.service.allClear(alice, a.id)).alert;

      const ids = async (q: Parameters<typeof h.service.list>[0]) =>
        (await h.service.list(q)).items.map((i) => i.id);
      assert.deepEqual(await ids({}), [end.id, d.id, c.id, b.id, a.id]);
      assert.deepEqual(await ids({ region: 'UA-59' }), [end.id, d.id, c.id, a.id]);
      assert.deepEqual(await ids({ region: 'UA-59-01-01' }), [end.id, d.id, c.id, a.id]);
      assert.deepEqual(await ids({ region: 'UA-63' }), [c.id, b.id]);
      assert.deepEqual(await ids({ event: 'drone' }), [b.id]);
      assert.deepEqual(await ids({ from: iso(T0 + MIN), to: iso(T0 + 3 * MIN) }), [c.id, b.id]);
      assert.deepEqual(await ids({ active: true }), [d.id, c.id, b.id]);
      const page1 = await h.service.list({ limit: 2 });
      assert.ok(page1.nextCursor);
      const page2 = await h.service.list({ limit: 2, cursor: page1.nextCursor });
      const page3 = await h.service.list({ limit: 2, cursor: page2.nextCursor ?? '' });
      assert.deepEqual(
        [...page1.items, ...page2.items, ...page3.items].map((i) => i.id),
        [end.id, d.id, c.id, b.id, a.id],
      );
      assert.equal(page3.nextCursor, null);
    } finally {
      await h.cleanup();
    }
  });

  test('statistics count incidents, total and longest duration, and time under alert merged and clipped to the period', async () => {
    const h = await harness();
    try {
      // UA-59: 10:00–10:30 (oblast), 10:20–11:00 (raion), 11:30–open; period 10:10–12:00.
      const at = (hhmm: string) => Date.parse(`2026-03-01T${hhmm}:00+00:00`);
      h.clock.set(at('10:00'));
      const first = (await h.service.issue(alice, airRaid(['UA-59']))).alert;
      h.clock.set(at('10:20'));
      const second = (await h.service.issue(alice, airRaid(['UA-59-01']))).alert;
      h.clock.set(at('10:30'));
      await h.service.allClear(alice, first.id);
      h.clock.set(at('11:00'));
      await h.service.allClear(alice, second.id);
      h.clock.set(at('11:30'));
      await h.service.issue(alice, airRaid(['UA-59']));
      await h.service.issue(alice, { format: 'short', body: { event: 'drone', regions: ['UA-63'] } });
      h.clock.set(at('11:45'));

      const stats = await h.service.stats({
        from: '2026-03-01T10:10:00+00:00',
        to: '2026-03-01T12:00:00+00:00',
        region: 'UA-59-01',
      });
      // Seen from the raion: the oblast's alerts count too (inheritance).
      assert.deepEqual(stats.rows, [
        {
          region: 'UA-59-01',
          event: 'air_raid',
          count: 3,
          totalSeconds: (20 + 40 + 15) * 60,
          longestSeconds: 40 * 60,
          underAlertSeconds: (50 + 15) * 60,
        },
      ]);
      const sumy = await h.service.stats({
        from: '2026-03-01T10:10:00+00:00',
        to: '2026-03-01T12:00:00+00:00',
        region: 'UA-59',
      });
      assert.deepEqual(sumy.rows, [
        {
          region: 'UA-59',
          event: 'air_raid',
          count: 2,
          totalSeconds: 35 * 60,
          longestSeconds: 20 * 60,
          underAlertSeconds: 35 * 60,
        },
      ]);
      const all = await h.service.stats({
        from: '2026-03-01T10:10:00+00:00',
        to: '2026-03-01T11:40:00+00:00',
      });
      assert.deepEqual(
        all.rows.map((r) => [r.region, r.event, r.count, r.underAlertSeconds]),
        [
          ['UA-59', 'air_raid', 2, 30 * 60],
          ['UA-59-01', 'air_raid', 1, 40 * 60],
          ['UA-63', 'drone', 1, 10 * 60],
        ],
      );
      const drones = await h.service.stats({
        from: '2026-03-01T00:00:00+00:00',
        to: '2026-03-02T00:00:00+00:00',
        event: 'drone',
      });
      assert.deepEqual(
        drones.rows.map((r) => r.event),
        ['drone'],
      );
    } finally {
      await h.cleanup();
    }
  });
});

describe('restart and concurrency', () => {
  test('region state after a restart equals the state before it', async () => {
    let h = await harness();
    try {
      const a = (await h.service.issue(alice, airRaid(['UA-59']))).alert;
      await h.service.issue(alice, airRaid(['UA-63']));
      await h.service.update(alice, a.id, { format: 'short', body: { regions: ['UA-59-01'] } });
      const before = h.service.state();
      const beforeRegion = h.service.stateOf('UA-59-01-01');
      h = await h.restart();
      assert.equal(h.service.state().body, before.body);
      assert.equal(h.service.state().etag, before.etag);
      assert.equal(h.service.stateOf('UA-59-01-01').body, beforeRegion.body);
      assert.equal(h.service.state().seq, 3);
      assert.equal(h.service.stateOf('UA-63').lastModified, new Date(T0).toUTCString());
      // The restarted service continues the sequence.
      const next = await h.service.cancel(alice, a.id);
      assert.equal(next.event.seq, 4);
      assert.deepEqual(
        h.published.map((e) => e.seq),
        [4],
      );
    } finally {
      await h.cleanup();
    }
  });

  test('concurrent issues get distinct alerts, a gap-free seq, and reach the bus in order', async () => {
    const h = await harness();
    try {
      const regions = ['UA-59', 'UA-63', 'UA-59-01'];
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) => h.service.issue(alice, airRaid([regions[i % 3] as string]))),
      );
      assert.equal(new Set(results.map((r) => r.alert.id)).size, 30);
      assert.deepEqual(
        h.published.map((e) => e.seq),
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
      const all = JSON.parse(h.service.state().body) as { regions: Record<string, unknown[]> };
      assert.equal(all.regions['UA-59-01-01']?.length, 20);
      assert.equal(all.regions['UA-63']?.length, 10);
    } finally {
      await h.cleanup();
    }
  });

  test('an unchanged region keeps its ETag and Last-Modified when another region changes', async () => {
    const h = await harness();
    try {
      // A fresh hub's state is as of its start, never the epoch.
      assert.equal(h.service.state().lastModified, new Date(T0).toUTCString());
      assert.equal(h.service.stateOf('UA-63').lastModified, new Date(T0).toUTCString());
      await h.service.issue(alice, airRaid(['UA-59']));
      const sumy = h.service.stateOf('UA-59');
      h.clock.advance(MIN);
      await h.service.issue(alice, airRaid(['UA-63']));
      assert.equal(h.service.stateOf('UA-59').etag, sumy.etag);
      assert.equal(h.service.stateOf('UA-59').lastModified, sumy.lastModified);
      assert.equal(h.service.stateOf('UA-63').lastModified, new Date(T0 + MIN).toUTCString());
    } finally {
      await h.cleanup();
    }
  });
});
