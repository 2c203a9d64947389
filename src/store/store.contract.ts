// The contract every Store engine passes: sqlite/sqlite-store.test.ts and
// postgres/postgres-store.test.ts call storeContract() with their own factory.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Alert } from '../cap/types.ts';
import {
  type AlertCommit,
  type IncidentRecord,
  type NewAlertRecord,
  type Store,
  StoreConflictError,
} from './store.ts';

export interface ContractStore {
  store: Store;
  /** Closes the store and reopens the same database (for "reopen keeps everything"). */
  reopen: () => Promise<Store>;
  cleanup: () => Promise<void>;
}

const T0 = Date.parse('2026-03-01T10:42:00+02:00');

function capOf(id: string, msgType: Alert['msgType'] = 'Alert'): Alert {
  return {
    identifier: id,
    sender: 'tocsin@localhost',
    sent: '2026-03-01T10:42:00+02:00',
    status: 'Actual',
    msgType,
    scope: 'Public',
    code: [],
    info: [],
  };
}

function alertRecord(id: string, over: Partial<NewAlertRecord> = {}): NewAlertRecord {
  return {
    id,
    incidentId: id,
    state: 'issued',
    eventType: 'air_raid',
    status: 'Actual',
    msgType: 'Alert',
    sent: '2026-03-01T10:42:00+02:00',
    sentMs: T0,
    expiresMs: null,
    authorId: 'op-1',
    approverId: null,
    cap: capOf(id),
    xml: `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>${id}</identifier><note>Сумська — "ok"</note></alert>`,
    regions: [{ code: 'UA-59', coverage: 1, whole: true }],
    ...over,
  };
}

function incidentOf(a: NewAlertRecord, over: Partial<IncidentRecord> = {}): IncidentRecord {
  return {
    id: a.incidentId,
    eventType: a.eventType,
    status: a.status,
    currentAlertId: a.id,
    regions: a.regions,
    since: a.sent,
    startedMs: a.sentMs,
    endedMs: null,
    endReason: null,
    ...over,
  };
}

function eventFor(type: string, alertId: string, regions = ['UA-59']): AlertCommit['event'] {
  return (seq) => ({
    id: `ev-${alertId}-${type}`,
    type,
    timeMs: T0,
    regions,
    json: JSON.stringify({ seq, id: `ev-${alertId}-${type}`, type, alert: { id: alertId }, note: 'Київ ✓' }),
  });
}

function issue(a: NewAlertRecord): AlertCommit {
  return {
    insertAlert: a,
    incident: incidentOf(a),
    event: eventFor(
      'alert.issued',
      a.id,
      a.regions.map((r) => r.code),
    ),
  };
}

