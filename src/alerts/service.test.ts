import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseCapXml } from '../cap/xml.ts';
import { formatCapTime, parseTime, systemClock } from './clock.ts';
import { TocsinError } from './errors.ts';
import { verifyEvent } from './event-signing.ts';
import { defaultNeedsApproval } from './policy.ts';
import { actor, airRaid, type Harness, harness, T0 } from './testing.ts';

const alice = actor('alice');
const bob = actor('bob');
const MIN = 60_000;

function code(name: string) {
  return (error: unknown) => {
    assert.ok(error instanceof TocsinError, `expected a TocsinError, got ${String(error)}`);
    assert.equal(error.code, name, error.message);
    return true;
  };
}

function stateOf(h: Harness, region: string) {
  return JSON.parse(h.service.stateOf(region).body) as {
    region: string;
    active: boolean;
    alerts: {
      incident: string;
      alert: string;
      event: string;
      since: string;
      region: string;
      whole: boolean;
    }[];
  };
}

describe('issue, all-clear, cancel, update', () => {
  let h: Harness;
  before(async () => (h = await harness()));
  after(() => h.cleanup());

  test('an issued air raid alert shows in the state of its region and every descendant, since T', async () => {
    const result = await h.service.issue(alice, airRaid(['UA-59']));
    assert.equal(result.outcome, 'issued');
    assert.equal(result.replayed, false);
    const cap = result.alert.cap;
    assert.equal(cap.identifier, 'test-alert-1');
    assert.equal(cap.sender, 'tocsin@localhost');
    assert.equal(cap.sent, '2026-03-01T08:42:00-00:00');
    assert.deepEqual(
      cap.info.map((i) => i.language),
      ['uk', 'en'],
    );
    assert.deepEqual(cap.info[0]?.area[0]?.geocode, [{ valueName: 'ISO 3166-2', value: 'UA-59' }]);
    assert.equal(cap.info[0]?.area[0]?.areaDesc, 'Сумська область');
    assert.equal(cap.info[1]?.area[0]?.areaDesc, 'Sumy oblast');
    assert.deepEqual(cap.info[0]?.eventCode, [{ valueName: 'TOCSIN', value: 'air_raid' }]);

    const sumy = stateOf(h, 'UA-59');
    assert.equal(sumy.active, true);
    assert.equal(sumy.alerts[0]?.since, '2026-03-01T08:42:00-00:00');
    assert.equal(sumy.alerts[0]?.event, 'air_raid');
    assert.equal(sumy.alerts[0]?.whole, true);
    // Inheritance: the synthetic hromada two levels below shows its oblast's alert.
    const hromada = stateOf(h, 'UA-59-01-01');
    assert.equal(hromada.alerts[0]?.incident, result.alert.id);
    assert.equal(hromada.alerts[0]?.region, 'UA-59');
    assert.equal(stateOf(h, 'UA-63').active, false);
    assert.equal(stateOf(h, 'UA').active, false);
    assert.deepEqual(Object.keys(JSON.parse(h.service.state().body).regions), [
      'UA-59',
      'UA-59-01',
      'UA-59-01-01',
    ]);

    // The XML as issued, and a signed alert.issued event on the bus.
    const xml = await h.service.getXml(result.alert.id);
    const parsed = parseCapXml(xml);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.alert, cap);
    const event = h.published.at(-1);
    assert.equal(event?.type, 'alert.issued');
    const signed = JSON.parse(event?.json ?? '{}');
    assert.equal(signed.seq, event?.seq);
    assert.equal(signed.alert.id, result.alert.id);
    assert.ok(verifyEvent(signed, h.publicKeys));
  });

  test('the all-clear ends the incident at once and clears the state', async () => {
    const { alert } = await h.service.issue(alice, airRaid(['UA-63']));
    const before = h.service.stateOf('UA-63');
    h.clock.advance(30 * MIN);
    const cleared = await h.service.allClear(alice, alert.id);
    assert.equal(cleared.alert.msgType, 'Update');
    assert.deepEqual(cleared.alert.cap.info[0]?.responseType, ['AllClear']);
    assert.equal(cleared.alert.cap.references, `tocsin@localhost,${alert.id},${alert.sent}`);
    assert.equal(cleared.event.type, 'alert.ended');
    assert.equal(JSON.parse(cleared.event.json).alert.reason, 'all_clear');
    assert.equal(stateOf(h, 'UA-63').active, false);
    assert.notEqual(h.service.stateOf('UA-63').etag, before.etag);
    const original = await h.service.get(alert.id);
    assert.equal(original.state, 'superseded');
    assert.equal(original.active, false);
    assert.equal(original.endReason, 'all_clear');
    await assert.rejects(h.service.allClear(alice, alert.id), code('ALERT_ALREADY_ENDED'));
  });

  test('an update moves the incident to its new regions; the incident keeps its start', async () => {
    const { alert } = await h.service.issue(alice, airRaid(['UA-63']));
    h.clock.advance(5 * MIN);
    const updated = await h.service.update(alice, alert.id, {
      format: 'short',
      body: { regions: ['UA-59-01'], headline: { en: 'Air raid alert: Sumy raion' } },
    });
    assert.equal(updated.alert.msgType, 'Update');
    assert.equal(updated.alert.incident, alert.id);
    assert.equal(updated.event.type, 'alert.updated');
    assert.deepEqual(
      updated.alert.cap.info.map((i) => i.language),
      ['en'],
    );
    assert.deepEqual(updated.alert.cap.info[0]?.area[0]?.geocode, [
      { valueName: 'TOCSIN-REGION', value: 'UA-59-01' },
    ]);
    assert.equal(stateOf(h, 'UA-63').active, false);
    const raion = stateOf(h, 'UA-59-01').alerts.find((a) => a.incident === alert.id);
    assert.equal(raion?.alert, updated.alert.id);
    assert.equal(raion?.since, alert.sent);
    assert.equal((await h.service.get(alert.id)).state, 'superseded');
    // The event type of an incident cannot change.
    await assert.rejects(
      h.service.update(alice, updated.alert.id, { format: 'short', body: { event: 'drone' } }),
      code('ALERT_INPUT_INVALID'),
    );
    // Acting on the original id reaches the incident's current alert.
    const cancelled = await h.service.cancel(alice, alert.id);
    assert.equal(cancelled.alert.msgType, 'Cancel');
    assert.equal(cancelled.alert.cap.references?.split(',')[1], updated.alert.id);
  });

  test('a cancelled incident refuses updates; unknown ids are not found', async () => {
    const { alert } = await h.service.issue(alice, airRaid(['UA-63']));
    await h.service.cancel(alice, alert.id);
    assert.equal(stateOf(h, 'UA-63').active, false);
    await assert.rejects(h.service.update(alice, alert.id, airRaid(['UA-63'])), code('ALERT_ALREADY_ENDED'));
    await assert.rejects(h.service.cancel(alice, alert.id), code('ALERT_ALREADY_ENDED'));
    await assert.rejects(h.service.allClear(alice, 'no-such-alert'), code('ALERT_NOT_FOUND'));
    await assert.rejects(h.service.get('no-such-alert'), code('ALERT_NOT_FOUND'));
  });

  test('every event is on the bus once, in seq order, and the region state matches a replay of the log', async () => {
    const log = await h.store.readEvents(0, 1000);
    assert.deepEqual(
      h.published.map((e) => e.seq),
      log.map((e) => e.seq),
    );
    assert.deepEqual(
      log.map((e) => e.seq),
      log.map((_, i) => i + 1),
    );
    for (const e of log) assert.ok(verifyEvent(JSON.parse(e.json), h.publicKeys));
    assert.deepEqual(replayState(log.map((e) => e.json)), activeFromState(h));
  });
});

