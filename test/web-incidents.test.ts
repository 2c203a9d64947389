// The public map's live picture (web/src/shared/incidents.ts): snapshot → incidents, events
// applied in order, and what each region shows (whole or part, real before exercise).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyMessage, fromSnapshot, type Incidents, statusOf } from '../web/src/shared/incidents.ts';

const PARENTS: Record<string, string | null> = {
  UA: null,
  'UA-59': 'UA',
  'UA-63': 'UA',
  'UA-59-R1': 'UA-59',
};
const parentOf = (code: string) => PARENTS[code] ?? null;

const alert = (incident: string, event: string, regions: string[], status = 'Actual') => ({
  id: `${incident}-a`,
  incident,
  event,
  status,
  sent: '2026-11-26T10:42:00+02:00',
  since: '2026-11-26T10:42:00+02:00',
  regions: regions.map((code) => ({ code })),
});

test('a snapshot groups region entries by incident, keeping the regions the alert was placed on', () => {
  const entry = (incident: string, event: string, region: string) => ({
    incident,
    alert: `${incident}-a`,
    event,
    status: 'Actual',
    since: '2026-11-26T10:42:00+02:00',
    region,
  });
  const incidents = fromSnapshot({
    'UA-59': [entry('i1', 'air_raid', 'UA-59'), entry('i2', 'drone', 'UA')],
    'UA-63': [entry('i2', 'drone', 'UA')],
  });
  assert.deepEqual([...incidents.keys()].sort(), ['i1', 'i2']);
  assert.deepEqual(incidents.get('i2')?.regions, ['UA']);
  assert.deepEqual(incidents.get('i1')?.regions, ['UA-59']);
});

test('issued, updated and ended events change the picture; heartbeats do not', () => {
  const incidents: Incidents = new Map();
  assert.equal(
    applyMessage(incidents, { type: 'alert.issued', seq: 1, alert: alert('i1', 'air_raid', ['UA-59']) }),
    true,
  );
  assert.equal(statusOf('UA-59', incidents, parentOf).top?.event, 'air_raid');
  applyMessage(incidents, { type: 'alert.updated', seq: 2, alert: alert('i1', 'air_raid', ['UA-63']) });
  assert.equal(statusOf('UA-59', incidents, parentOf).top, undefined, 'an update can move the alert');
  assert.equal(statusOf('UA-63', incidents, parentOf).top?.id, 'i1');
  assert.equal(applyMessage(incidents, { type: 'heartbeat', seq: 3 }), false);
  assert.equal(
    applyMessage(incidents, { type: 'alert.ended', seq: 4, alert: alert('i1', 'air_raid', ['UA-63']) }),
    true,
  );
  assert.equal(incidents.size, 0);
  applyMessage(incidents, { type: 'alert.issued', seq: 5, alert: alert('i2', 'drone', ['UA']) });
  applyMessage(incidents, { type: 'reset', seq: 9, regions: {} });
  assert.equal(incidents.size, 0, 'a reset replaces everything');
});

test('a region shows alerts on itself and its ancestors whole, below it in part; real before exercise', () => {
  const incidents: Incidents = new Map();
  applyMessage(incidents, {
    type: 'alert.issued',
    seq: 1,
    alert: alert('ex', 'missile', ['UA'], 'Exercise'),
  });
  let s = statusOf('UA-59', incidents, parentOf);
  assert.equal(s.top?.id, 'ex');
  assert.equal(s.partial, false, 'a country-wide alert covers the oblast whole');
  applyMessage(incidents, { type: 'alert.issued', seq: 2, alert: alert('part', 'artillery', ['UA-59-R1']) });
  s = statusOf('UA-59', incidents, parentOf);
  assert.equal(s.top?.id, 'part', 'a real alert in part of the region outranks an exercise');
  assert.equal(s.partial, true);
  assert.equal(s.all.length, 2);
  applyMessage(incidents, { type: 'alert.issued', seq: 3, alert: alert('whole', 'drone', ['UA-59']) });
  s = statusOf('UA-59', incidents, parentOf);
  assert.equal(s.top?.id, 'whole', 'whole before part');
  assert.equal(statusOf('UA-63', incidents, parentOf).top?.id, 'ex');
});
