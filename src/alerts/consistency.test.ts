// Region state is a function of the event log: after any sequence of lifecycle operations (and
// a restart), the state served from memory equals the state recomputed from the log alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TocsinError } from './errors.ts';
import { actor, harness, testTree } from './testing.ts';

const REGIONS = ['UA', 'UA-59', 'UA-63', 'UA-59-01', 'UA-59-01-01'];
const EVENTS = ['air_raid', 'drone', 'artillery'];
const alice = actor('alice');

type Op =
  | { kind: 'issue'; region: number; event: number; expires: number | null }
  | { kind: 'update' | 'all-clear' | 'cancel'; target: number; region: number }
  | { kind: 'tick'; minutes: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('issue' as const),
    region: fc.nat(REGIONS.length - 1),
    event: fc.nat(EVENTS.length - 1),
    expires: fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }),
  }),
  fc.record({
    kind: fc.constantFrom('update' as const, 'all-clear' as const, 'cancel' as const),
    target: fc.nat(20),
    region: fc.nat(REGIONS.length - 1),
  }),
  fc.record({ kind: fc.constant('tick' as const), minutes: fc.integer({ min: 1, max: 20 }) }),
);

/** "region → sorted incident@alert@placed" from the event log, descendants inheriting. */
function fromLog(events: string[]): string[] {
  const tree = testTree();
  const active = new Map<string, { alert: string; regions: string[] }>();
  for (const text of events) {
    const e = JSON.parse(text) as {
      type: string;
      alert: { id: string; incident: string; regions: { code: string }[] };
    };
    if (e.type === 'alert.issued' || e.type === 'alert.updated') {
      active.set(e.alert.incident, { alert: e.alert.id, regions: e.alert.regions.map((r) => r.code) });
    } else if (e.type === 'alert.ended') active.delete(e.alert.incident);
  }
  const out: string[] = [];
  for (const [incident, { alert, regions }] of active) {
    for (const placed of regions) {
      for (const code of [placed, ...tree.descendants(placed).map((r) => r.code)])
        out.push(`${code} ${incident}@${alert}@${placed}`);
    }
  }
  return out.sort();
}

function fromState(body: string): string[] {
  const all = JSON.parse(body) as {
    regions: Record<string, { incident: string; alert: string; region: string }[]>;
  };
  return Object.entries(all.regions)
    .flatMap(([code, entries]) => entries.map((e) => `${code} ${e.incident}@${e.alert}@${e.region}`))
    .sort();
}

test('region state equals the state recomputed from the event log, before and after a restart', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 20 }), async (ops) => {
      let h = await harness();
      try {
        const issued: string[] = [];
        for (const o of ops) {
          try {
            if (o.kind === 'tick') {
              h.clock.advance(o.minutes * 60_000);
              await h.service.expireDue();
            } else if (o.kind === 'issue') {
              const body = {
                event: EVENTS[o.event],
                regions: [REGIONS[o.region]],
                ...(o.expires ? { expiresInMinutes: o.expires } : {}),
              };
              issued.push((await h.service.issue(alice, { format: 'short', body })).alert.id);
            } else if (issued.length > 0) {
              const id = issued[o.target % issued.length] as string;
              if (o.kind === 'update')
                await h.service.update(alice, id, {
                  format: 'short',
                  body: { regions: [REGIONS[o.region]] },
                });
              else if (o.kind === 'all-clear') await h.service.allClear(alice, id);
              else await h.service.cancel(alice, id);
            }
          } catch (error) {
            // Acting on an ended incident is refused; anything else is a bug.
            if (!(error instanceof TocsinError && error.code === 'ALERT_ALREADY_ENDED')) throw error;
          }
        }
        const log = (await h.store.readEvents(0, 10_000)).map((e) => e.json);
        assert.deepEqual(fromState(h.service.state().body), fromLog(log));
        h = await h.restart();
        assert.deepEqual(fromState(h.service.state().body), fromLog(log));
      } finally {
        await h.cleanup();
      }
    }),
    { numRuns: 12 },
  );
});
