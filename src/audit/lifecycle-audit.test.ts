import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { verifyEvent } from '../alerts/event-signing.ts';
import { defaultNeedsApproval } from '../alerts/policy.ts';
import { actor, airRaid, type Harness, harness, T0 } from '../alerts/testing.ts';
import type { AuditRecord } from '../store/audit-store.ts';
import { createChainVerifier, GENESIS_HASH } from './chain.ts';

const alice = actor('alice');
const bob = actor('bob');
const MIN = 60_000;

async function chainOf(h: Harness) {
  const verifier = createChainVerifier();
  verifier.add(await h.store.audit.readRows(0, 10_000));
  return verifier.finish(await h.store.audit.head());
}

async function actions(h: Harness): Promise<AuditRecord[]> {
  return (await h.store.audit.list({ limit: 1000 })).reverse();
}

describe('every lifecycle action leaves an audit record, committed with its event', () => {
  let h: Harness;
  before(async () => (h = await harness({ needsApproval: defaultNeedsApproval, pendingTtlMs: 5 * MIN })));
  after(() => h.cleanup());

  test('drafted, approved, rejected, issued, updated, all-clear, cancelled, corrected, expired, lapsed', async () => {
    const pending = await h.service.issue(alice, airRaid(['UA-59'])); // Extreme: pending
    await h.service.approve(bob, pending.alert.id);
    const rejected = await h.service.issue(alice, airRaid(['UA-63']));
    await h.service.reject(bob, rejected.alert.id, 'wrong oblast');
    await h.service.update(alice, pending.alert.id, {
      format: 'short',
      body: { headline: { uk: 'Загроза', en: 'Threat continues' } },
    });
    const current = (await h.service.list({ active: true })).items[0];
    assert.ok(current);
    await h.service.allClear(alice, current.id);
    const drill = await h.service.issue(alice, airRaid(['UA-63'], { status: 'Exercise' }));
    await h.service.cancel(alice, drill.alert.id, {
      format: 'short',
      body: { headline: { uk: 'Скасовано', en: 'Cancelled' } },
    });
    const drill2 = await h.service.issue(alice, airRaid(['UA-59'], { status: 'Exercise' }));
    await h.service.cancel(bob, drill2.alert.id);
    await h.service.issue(alice, airRaid(['UA-59'], { status: 'Exercise', expiresInMinutes: 1 }));
    await h.service.issue(alice, airRaid(['UA-59-01'])); // pending, nobody acts
    h.clock.advance(10 * MIN);
    assert.equal(await h.service.expireDue(), 2);

    const records = await actions(h);
    assert.deepEqual(
      records.map((r) => r.action),
      [
        'alert.drafted',
        'alert.approved',
        'alert.drafted',
        'alert.rejected',
        'alert.updated',
        'alert.all-clear',
        'alert.issued',
        'alert.cancelled',
        'alert.issued',
        'alert.corrected',
        'alert.issued',
        'alert.drafted',
        // The scheduler handles due entries earliest first: the expiry (1 min) before the lapse (5 min).
        'alert.expired',
        'alert.lapsed',
      ],
    );
    assert.deepEqual(
      records.map((r) => r.actor.id),
      [
        ...[
          'alice',
          'bob',
          'alice',
          'bob',
          'alice',
          'alice',
          'alice',
          'alice',
          'alice',
          'bob',
          'alice',
          'alice',
        ],
        ...['system:tocsin', 'system:tocsin'],
      ],
    );
    assert.equal(records[3]?.details?.reason, 'wrong oblast');
    // Each record names the event committed with it, and events and records agree one to one.
    const events = await h.store.readEvents(0, 1000);
    assert.deepEqual(
      records.map((r) => r.eventSeq),
      events.map((e) => e.seq),
    );
    assert.equal(records[0]?.prevHash, GENESIS_HASH);
    assert.deepEqual(records[0]?.regions, ['UA-59']);
    assert.deepEqual(records[0]?.target, { type: 'alert', id: pending.alert.id });
    const verdict = await chainOf(h);
    assert.equal(verdict.ok, true, JSON.stringify(verdict));
    assert.equal(verdict.checked, records.length);
  });

  test('appendAudit (other actions) continues the same chain', async () => {
    const before = await h.store.audit.head();
    const record = await h.store.audit.append({
      timeMs: T0,
      actor: { id: 'op-1', name: 'admin', kind: 'operator' },
      action: 'token.created',
      target: { type: 'token', id: 'tok-1' },
      details: { roles: ['author'] },
    });
    assert.equal(record.seq, before.seq + 1);
    assert.equal(record.prevHash, before.hash);
    assert.equal((await chainOf(h)).ok, true);
  });

  test('an entry that is not plain JSON is refused and nothing is appended', async () => {
    const before = await h.store.audit.head();
    await assert.rejects(
      h.store.audit.append({
        timeMs: T0,
        actor: { id: 'x', name: 'x', kind: 'operator' },
        action: 'x',
        details: { n: Number.NaN },
      }),
      /plain JSON/,
    );
    assert.deepEqual(await h.store.audit.head(), before);
  });
});

