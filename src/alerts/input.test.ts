// Bad, hostile and foreign input: every refusal has a stable code, says where, and stores nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TocsinError } from './errors.ts';
import { actor, airRaid, type Harness, harness } from './testing.ts';

const alice = actor('alice');

function capXml(
  over: {
    identifier?: string;
    geocode?: string;
    eventCode?: string;
    polygon?: string;
    msgType?: string;
    status?: string;
  } = {},
): string {
  const area = over.polygon
    ? `<area><areaDesc>drawn</areaDesc><polygon>${over.polygon}</polygon></area>`
    : `<area><areaDesc>Sumy oblast</areaDesc><geocode><valueName>ISO 3166-2</valueName><value>${over.geocode ?? 'UA-59'}</value></geocode></area>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>${over.identifier ?? 'ext-1'}</identifier>
  <sender>civil-protection@example.org</sender>
  <sent>2026-03-01T10:42:00+02:00</sent>
  <status>${over.status ?? 'Actual'}</status>
  <msgType>${over.msgType ?? 'Alert'}</msgType>
  <scope>Public</scope>
  <info>
    <language>en</language>
    <category>Security</category>
    <event>Air raid alert</event>
    <responseType>Shelter</responseType>
    <urgency>Immediate</urgency>
    <severity>Extreme</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>TOCSIN</valueName><value>${over.eventCode ?? 'air_raid'}</value></eventCode>
    <headline>Air raid alert</headline>
    ${area}
  </info>
</alert>`;
}

function refusedWith(name: string, check: (e: TocsinError) => void = () => {}) {
  return (error: unknown) => {
    assert.ok(error instanceof TocsinError, `expected a TocsinError, got ${String(error)}`);
    assert.equal(error.code, name, `${error.message} ${JSON.stringify(error.details)}`);
    check(error);
    return true;
  };
}