/** Runs the store contract against one engine; `makeStore` gives a fresh, empty database each call. */
export function storeContract(engineName: string, makeStore: () => Promise<ContractStore>): void {
  describe(`Store contract: ${engineName}`, () => {
    let h: ContractStore;
    let store: Store;
    before(async () => {
      h = await makeStore();
      store = h.store;
    });
    after(async () => {
      await h.cleanup();
    });

    test('an empty store has no events and reports its migrations', async () => {
      const fresh = await makeStore();
      try {
        assert.equal(await fresh.store.latestSeq(), 0);
        assert.equal(await fresh.store.oldestRetainedSeq(), 1);
        assert.deepEqual(await fresh.store.readEvents(0, 10), []);
        assert.ok((await fresh.store.migrationsApplied()).includes(1));
        await fresh.store.ping();
      } finally {
        await fresh.cleanup();
      }
    });

    test('an issued alert round-trips exactly: model, XML text, regions, incident, event bytes', async () => {
      const a = alertRecord('rt-1', {
        regions: [
          { code: 'UA-59', coverage: 1, whole: true },
          { code: 'UA-63', coverage: 0.25, whole: false },
        ],
      });
      const event = await store.commitAlertChange(issue(a));
      const stored = await store.getAlert('rt-1');
      assert.ok(stored);
      assert.deepEqual({ ...stored, createdSeq: 0, updatedSeq: 0 }, { ...a, createdSeq: 0, updatedSeq: 0 });
      assert.equal(stored.createdSeq, event.seq);
      assert.deepEqual(await store.getIncident('rt-1'), incidentOf(a));
      const [read] = await store.readEvents(event.seq - 1, 1);
      assert.deepEqual(read, event);
      assert.equal(
        read?.json,
        JSON.stringify({
          seq: event.seq,
          id: 'ev-rt-1-alert.issued',
          type: 'alert.issued',
          alert: { id: 'rt-1' },
          note: 'Київ ✓',
        }),
      );
    });

    test('concurrent writers get a gap-free, duplicate-free seq', async () => {
      const start = await store.latestSeq();
      const events = await Promise.all(
        Array.from({ length: 40 }, (_, i) => store.commitAlertChange(issue(alertRecord(`conc-${i}`)))),
      );
      const seqs = events.map((e) => e.seq).sort((x, y) => x - y);
      assert.deepEqual(
        seqs,
        Array.from({ length: 40 }, (_, i) => start + 1 + i),
      );
      const log = await store.readEvents(start, 100);
      assert.deepEqual(
        log.map((e) => e.seq),
        seqs,
      );
      assert.equal(await store.latestSeq(), start + 40);
      for (const e of log) assert.equal(JSON.parse(e.json).seq, e.seq);
    });

    test('a failing commit leaves nothing behind', async () => {
      const before = await store.latestSeq();
      const a = alertRecord('atomic-1');
      await assert.rejects(
        store.commitAlertChange({
          ...issue(a),
          schedule: { add: [{ alertId: 'atomic-1', kind: 'expire', dueMs: T0 }] },
          idempotency: {
            actorId: 'op-1',
            key: 'k-atomic',
            requestHash: 'h',
            alertId: 'atomic-1',
            outcome: 'issued',
            createdMs: T0,
          },
          event: () => {
            throw new Error('signing failed');
          },
        }),
        /signing failed/,
      );
      assert.equal(await store.getAlert('atomic-1'), undefined);
      assert.equal(await store.getIncident('atomic-1'), undefined);
      assert.equal(await store.getIdempotency('op-1', 'k-atomic'), undefined);
      assert.equal(
        (await store.dueSchedule(T0, 10)).some((s) => s.alertId === 'atomic-1'),
        false,
      );
      assert.equal(await store.latestSeq(), before);
      // The next commit takes the next number: the failure burnt no seq.
      const next = await store.commitAlertChange(issue(alertRecord('atomic-2')));
      assert.equal(next.seq, before + 1);
    });

    test('one failing change among concurrent ones fails alone', async () => {
      const start = await store.latestSeq();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 9 }, (_, i) =>
          store.commitAlertChange(
            i === 4
              ? {
                  ...issue(alertRecord('batch-bad')),
                  event: () => {
                    throw new Error('bad change');
                  },
                }
              : issue(alertRecord(`batch-${i}`)),
          ),
        ),
      );
      assert.deepEqual(
        outcomes.map((o) => o.status),
        [
          'fulfilled',
          'fulfilled',
          'fulfilled',
          'fulfilled',
          'rejected',
          'fulfilled',
          'fulfilled',
          'fulfilled',
          'fulfilled',
        ],
      );
      assert.equal(await store.getAlert('batch-bad'), undefined);
      assert.ok(await store.getAlert('batch-8'));
      const log = await store.readEvents(start, 100);
      assert.deepEqual(
        log.map((e) => e.seq),
        Array.from({ length: 8 }, (_, i) => start + 1 + i),
      );
    });

    test('a failed precondition refuses the change and writes nothing', async () => {
      const a = alertRecord('pre-1');
      await store.commitAlertChange(issue(a));
      const before = await store.latestSeq();
      const update = alertRecord('pre-2', { incidentId: 'pre-1', msgType: 'Update' });
      const change: AlertCommit = {
        expect: [{ alertId: 'pre-1', state: 'pending' }],
        insertAlert: update,
        setAlertStates: [{ alertId: 'pre-1', state: 'superseded' }],
        event: eventFor('alert.updated', 'pre-2'),
      };
      await assert.rejects(
        store.commitAlertChange(change),
        (e: unknown) => e instanceof StoreConflictError && e.kind === 'state',
      );
      assert.equal(await store.getAlert('pre-2'), undefined);
      assert.equal((await store.getAlert('pre-1'))?.state, 'issued');
      assert.equal(await store.latestSeq(), before);
      // With the right precondition the same change goes through and moves the states.
      const ok = await store.commitAlertChange({
        ...change,
        expect: [{ alertId: 'pre-1', state: 'issued' }],
      });
      const old = await store.getAlert('pre-1');
      assert.equal(old?.state, 'superseded');
      assert.equal(old?.updatedSeq, ok.seq);
      assert.equal((await store.getAlert('pre-2'))?.createdSeq, ok.seq);
    });

    test('a duplicate alert identifier is refused', async () => {
      await store.commitAlertChange(issue(alertRecord('dup-1')));
      const before = await store.latestSeq();
      await assert.rejects(
        store.commitAlertChange(issue(alertRecord('dup-1'))),
        (e: unknown) => e instanceof StoreConflictError && e.kind === 'duplicate_alert',
      );
      assert.equal(await store.latestSeq(), before);
    });

    test('idempotency keys are stored per actor and refuse a second use', async () => {
      const rec = {
        actorId: 'op-1',
        key: 'key-1',
        requestHash: 'abc',
        alertId: 'idem-1',
        outcome: 'issued' as const,
        createdMs: T0,
      };
      await store.commitAlertChange({ ...issue(alertRecord('idem-1')), idempotency: rec });
      assert.deepEqual(await store.getIdempotency('op-1', 'key-1'), rec);
      assert.equal(await store.getIdempotency('op-2', 'key-1'), undefined);
      await assert.rejects(
        store.commitAlertChange({
          ...issue(alertRecord('idem-2')),
          idempotency: { ...rec, alertId: 'idem-2' },
        }),
        (e: unknown) => e instanceof StoreConflictError && e.kind === 'idempotency',
      );
      assert.equal(await store.getAlert('idem-2'), undefined);
      // Another actor may use the same key.
      await store.commitAlertChange({
        ...issue(alertRecord('idem-3')),
        idempotency: { ...rec, actorId: 'op-2', alertId: 'idem-3' },
      });
    });

    test('the schedule answers "due before T" earliest first and forgets removed entries', async () => {
      const h2 = await makeStore();
      try {
        const s = h2.store;
        assert.equal(await s.nextScheduled(), undefined);
        for (const [id, due] of [
          ['sch-a', T0 + 3000],
          ['sch-b', T0 + 1000],
          ['sch-c', T0 + 2000],
        ] as const) {
          await s.commitAlertChange({
            ...issue(alertRecord(id)),
            schedule: { add: [{ alertId: id, kind: 'expire', dueMs: due }] },
          });
        }
        assert.deepEqual(await s.nextScheduled(), { alertId: 'sch-b', kind: 'expire', dueMs: T0 + 1000 });
        assert.deepEqual(
          (await s.dueSchedule(T0 + 2000, 10)).map((e) => e.alertId),
          ['sch-b', 'sch-c'],
        );
        assert.deepEqual(
          (await s.dueSchedule(T0 + 5000, 1)).map((e) => e.alertId),
          ['sch-b'],
        );
        await s.commitAlertChange({
          setAlertStates: [{ alertId: 'sch-b', state: 'ended' }],
          schedule: { removeAlertIds: ['sch-b'] },
          event: eventFor('alert.ended', 'sch-b'),
        });
        assert.deepEqual(
          (await s.dueSchedule(T0 + 5000, 10)).map((e) => e.alertId),
          ['sch-c', 'sch-a'],
        );
      } finally {
        await h2.cleanup();
      }
    });

    test('events are read after a seq, in order, with a limit', async () => {
      const latest = await store.latestSeq();
      const all = await store.readEvents(0, 10_000);
      assert.equal(all.length, latest);
      assert.deepEqual(
        all.map((e) => e.seq),
        Array.from({ length: latest }, (_, i) => i + 1),
      );
      const page = await store.readEvents(3, 2);
      assert.deepEqual(
        page.map((e) => e.seq),
        [4, 5],
      );
      assert.deepEqual(await store.readEvents(latest, 10), []);
      assert.equal(await store.oldestRetainedSeq(), 1);
    });

    test('history lists by region, event, time, active and pages by cursor', async () => {
      const h2 = await makeStore();
      try {
        const s = h2.store;
        for (let i = 0; i < 5; i++) {
          const region = i % 2 === 0 ? 'UA-59' : 'UA-63';
          await s.commitAlertChange(
            issue(
              alertRecord(`h-${i}`, {
                sentMs: T0 + i * 1000,
                eventType: i === 4 ? 'drone' : 'air_raid',
                regions: [{ code: region, coverage: 1, whole: true }],
              }),
            ),
          );
        }
        await s.commitAlertChange({
          insertAlert: alertRecord('h-pending', { state: 'pending' }),
          event: eventFor('alert.pending', 'h-pending'),
        });
        const all = await s.listAlerts({ limit: 100 });
        assert.deepEqual(
          all.map((a) => a.id),
          ['h-4', 'h-3', 'h-2', 'h-1', 'h-0'],
        );
        assert.deepEqual(
          (await s.listAlerts({ limit: 100, regions: ['UA-59'] })).map((a) => a.id),
          ['h-4', 'h-2', 'h-0'],
        );
        assert.deepEqual(
          (await s.listAlerts({ limit: 100, eventType: 'drone' })).map((a) => a.id),
          ['h-4'],
        );
        assert.deepEqual(
          (await s.listAlerts({ limit: 100, fromMs: T0 + 1000, toMs: T0 + 3000 })).map((a) => a.id),
          ['h-2', 'h-1'],
        );
        assert.deepEqual(
          (await s.listAlerts({ limit: 100, states: ['pending'] })).map((a) => a.id),
          ['h-pending'],
        );
        const first = await s.listAlerts({ limit: 2 });
        const second = await s.listAlerts({ limit: 2, beforeSeq: first.at(-1)?.createdSeq ?? 0 });
        assert.deepEqual(
          [...first, ...second].map((a) => a.id),
          ['h-4', 'h-3', 'h-2', 'h-1'],
        );
        await s.commitAlertChange({
          setAlertStates: [{ alertId: 'h-0', state: 'ended' }],
          incident: incidentOf(alertRecord('h-0'), { endedMs: T0 + 9000, endReason: 'expired' }),
          event: eventFor('alert.ended', 'h-0'),
        });
        assert.deepEqual(
          (await s.listAlerts({ limit: 100, active: false })).map((a) => a.id),
          ['h-0'],
        );
        assert.deepEqual(
          (await s.listActiveIncidents()).map((i) => i.id),
          ['h-1', 'h-2', 'h-3', 'h-4'],
        );
        const overlapping = await s.listIncidents({ fromMs: T0 + 9500, toMs: T0 + 20_000 });
        assert.deepEqual(
          overlapping.map((i) => i.id),
          ['h-1', 'h-2', 'h-3', 'h-4'],
        );
        const withEnded = await s.listIncidents({ fromMs: T0, toMs: T0 + 20_000, eventType: 'air_raid' });
        assert.deepEqual(
          withEnded.map((i) => i.id),
          ['h-0', 'h-1', 'h-2', 'h-3'],
        );
        assert.equal(withEnded[0]?.endReason, 'expired');
      } finally {
        await h2.cleanup();
      }
    });

    test('replacing a region level replaces only that level', async () => {
      const h2 = await makeStore();
      try {
        const s = h2.store;
        await s.replaceRegionLevel('country', [
          { code: 'UA', parent: null, level: 'country', names: { uk: 'Україна', en: 'Ukraine' } },
        ]);
        await s.replaceRegionLevel('oblast', [
          {
            code: 'UA-59',
            parent: 'UA',
            level: 'oblast',
            names: { en: 'Sumy' },
            ids: { alerts_in_ua: '20' },
          },
          { code: 'UA-63', parent: 'UA', level: 'oblast', names: { en: 'Kharkiv' } },
        ]);
        await s.replaceRegionLevel('oblast', [
          {
            code: 'UA-59',
            parent: 'UA',
            level: 'oblast',
            names: { en: 'Sumy oblast' },
            geometry: {
              type: 'Polygon',
              coordinates: [
                [
                  [33, 50],
                  [35, 50],
                  [35, 52],
                  [33, 50],
                ],
              ],
            },
          },
        ]);
        const regions = await s.listRegions();
        assert.deepEqual(regions.map((r) => r.code).sort(), ['UA', 'UA-59']);
        const sumy = regions.find((r) => r.code === 'UA-59');
        assert.equal(sumy?.names.en, 'Sumy oblast');
        assert.deepEqual(sumy?.geometry?.coordinates, [
          [
            [33, 50],
            [35, 50],
            [35, 52],
            [33, 50],
          ],
        ]);
      } finally {
        await h2.cleanup();
      }
    });

    test('reopening after close keeps everything', async () => {
      const latest = await store.latestSeq();
      const events = await store.readEvents(0, 10_000);
      const alert = await store.getAlert('rt-1');
      store = await h.reopen();
      h.store = store;
      assert.equal(await store.latestSeq(), latest);
      assert.deepEqual(await store.readEvents(0, 10_000), events);
      assert.deepEqual(await store.getAlert('rt-1'), alert);
      assert.ok(await store.getIdempotency('op-1', 'key-1'));
      const next = await store.commitAlertChange(issue(alertRecord('after-reopen')));
      assert.equal(next.seq, latest + 1);
    });

    test('operations on a closed store fail clearly', async () => {
      const h2 = await makeStore();
      await h2.store.close();
      await assert.rejects(h2.store.latestSeq());
      await h2.cleanup();
    });
  });
}