describe('the one-action correction', () => {
  let h: Harness;
  before(async () => (h = await harness({ timeZone: 'Europe/Kyiv' })));
  after(() => h.cleanup());

  test('a cancel without a body sends a CAP Cancel with the standard text, clears region state and emits an event', async () => {
    const issued = await h.service.issue(alice, airRaid(['UA-59']));
    assert.equal(JSON.parse(h.service.stateOf('UA-59').body).active, true);
    h.clock.advance(3 * MIN);
    const before = h.published.length;
    const result = await h.service.cancel(bob, issued.alert.id);

    const cap = result.alert.cap;
    assert.equal(cap.msgType, 'Cancel');
    assert.equal(cap.references, `${issued.alert.cap.sender},${issued.alert.id},${issued.alert.cap.sent}`);
    const en = cap.info.find((i) => i.language === 'en');
    const uk = cap.info.find((i) => i.language === 'uk');
    // T0 is 10:42 in Kyiv; the region names come from the region tree.
    assert.equal(en?.headline, 'The alert issued at 10:42 for Sumy oblast was sent in error.');
    assert.equal(en?.description, en?.headline);
    assert.match(uk?.headline ?? '', /^Сповіщення, надіслане о 10:42 для: Сумська область, було помилковим/);
    assert.equal(cap.note, 'The alert issued at 10:42 for Sumy oblast was sent in error.');
    assert.equal(result.alert.endReason, 'cancelled');

    assert.equal(JSON.parse(h.service.stateOf('UA-59').body).active, false);
    assert.equal(JSON.parse(h.service.stateOf('UA-59-01-01').body).active, false);

    const emitted = h.published.slice(before);
    assert.equal(emitted.length, 1);
    const event = JSON.parse(emitted[0]?.json ?? '{}');
    assert.equal(event.type, 'alert.ended');
    assert.equal(event.alert.reason, 'cancelled');
    assert.equal(event.alert.cap.msgType, 'Cancel');
    assert.equal(verifyEvent(event, h.publicKeys), true);
    const [last] = await h.store.audit.list({ limit: 1 });
    assert.equal(last?.action, 'alert.corrected');
    assert.equal(last?.actor.id, 'bob');
  });

  test('configured texts replace the defaults; {event} and several regions are filled in', async () => {
    const h2 = await harness({
      timeZone: 'Europe/Kyiv',
      correctionTexts: { en: '{event} at {time} for {regions}: ignore it', uk: 'Хибна тривога: {regions}' },
    });
    try {
      const issued = await h2.service.issue(alice, airRaid(['UA-59', 'UA-63']));
      const { alert } = await h2.service.cancel(alice, issued.alert.id);
      const en = alert.cap.info.find((i) => i.language === 'en');
      assert.equal(en?.headline, `${en?.event} at 10:42 for Sumy oblast, Kharkiv oblast: ignore it`);
      assert.equal(
        alert.cap.info.find((i) => i.language === 'uk')?.headline,
        'Хибна тривога: Сумська область, Харківська область',
      );
    } finally {
      await h2.cleanup();
    }
  });
});