describe('input', () => {
  let h: Harness;
  before(async () => (h = await harness()));
  after(() => h.cleanup());

  test('CAP XML and CAP JSON are issued as given (identifier, sender, sent kept)', async () => {
    const fromXml = await h.service.issue(alice, { format: 'cap-xml', text: capXml() });
    assert.equal(fromXml.alert.id, 'ext-1');
    assert.equal(fromXml.alert.cap.sender, 'civil-protection@example.org');
    assert.equal(fromXml.alert.sent, '2026-03-01T10:42:00+02:00');
    assert.deepEqual(fromXml.alert.regions, [{ code: 'UA-59', coverage: 1, whole: true }]);
    const asJson = { ...fromXml.alert.cap, identifier: 'ext-json-1' };
    const fromJson = await h.service.issue(alice, { format: 'cap-json', body: asJson });
    assert.equal(fromJson.alert.id, 'ext-json-1');
    assert.equal(fromJson.alert.event, 'air_raid');
    await assert.rejects(
      h.service.issue(alice, { format: 'cap-xml', text: capXml() }),
      refusedWith('ALERT_DUPLICATE_IDENTIFIER'),
    );
  });

  test('an all-clear given as CAP XML must reference the current alert', async () => {
    const { alert } = await h.service.issue(alice, {
      format: 'cap-xml',
      text: capXml({ identifier: 'ext-2', geocode: 'UA-63' }),
    });
    const wrong = capXml({ identifier: 'ext-2-clear', geocode: 'UA-63', msgType: 'Update' }).replace(
      '<info>',
      '<references>civil-protection@example.org,ext-1,2026-03-01T10:42:00+02:00</references><info>',
    );
    await assert.rejects(
      h.service.allClear(alice, alert.id, { format: 'cap-xml', text: wrong }),
      refusedWith('ALERT_NOT_CURRENT'),
    );
    const right = wrong.replace(',ext-1,', ',ext-2,');
    const cleared = await h.service.allClear(alice, alert.id, { format: 'cap-xml', text: right });
    assert.deepEqual(cleared.alert.cap.info[0]?.responseType, ['AllClear']);
    assert.equal(JSON.parse(h.service.stateOf('UA-63').body).active, false);
  });

  test('a CAP Update or Cancel sent to issue continues the incident it references (feeds)', async () => {
    const { alert } = await h.service.issue(alice, {
      format: 'cap-xml',
      text: capXml({ identifier: 'feed-1', geocode: 'UA-63' }),
    });
    const ref =
      '<references>civil-protection@example.org,feed-1,2026-03-01T10:42:00+02:00</references><info>';
    const update = capXml({ identifier: 'feed-2', geocode: 'UA-59', msgType: 'Update' }).replace(
      '<info>',
      ref,
    );
    const updated = await h.service.issue(alice, { format: 'cap-xml', text: update });
    assert.equal(updated.alert.incident, alert.id);
    assert.equal(updated.alert.msgType, 'Update');
    const sumy = JSON.parse(h.service.stateOf('UA-59').body) as {
      alerts: { incident: string; alert: string }[];
    };
    assert.equal(sumy.alerts.find((e) => e.incident === alert.id)?.alert, 'feed-2');
    assert.equal(JSON.parse(h.service.stateOf('UA-63').body).active, false);
    const cancel = capXml({ identifier: 'feed-3', geocode: 'UA-59', msgType: 'Cancel' }).replace(
      '<info>',
      ref.replace(',feed-1,', ',feed-2,'),
    );
    const cancelled = await h.service.issue(alice, { format: 'cap-xml', text: cancel });
    assert.equal(cancelled.alert.state, 'ended');
    assert.equal((await h.service.get(alert.id)).endReason, 'cancelled');
    const stray = capXml({ identifier: 'feed-4', msgType: 'Update' }).replace(
      '<info>',
      ref.replace(',feed-1,', ',nobody-knows,'),
    );
    await assert.rejects(
      h.service.issue(alice, { format: 'cap-xml', text: stray }),
      refusedWith('ALERT_NOT_FOUND'),
    );
  });

  test('bad CAP is refused with the validator findings, and nothing is stored', async () => {
    const before = await h.store.latestSeq();
    await assert.rejects(
      h.service.issue(alice, {
        format: 'cap-xml',
        text: '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier>',
      }),
      refusedWith('CAP_INVALID', (e) => assert.ok(e.details.length > 0 && e.details[0]?.code)),
    );
    await assert.rejects(
      h.service.issue(alice, {
        format: 'cap-xml',
        text: capXml({ identifier: 'bad-code', eventCode: 'sharks' }),
      }),
      refusedWith('CAP_INVALID', (e) =>
        assert.ok(
          e.details.some(
            (d) => d.code === 'CAP_EVENT_CODE_UNKNOWN' && d.path?.startsWith('info[0].eventCode'),
          ),
        ),
      ),
    );
    await assert.rejects(
      h.service.issue(alice, {
        format: 'cap-xml',
        text: capXml({ identifier: 'open-ring', polygon: '50.9,34.8 51.0,34.9 50.8,35.0 50.7,34.7' }),
      }),
      refusedWith('CAP_INVALID', (e) =>
        assert.ok(e.details.some((d) => d.code === 'CAP_POLYGON_NOT_CLOSED')),
      ),
    );
    await assert.rejects(
      h.service.issue(alice, {
        format: 'cap-xml',
        text: capXml({ identifier: 'drill', status: 'Exercise' }).replace(
          '<headline>Air raid alert</headline>',
          '<headline>This is not a drill</headline>',
        ),
      }),
      refusedWith('CAP_INVALID', (e) =>
        assert.ok(e.details.some((d) => d.code === 'CAP_EXERCISE_REAL_WORDING')),
      ),
    );
    await assert.rejects(
      h.service.issue(alice, { format: 'cap-json', body: [1, 2, 3] }),
      refusedWith('CAP_INVALID'),
    );
    // An Update sent as a new alert: refused, it belongs to /update, /all-clear or /cancel.
    await assert.rejects(
      h.service.issue(alice, { format: 'cap-xml', text: capXml({ identifier: 'upd', msgType: 'Update' }) }),
      refusedWith('ALERT_INPUT_INVALID'),
    );
    assert.equal(await h.store.latestSeq(), before);
    assert.equal(await h.store.getAlert('bad-code'), undefined);
  });

  test('hostile XML (entity expansion, oversized) is refused without being expanded', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&lol2;</identifier></alert>`;
    await assert.rejects(
      h.service.issue(alice, { format: 'cap-xml', text: bomb }),
      refusedWith('CAP_INVALID'),
    );
    const huge = capXml({ identifier: 'huge' }).replace(
      '<headline>',
      `<description>${'x'.repeat(1_100_000)}</description><headline>`,
    );
    await assert.rejects(
      h.service.issue(alice, { format: 'cap-xml', text: huge }),
      refusedWith('CAP_INVALID', (e) => assert.match(e.details[0]?.code ?? '', /TOO_LARGE/)),
    );
  });

  test('unknown regions are refused with the reason, in the short form and in CAP', async () => {
    const before = await h.store.latestSeq();
    await assert.rejects(
      h.service.issue(alice, airRaid(['UA-59', 'UA-99'])),
      refusedWith('ALERT_UNKNOWN_REGION', (e) =>
        assert.deepEqual(
          e.details.map((d) => d.path),
          ['regions[1]'],
        ),
      ),
    );
    await assert.rejects(
      h.service.issue(alice, {
        format: 'cap-xml',
        text: capXml({ identifier: 'nowhere', geocode: 'UA-99' }),
      }),
      refusedWith('ALERT_UNKNOWN_REGION', (e) => assert.equal(e.details[0]?.code, 'CAP_REGION_UNKNOWN')),
    );
    // The Tocsin profile wants a region geocode on every area: a bare polygon is refused up front.
    await assert.rejects(
      h.service.issue(alice, {
        format: 'cap-xml',
        text: capXml({ identifier: 'ocean', polygon: '0,0 0,1 1,1 0,0' }),
      }),
      refusedWith('CAP_INVALID', (e) => assert.ok(e.details.some((d) => d.code === 'CAP_GEOCODE_REQUIRED'))),
    );
    assert.equal(await h.store.latestSeq(), before);
  });

  test('a malformed short form is refused with every problem and its path', async () => {
    await assert.rejects(
      h.service.issue(alice, {
        format: 'short',
        body: {
          event: 'Air Raid!',
          regions: 'UA-59',
          status: 'Draft',
          headline: { 'not a tag': 'x', en: '' },
          expiresInMinutes: -5,
          colour: 'red',
        },
      }),
      refusedWith('ALERT_INPUT_INVALID', (e) => {
        const paths = e.details.map((d) => d.path).sort();
        assert.deepEqual(paths, [
          'colour',
          'event',
          'expiresInMinutes',
          'headline.en',
          'headline.not a tag',
          'regions',
          'status',
        ]);
      }),
    );
    await assert.rejects(
      h.service.issue(alice, { format: 'short', body: null }),
      refusedWith('ALERT_INPUT_INVALID'),
    );
    await assert.rejects(
      h.service.issue(alice, { format: 'short', body: { event: 'sharks', regions: ['UA-59'] } }),
      refusedWith('ALERT_UNKNOWN_EVENT'),
    );
    await assert.rejects(
      h.service.issue(alice, {
        format: 'short',
        body: { event: 'air_raid', regions: Array.from({ length: 1001 }, () => 'UA-59') },
      }),
      refusedWith('ALERT_INPUT_INVALID'),
    );
    await assert.rejects(
      h.service.issue(alice, { format: 'yaml', body: {} } as never),
      refusedWith('ALERT_INPUT_INVALID'),
    );
    await assert.rejects(
      h.service.issue(alice, airRaid(['UA-59'], { expires: '2026-03-01 12:00' })),
      refusedWith('ALERT_INPUT_INVALID'),
    );
  });

  test('query parameters are checked', async () => {
    await assert.rejects(h.service.list({ cursor: 'garbage' }), refusedWith('QUERY_INVALID'));
    await assert.rejects(h.service.list({ limit: 0 }), refusedWith('QUERY_INVALID'));
    await assert.rejects(h.service.list({ from: 'yesterday' }), refusedWith('QUERY_INVALID'));
    await assert.rejects(h.service.list({ region: 'UA-99' }), refusedWith('REGION_NOT_FOUND'));
    await assert.rejects(
      h.service.stats({ from: '2026-03-02T00:00:00Z', to: '2026-03-01T00:00:00Z' }),
      refusedWith('QUERY_INVALID'),
    );
    assert.throws(() => h.service.stateOf('UA-99'), refusedWith('REGION_NOT_FOUND'));
  });
});