/** Region → sorted incident ids, recomputed from the event log alone (direct placements). */
function replayState(events: string[]): Record<string, string[]> {
  const active = new Map<string, string[]>();
  for (const text of events) {
    const e = JSON.parse(text) as { type: string; alert: { incident: string; regions: { code: string }[] } };
    if (e.type === 'alert.issued' || e.type === 'alert.updated')
      active.set(
        e.alert.incident,
        e.alert.regions.map((r) => r.code),
      );
    if (e.type === 'alert.ended') active.delete(e.alert.incident);
  }
  const out: Record<string, string[]> = {};
  for (const [incident, regions] of active) for (const r of regions) out[r] = [...(out[r] ?? []), incident];
  for (const list of Object.values(out)) list.sort();
  return out;
}

function activeFromState(h: Harness): Record<string, string[]> {
  const all = JSON.parse(h.service.state().body) as {
    regions: Record<string, { incident: string; region: string }[]>;
  };
  const out: Record<string, string[]> = {};
  for (const entries of Object.values(all.regions))
    for (const e of entries) out[e.region] = [...new Set([...(out[e.region] ?? []), e.incident])];
  for (const list of Object.values(out)) list.sort();
  return out;
}

describe('expiry', () => {
  test('an alert ends with reason expired at its expires time', async () => {
    const h = await harness();
    try {
      const { alert } = await h.service.issue(alice, airRaid(['UA-59'], { expiresInMinutes: 10 }));
      assert.equal(alert.expires, new Date(T0 + 10 * MIN).toISOString());
      h.clock.advance(9 * MIN);
      assert.equal(await h.service.expireDue(), 0);
      assert.equal(stateOf(h, 'UA-59').active, true);
      h.clock.advance(2 * MIN);
      assert.equal(await h.service.expireDue(), 1);
      assert.equal(stateOf(h, 'UA-59').active, false);
      const ended = JSON.parse(h.published.at(-1)?.json ?? '{}');
      assert.equal(ended.type, 'alert.ended');
      assert.equal(ended.alert.reason, 'expired');
      const incident = await h.store.getIncident(alert.id);
      assert.equal(incident?.endedMs, T0 + 10 * MIN);
      assert.equal(await h.service.expireDue(), 0);
    } finally {
      await h.cleanup();
    }
  });

  test('the scheduler timer ends an alert at its expires time without being asked', async () => {
    const h = await harness({ clock: systemClock });
    try {
      const ended = new Promise<string>((resolve) => {
        h.bus.subscribe((e) => {
          if (e.type === 'alert.ended') resolve(e.json);
        });
      });
      // CAP times have whole seconds: this expires 1–2 s from now.
      const expires = formatCapTime(Date.now() + 2000);
      const { alert } = await h.service.issue(alice, airRaid(['UA-59'], { expires }));
      assert.equal(stateOf(h, 'UA-59').active, true);
      const event = JSON.parse(await ended);
      assert.equal(event.alert.id, alert.id);
      assert.equal(event.alert.reason, 'expired');
      assert.ok(Date.now() >= parseTime(expires));
      assert.equal(stateOf(h, 'UA-59').active, false);
    } finally {
      await h.cleanup();
    }
  });

  test('an expiry that fell due while the hub was stopped is applied at start', async () => {
    let h = await harness();
    try {
      const { alert } = await h.service.issue(alice, airRaid(['UA-59'], { expiresInMinutes: 10 }));
      const { alert: other } = await h.service.issue(alice, airRaid(['UA-63'], { expiresInMinutes: 120 }));
      await h.shutdown();
      h.clock.advance(60 * MIN); // the hub is down while UA-59's alert expires
      h = await h.restart();
      assert.equal(stateOf(h, 'UA-59').active, false);
      assert.equal(stateOf(h, 'UA-63').alerts[0]?.incident, other.id);
      const events = await h.store.readEvents(0, 100);
      assert.deepEqual(
        events.map((e) => e.type),
        ['alert.issued', 'alert.issued', 'alert.ended'],
      );
      assert.equal(JSON.parse(events[2]?.json ?? '{}').alert.id, alert.id);
      assert.equal((await h.store.getIncident(alert.id))?.endedMs, T0 + 10 * MIN);
    } finally {
      await h.cleanup();
    }
  });

  test("an updated alert expires at the update's expires, not the original's", async () => {
    const h = await harness();
    try {
      const { alert } = await h.service.issue(alice, airRaid(['UA-59'], { expiresInMinutes: 10 }));
      await h.service.update(alice, alert.id, { format: 'short', body: { expiresInMinutes: 60 } });
      h.clock.advance(30 * MIN);
      assert.equal(await h.service.expireDue(), 0);
      assert.equal(stateOf(h, 'UA-59').active, true);
      h.clock.advance(31 * MIN);
      assert.equal(await h.service.expireDue(), 1);
      assert.equal(stateOf(h, 'UA-59').active, false);
    } finally {
      await h.cleanup();
    }
  });
});

