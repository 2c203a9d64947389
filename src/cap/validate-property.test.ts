// Property: alerts that satisfy CAP 1.2's cross-field rules produce no errors, whatever their text,
// dates, polygons and circles. The shared generator (test/helpers/cap-arbitrary.ts) makes alerts
// that are valid against the schema; `semanticallyValid` then applies the rules the schema cannot
// express (scope ↔ restriction/addresses, references earlier than sent, expires after sent and
// effective, non-blank event/areaDesc/resourceDesc), leaving every other rule to be checked on random input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { capAlert } from '../../test/helpers/cap-arbitrary.ts';
import type { Alert, Info } from './types.ts';
import { PROFILES, validateCap } from './validate.ts';
import { capDateMs } from './validate-dates.ts';

const HOUR_MS = 3_600_000;
const capDate = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}-00:00`;

function semanticallyValid(generated: Alert): Alert {
  const alert: Alert = { ...generated };
  const sentMs = capDateMs(alert.sent);
  if (alert.scope === 'Restricted') alert.restriction = 'civil protection staff';
  else delete alert.restriction;
  if (alert.scope === 'Private') alert.addresses = 'ops@example.org';
  const refs = (alert.references ?? '')
    .trim()
    .split(/\s+/)
    .filter((r) => r !== '');
  if (refs.length === 0 && alert.msgType !== 'Alert') refs.push('earlier@example.org,x,_');
  if (refs.length > 0) {
    alert.references = refs
      .map((r, i) => `${r.split(',')[0] || 'someone'},earlier-${i},${capDate(sentMs - (i + 1) * HOUR_MS)}`)
      .join(' ');
  } else delete alert.references;
  alert.info = alert.info.map((original): Info => {
    const info = { ...original };
    if (info.event.trim() === '') info.event = 'Event';
    info.area = info.area.map((a) => (a.areaDesc.trim() === '' ? { ...a, areaDesc: 'Area' } : a));
    info.resource = info.resource.map((r) =>
      r.resourceDesc.trim() === '' ? { ...r, resourceDesc: 'Map' } : r,
    );
    if (info.expires !== undefined) {
      const effective = info.effective === undefined ? Number.NaN : capDateMs(info.effective);
      const floor = Math.max(sentMs, Number.isNaN(effective) ? sentMs : effective);
      if (capDateMs(info.expires) <= floor) info.expires = capDate(floor + HOUR_MS);
    }
    return info;
  });
  return alert;
}

test('semantically valid generated alerts produce no errors', () => {
  fc.assert(
    fc.property(capAlert.map(semanticallyValid), (alert) => {
      const errors = validateCap(alert).filter((f) => f.severity === 'error');
      assert.deepEqual(errors, []);
    }),
    { numRuns: 500 },
  );
});

test('validation never throws and always returns findings from the catalogue, even on raw generated alerts', () => {
  fc.assert(
    fc.property(capAlert, fc.constantFrom(...Object.values(PROFILES)), (alert, profile) => {
      for (const f of validateCap(alert, { profile, now: new Date(0) })) {
        assert.match(f.code, /^CAP_[A-Z0-9_]+$/);
        assert.ok(f.message.length > 0 && !/\{\w+\}/.test(f.message), f.message);
      }
    }),
    { numRuns: 300 },
  );
});
