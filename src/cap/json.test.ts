import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { capAlert } from '../../test/helpers/cap-arbitrary.ts';
import { parseCapJson, serializeCapJson, toCapJson } from './json.ts';
import type { Alert, Finding } from './types.ts';
import type { CapParseResult } from './xml.ts';
import { parseCapXml } from './xml.ts';

const SPEC_DIR = new URL('../../test/fixtures/cap/spec/', import.meta.url);

function fromXml(file: string): Alert {
  const r = parseCapXml(readFileSync(new URL(file, SPEC_DIR)));
  if (!r.ok) assert.fail(JSON.stringify(r.errors));
  return r.alert;
}

function ok(r: CapParseResult): Alert {
  if (!r.ok) assert.fail(`unexpected errors: ${JSON.stringify(r.errors, null, 2)}`);
  return r.alert;
}

function errors(r: CapParseResult): Finding[] {
  assert.equal(r.ok, false);
  return r.ok ? [] : r.errors;
}

const base = {
  identifier: 'UA-1',
  sender: 'tocsin@example.org',
  sent: '2026-11-26T10:42:00+02:00',
  status: 'Actual',
  msgType: 'Alert',
  scope: 'Public',
};

describe('CAP JSON', () => {
  test('mirrors the XML: element names, arrays for repeatable elements, CAP strings for shapes', () => {
    const json = toCapJson(fromXml('a2-severe-thunderstorm.xml'));
    const info = (json.info as Record<string, unknown>[])[0] as Record<string, unknown>;
    const area = (info.area as Record<string, unknown>[])[0] as Record<string, unknown>;
    assert.deepEqual(info.category, ['Met']);
    assert.deepEqual(info.eventCode, [{ valueName: 'SAME', value: 'SVR' }]);
    assert.deepEqual(area.polygon, ['38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14']);
    assert.equal('circle' in area, false, 'empty repeatable elements are left out');
    assert.equal('code' in json, false);
    const circle = toCapJson(fromXml('a3-earthquake.xml'));
    const a3Info = (circle.info as Record<string, unknown>[])[0] as Record<string, unknown>;
    const a3 = (a3Info.area as Record<string, unknown>[])[0];
    assert.deepEqual(a3?.circle, ['32.9525,-115.5527 0']);
  });

  test('every Appendix A example survives XML → JSON text → model unchanged', () => {
    for (const file of readdirSync(SPEC_DIR).filter((f) => f.endsWith('.xml'))) {
      const alert = fromXml(file);
      assert.deepEqual(ok(parseCapJson(serializeCapJson(alert))), alert, file);
    }
  });

  test('parseCapJson(serializeCapJson(a)) deep-equals a for generated valid alerts; objects too', () => {
    fc.assert(
      fc.property(capAlert, (alert) => {
        const text = serializeCapJson(alert);
        assert.deepEqual(ok(parseCapJson(text)), alert);
        assert.deepEqual(ok(parseCapJson(JSON.parse(text))), alert);
        assert.equal(serializeCapJson(structuredClone(alert)), text);
      }),
      { numRuns: 300 },
    );
  });

  test('size, altitude and ceiling are JSON numbers', () => {
    const alert = ok(
      parseCapJson({
        ...base,
        info: [
          {
            category: ['Infra'],
            event: 'Power outage',
            urgency: 'Expected',
            severity: 'Moderate',
            certainty: 'Likely',
            resource: [{ resourceDesc: 'map', mimeType: 'image/png', size: 2048 }],
            area: [{ areaDesc: 'Kyiv', circle: ['50.45,30.52 12.5'], altitude: 0, ceiling: 1500.5 }],
          },
        ],
      }),
    );
    assert.equal(alert.info[0]?.resource[0]?.size, 2048);
    assert.deepEqual(alert.info[0]?.area[0], {
      areaDesc: 'Kyiv',
      polygon: [],
      circle: [{ lat: 50.45, lon: 30.52, radiusKm: 12.5 }],
      geocode: [],
      altitude: 0,
      ceiling: 1500.5,
    });
  });

  test('unknown fields are refused with their path, at every level', () => {
    const r = parseCapJson({
      ...base,
      priority: 'high',
      info: [
        {
          category: ['Met'],
          event: 'x',
          urgency: 'Past',
          severity: 'Minor',
          certainty: 'Observed',
          colour: 'red',
          area: [{ areaDesc: 'a', radius: 3 }],
        },
      ],
    });
    assert.deepEqual(
      errors(r).map((e) => [e.code, e.path]),
      [
        ['CAP_JSON_UNKNOWN_FIELD', 'priority'],
        ['CAP_JSON_UNKNOWN_FIELD', 'info[0].colour'],
        ['CAP_JSON_UNKNOWN_FIELD', 'info[0].area[0].radius'],
      ],
    );
  });

  test('"__proto__" and other inherited names are unknown fields, not prototype changes', () => {
    const r = parseCapJson(`{"identifier":"x","__proto__":{"polluted":true},"constructor":1}`);
    assert.deepEqual(
      errors(r)
        .filter((e) => e.code === 'CAP_JSON_UNKNOWN_FIELD')
        .map((e) => e.path),
      ['__proto__', 'constructor'],
    );
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('wrong types are refused with their path', () => {
    const r = parseCapJson({
      ...base,
      identifier: 42,
      code: 'not-an-array',
      info: [
        {
          category: 'Met',
          event: 'x',
          urgency: 'Past',
          severity: 'Minor',
          certainty: 'Observed',
          resource: [{ resourceDesc: 'r', mimeType: 'a/b', size: '12' }],
          area: ['Kyiv'],
        },
      ],
    });
    assert.deepEqual(
      errors(r).map((e) => [e.code, e.path]),
      [
        ['CAP_JSON_WRONG_TYPE', 'identifier'],
        ['CAP_JSON_WRONG_TYPE', 'code'],
        ['CAP_JSON_WRONG_TYPE', 'info[0].category'],
        ['CAP_JSON_WRONG_TYPE', 'info[0].resource[0].size'],
        ['CAP_JSON_WRONG_TYPE', 'info[0].area[0]'],
      ],
    );
    assert.match(errors(parseCapJson([base]))[0]?.message ?? '', /must be an object, not array/);
    assert.equal(errors(parseCapJson(null))[0]?.code, 'CAP_JSON_WRONG_TYPE');
  });

  test('the same value rules as XML: missing elements, enumerations, shapes, numbers', () => {
    const r = parseCapJson({
      ...base,
      status: 'Real',
      info: [
        {
          category: ['Met', 'Weather'],
          urgency: 'Past',
          severity: 'Minor',
          certainty: 'Very Likely',
          resource: [{ resourceDesc: 'r', mimeType: 'a/b', size: 1.5 }],
          area: [{ areaDesc: 'a', polygon: ['1,2 3'], circle: ['1,2'], altitude: Number.MAX_VALUE }],
        },
      ],
    });
    assert.deepEqual(
      errors(r).map((e) => [e.code, e.path]),
      [
        ['CAP_INVALID_ENUM', 'status'],
        ['CAP_INVALID_ENUM', 'info[0].category[1]'],
        ['CAP_MISSING_ELEMENT', 'info[0].event'],
        ['CAP_INVALID_ENUM', 'info[0].certainty'],
        ['CAP_NUMBER_SYNTAX', 'info[0].resource[0].size'],
        ['CAP_POLYGON_SYNTAX', 'info[0].area[0].polygon[0]'],
        ['CAP_CIRCLE_SYNTAX', 'info[0].area[0].circle[0]'],
        ['CAP_NUMBER_SYNTAX', 'info[0].area[0].altitude'],
      ],
    );
  });

  test('text XML cannot carry is refused, so every JSON alert can be written as XML', () => {
    const r = parseCapJson({ ...base, note: 'bell \u0007', info: [] });
    assert.deepEqual(
      errors(r).map((e) => [e.code, e.path]),
      [['CAP_INVALID_CHARACTER', 'note']],
    );
  });

  test('malformed and oversized JSON text end in a clear error', () => {
    const bad = errors(parseCapJson('{"identifier": "x",'))[0];
    assert.equal(bad?.code, 'CAP_JSON_MALFORMED');
    assert.match(bad?.message ?? '', /JSON/);
    const big = JSON.stringify({ ...base, note: 'x'.repeat(50 * 1024 * 1024) });
    assert.equal(errors(parseCapJson(big))[0]?.code, 'CAP_JSON_TOO_LARGE');
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    assert.equal(errors(parseCapJson(deep))[0]?.code, 'CAP_JSON_WRONG_TYPE');
  });
});