describe('the two-person rule', () => {
  let h: Harness;
  before(async () => (h = await harness({ needsApproval: defaultNeedsApproval, pendingTtlMs: 15 * MIN })));
  after(() => h.cleanup());

  test('an Actual Extreme alert waits for a second operator; its author cannot approve it', async () => {
    const result = await h.service.issue(alice, airRaid(['UA-59']));
    assert.equal(result.outcome, 'pending');
    assert.equal(result.alert.state, 'pending');
    assert.equal(stateOf(h, 'UA-59').active, false);
    assert.equal(h.published.at(-1)?.type, 'alert.pending');
    await assert.rejects(h.service.approve(alice, result.alert.id), code('ALERT_SELF_APPROVAL'));
    await assert.rejects(h.service.allClear(bob, result.alert.id), code('ALERT_NEEDS_APPROVAL'));
    h.clock.advance(MIN);
    const approved = await h.service.approve(bob, result.alert.id);
    assert.equal(approved.alert.state, 'issued');
    assert.equal(approved.alert.approver, 'bob');
    assert.equal(approved.event.type, 'alert.issued');
    assert.equal(stateOf(h, 'UA-59').alerts[0]?.incident, result.alert.id);
    await assert.rejects(h.service.approve(bob, result.alert.id), code('ALERT_NOT_PENDING'));
    await h.service.allClear(bob, result.alert.id);
  });

  test('an Exercise alert needs no approval; a rejected alert is never issued', async () => {
    const exercise = await h.service.issue(alice, airRaid(['UA-63'], { status: 'Exercise' }));
    assert.equal(exercise.outcome, 'issued');
    await h.service.cancel(alice, exercise.alert.id);
    const pending = await h.service.issue(alice, airRaid(['UA-63']));
    await assert.rejects(h.service.reject(alice, pending.alert.id), code('ALERT_SELF_APPROVAL'));
    const rejected = await h.service.reject(bob, pending.alert.id, 'wrong oblast');
    assert.equal(rejected.alert.state, 'rejected');
    assert.equal(JSON.parse(rejected.event.json).alert.reason, 'wrong oblast');
    assert.equal(stateOf(h, 'UA-63').active, false);
    await assert.rejects(h.service.approve(bob, pending.alert.id), code('ALERT_NOT_PENDING'));
  });

  test('a pending alert lapses after the TTL and can no longer be approved', async () => {
    const pending = await h.service.issue(alice, airRaid(['UA-59']));
    h.clock.advance(14 * MIN);
    assert.equal(await h.service.expireDue(), 0);
    h.clock.advance(2 * MIN);
    assert.equal(await h.service.expireDue(), 1);
    assert.equal((await h.service.get(pending.alert.id)).state, 'lapsed');
    assert.equal(h.published.at(-1)?.type, 'alert.lapsed');
    await assert.rejects(h.service.approve(bob, pending.alert.id), code('ALERT_NOT_PENDING'));
    assert.equal(stateOf(h, 'UA-59').active, false);
  });
});

