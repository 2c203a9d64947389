// The push message of an event: a compact summary under the size bound, Urgency high only for
// real Extreme/Severe alerts, a TTL from the alert's expiry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PAYLOAD_MAX_BYTES, pushMessageOf } from './webpush-payload.ts';

const NOW = Date.parse('2026-03-01T10:00:00Z');

function eventJson(alert: {
  status?: string;
  severity?: string;
  expires?: string | null;
  headlines?: [string, string][];
}) {
  const infos = (
    alert.headlines ?? [
      ['uk-UA', 'Повітряна тривога'],
      ['en-US', 'Air raid alert'],
    ]
  ).map(([language, headline]) => ({
    language,
    headline,
    severity: alert.severity ?? 'Extreme',
  }));
  return JSON.stringify({
    seq: 7,
    id: 'ev-7',
    type: 'alert.issued',
    time: '2026-03-01T10:00:00.000Z',
    regions: ['UA-59'],
    alert: {
      id: 'a-1',
      incident: 'a-1',
      event: 'air_raid',
      status: alert.status ?? 'Actual',
      msgType: 'Alert',
      expires: alert.expires === undefined ? '2026-03-01T12:00:00.000Z' : alert.expires,
      cap: { info: infos },
    },
    kid: 'k',
    sig: 's',
  });
}

describe('pushMessageOf', () => {
  it('summarises the event with a headline per language', () => {
    const message = pushMessageOf(eventJson({}), NOW);
    const payload = JSON.parse(message.payload);
    assert.deepEqual(payload.headline, { uk: 'Повітряна тривога', en: 'Air raid alert' });
    assert.equal(payload.seq, 7);
    assert.equal(payload.alert, 'a-1');
    assert.equal(payload.severity, 'Extreme');
    assert.equal(payload.sig, undefined, 'the summary is not the signed event');
  });

  it('is urgent only for Actual Extreme or Severe alerts', () => {
    assert.equal(pushMessageOf(eventJson({ severity: 'Extreme' }), NOW).urgency, 'high');
    assert.equal(pushMessageOf(eventJson({ severity: 'Severe' }), NOW).urgency, 'high');
    assert.equal(pushMessageOf(eventJson({ severity: 'Moderate' }), NOW).urgency, 'normal');
    for (const status of ['Exercise', 'Test', 'System', 'Draft'])
      assert.equal(pushMessageOf(eventJson({ status }), NOW).urgency, 'low', status);
  });

  it('keeps the message until the alert expires, within bounds', () => {
    assert.equal(pushMessageOf(eventJson({}), NOW).ttlSeconds, 7200);
    assert.equal(pushMessageOf(eventJson({ expires: '2026-03-01T10:00:10Z' }), NOW).ttlSeconds, 60);
    assert.equal(pushMessageOf(eventJson({ expires: '2026-03-09T10:00:00Z' }), NOW).ttlSeconds, 86_400);
    assert.equal(pushMessageOf(eventJson({ expires: null }), NOW).ttlSeconds, 3600);
  });

  it('stays within one push record: long headlines are cut, too many dropped', () => {
    const long = pushMessageOf(eventJson({ headlines: [['en', 'x'.repeat(1000)]] }), NOW);
    assert.equal([...JSON.parse(long.payload).headline.en].length, 160);
    const many = pushMessageOf(
      eventJson({
        headlines: Array.from({ length: 40 }, (_, i) => [`l${i}`, 'ж'.repeat(150)] as [string, string]),
      }),
      NOW,
    );
    assert.ok(Buffer.byteLength(many.payload) <= PAYLOAD_MAX_BYTES);
    assert.deepEqual(JSON.parse(many.payload).headline, {});
  });
});
