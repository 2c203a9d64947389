import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { capAlert } from '../../test/helpers/cap-arbitrary.ts';
import { validateWithXsd } from '../../test/helpers/xmllint.ts';
import type { Alert } from './types.ts';
import { parseCapXml, serializeCapXml } from './xml.ts';
import { formatDecimal } from './xml-decimal.ts';
import { CapSerializeError, escapeXmlText } from './xml-serialize.ts';

const SPEC_DIR = new URL('../../test/fixtures/cap/spec/', import.meta.url);
const SPEC_FILES = readdirSync(SPEC_DIR).filter((f) => f.endsWith('.xml'));

function parsed(xml: string): Alert {
  const r = parseCapXml(xml);
  if (!r.ok) assert.fail(`unexpected errors: ${JSON.stringify(r.errors, null, 2)}`);
  return r.alert;
}

const minimal: Alert = {
  identifier: 'UA-1',
  sender: 'tocsin@example.org',
  sent: '2026-11-26T10:42:00+02:00',
  status: 'Actual',
  msgType: 'Alert',
  scope: 'Public',
  code: [],
  info: [],
};

describe('formatDecimal', () => {
  test('writes exponents out and keeps the shortest round-trip digits', () => {
    assert.equal(formatDecimal(1e-7), '0.0000001');
    assert.equal(formatDecimal(-1.5e-7), '-0.00000015');
    assert.equal(formatDecimal(1.2345e21), '1234500000000000000000');
    assert.equal(formatDecimal(0.1 + 0.2), '0.30000000000000004');
    assert.equal(formatDecimal(50.4501), '50.4501');
    assert.equal(formatDecimal(-0), '-0');
    assert.equal(formatDecimal(42), '42');
  });

  test('reads back as the same double for any number with at most 24 digits', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e15, max: 1e15 }), (n) => {
        let text: string;
        try {
          text = formatDecimal(n);
        } catch (err) {
          // Only numbers like 5e-324 are too precise for a schema validator; they are refused.
          assert.ok(err instanceof CapSerializeError && err.code === 'CAP_NUMBER_TOO_PRECISE');
          return;
        }
        assert.match(text, /^-?\d+(\.\d+)?$/);
        assert.ok(Object.is(Number(text), n));
      }),
      { numRuns: 2000 },
    );
  });

  test('NaN and infinities are refused with a code', () => {
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => formatDecimal(n, 'info[0].area[0].altitude'), {
        code: 'CAP_NUMBER_NOT_FINITE',
        path: 'info[0].area[0].altitude',
      });
    }
  });
});

describe('serializeCapXml', () => {
  test('escapes markup characters and CR; leaves quotes alone in text', () => {
    assert.equal(escapeXmlText('a & b < c > d "e" \'f\''), 'a &amp; b &lt; c &gt; d "e" \'f\'');
    assert.equal(escapeXmlText(']]>'), ']]&gt;');
    assert.equal(escapeXmlText('line\r\nnext'), 'line&#13;\nnext');
  });

  test('a control character the XML cannot carry is a CapSerializeError naming the path', () => {
    const alert: Alert = { ...minimal, note: 'bell \u0007' };
    assert.throws(() => serializeCapXml(alert), { code: 'CAP_XML_INVALID_CHARACTER', path: 'note' });
  });

  test('writes elements in schema order whatever the order of the object keys', () => {
    const scrambled = {
      info: [],
      code: ['b', 'a'],
      note: 'n',
      scope: 'Public',
      source: 's',
      msgType: 'Alert',
      status: 'Test',
      sent: '2026-11-26T10:42:00+02:00',
      sender: 'x',
      identifier: 'id',
    } as const satisfies Alert;
    const xml = serializeCapXml({ ...scrambled, code: [...scrambled.code], info: [] });
    const names = [...xml.matchAll(/<(\w+)>/g)].map((m) => m[1]);
    assert.deepEqual(names, [
      'identifier',
      'sender',
      'sent',
      'status',
      'msgType',
      'source',
      'scope',
      'code',
      'code',
      'note',
    ]);
  });

  test('the same alert always gives the same bytes', () => {
    const a = parsed(readFileSync(new URL('a2-severe-thunderstorm.xml', SPEC_DIR), 'utf8'));
    const b = structuredClone(a);
    assert.equal(serializeCapXml(a), serializeCapXml(b));
  });

  test('every Appendix A example re-serialised parses back equal and validates against the OASIS XSD', async () => {
    const docs: string[] = [];
    for (const file of SPEC_FILES) {
      const alert = parsed(readFileSync(new URL(file, SPEC_DIR), 'utf8'));
      const xml = serializeCapXml(alert);
      assert.deepEqual(parsed(xml), alert, file);
      docs.push(xml);
    }
    const results = await validateWithXsd(docs);
    results.forEach((r, i) => {
      assert.ok(r.valid, `${SPEC_FILES[i]}: ${r.messages.join('\n')}`);
    });
  });

  test('the XSD check itself catches an invalid document (the helper is not a no-op)', async () => {
    const xml = serializeCapXml(minimal).replace('<status>Actual</status>', '<status>Real</status>');
    const [result] = await validateWithXsd([xml]);
    assert.equal(result?.valid, false);
    assert.match(result?.messages.join('\n') ?? '', /enumeration/);
  });
});

describe('serializeCapXml / parseCapXml properties', () => {
  test('parseCapXml(serializeCapXml(a)) deep-equals a for generated valid alerts', () => {
    fc.assert(
      fc.property(capAlert, (alert) => {
        assert.deepEqual(parsed(serializeCapXml(alert)), alert);
      }),
      { numRuns: 300 },
    );
  });

  test('serialised generated alerts are valid against the OASIS XSD (one xmllint run per batch)', async () => {
    const alerts = fc.sample(capAlert, { numRuns: 200, seed: 20261126 });
    const docs = alerts.map(serializeCapXml);
    const results = await validateWithXsd(docs);
    const invalid = results.flatMap((r, i) => (r.valid ? [] : [`${docs[i]}\n${r.messages.join('\n')}`]));
    assert.deepEqual(invalid.slice(0, 1), []);
  });
});