describe('idempotency', () => {
  let h: Harness;
  before(async () => (h = await harness()));
  after(() => h.cleanup());

  test('a retried request with the same key returns the first result and issues once', async () => {
    const first = await h.service.issue(alice, airRaid(['UA-59']), { idempotencyKey: 'retry-1' });
    h.clock.advance(1000);
    const again = await h.service.issue(alice, airRaid(['UA-59']), { idempotencyKey: 'retry-1' });
    assert.equal(again.replayed, true);
    assert.equal(again.alert.id, first.alert.id);
    assert.equal(again.outcome, 'issued');
    assert.equal(await h.store.latestSeq(), 1);
    // The key belongs to its actor: bob's request with the same key is a new alert.
    const bobs = await h.service.issue(bob, airRaid(['UA-59']), { idempotencyKey: 'retry-1' });
    assert.notEqual(bobs.alert.id, first.alert.id);
  });

  test('the same key with a different body is a conflict and writes nothing', async () => {
    const before = await h.store.latestSeq();
    await assert.rejects(
      h.service.issue(alice, airRaid(['UA-63']), { idempotencyKey: 'retry-1' }),
      code('IDEMPOTENCY_CONFLICT'),
    );
    assert.equal(await h.store.latestSeq(), before);
  });

  test('concurrent requests with one key issue exactly one alert', async () => {
    const before = await h.store.latestSeq();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => h.service.issue(alice, airRaid(['UA-63']), { idempotencyKey: 'race' })),
    );
    assert.equal(new Set(results.map((r) => r.alert.id)).size, 1);
    assert.equal(results.filter((r) => !r.replayed).length, 1);
    assert.equal(await h.store.latestSeq(), before + 1);
  });

  test('a retried all-clear with the same key returns the first result instead of ALERT_ALREADY_ENDED', async () => {
    const { alert } = await h.service.issue(alice, airRaid(['UA-59']));
    const first = await h.service.allClear(alice, alert.id, undefined, { idempotencyKey: 'clear-1' });
    const seq = await h.store.latestSeq();
    const again = await h.service.allClear(alice, alert.id, undefined, { idempotencyKey: 'clear-1' });
    assert.equal(again.replayed, true);
    assert.equal(again.alert.id, first.alert.id);
    assert.deepEqual(again.event, first.event);
    assert.equal(await h.store.latestSeq(), seq);
    // Without the key, a second all-clear is refused: the incident has ended.
    await assert.rejects(h.service.allClear(alice, alert.id), code('ALERT_ALREADY_ENDED'));
    // The same key for another operation is a conflict.
    await assert.rejects(
      h.service.cancel(alice, alert.id, undefined, { idempotencyKey: 'clear-1' }),
      code('IDEMPOTENCY_CONFLICT'),
    );
  });

  test('a malformed key is refused', async () => {
    await assert.rejects(
      h.service.issue(alice, airRaid(), { idempotencyKey: 'has space' }),
      code('ALERT_INPUT_INVALID'),
    );
    await assert.rejects(
      h.service.issue(alice, airRaid(), { idempotencyKey: 'x'.repeat(201) }),
      code('ALERT_INPUT_INVALID'),
    );
  });
});
