import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Finding } from './types.ts';
import type { CapParseResult } from './xml.ts';
import { DEFAULT_CAP_XML_LIMITS, parseCapXml } from './xml.ts';

const SPEC_DIR = new URL('../../test/fixtures/cap/spec/', import.meta.url);
const spec = (name: string): string => readFileSync(new URL(name, SPEC_DIR), 'utf8');
const SPEC_FILES = readdirSync(SPEC_DIR).filter((f) => f.endsWith('.xml'));

const NS = 'urn:oasis:names:tc:emergency:cap:1.2';

/** A small valid CAP 1.2 alert; `infoBody` replaces the content of its one info. */
function alertXml(opts: { ns?: string; head?: string; infoBody?: string; tail?: string } = {}): string {
  const info =
    opts.infoBody ??
    `<category>Security</category><event>Air raid</event><urgency>Immediate</urgency>
    <severity>Extreme</severity><certainty>Likely</certainty>
    <area><areaDesc>Sumy oblast</areaDesc><polygon>50.1,33.1 50.2,35.0 51.5,34.2 50.1,33.1</polygon></area>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="${opts.ns ?? NS}">
  <identifier>UA-1</identifier><sender>tocsin@example.org</sender>
  <sent>2026-11-26T10:42:00+02:00</sent><status>Actual</status><msgType>Alert</msgType>
  <scope>Public</scope>${opts.head ?? ''}
  <info>${info}</info>${opts.tail ?? ''}
</alert>`;
}

function errorsOf(r: CapParseResult): Finding[] {
  assert.equal(r.ok, false, 'expected the parse to fail');
  return r.ok ? [] : r.errors;
}

function firstError(r: CapParseResult): Finding {
  const e = errorsOf(r)[0];
  assert.ok(e !== undefined);
  return e;
}

function ok(r: CapParseResult): Extract<CapParseResult, { ok: true }> {
  if (!r.ok) assert.fail(`unexpected errors: ${JSON.stringify(r.errors, null, 2)}`);
  return r;
}

describe('parseCapXml: the CAP 1.2 Appendix A examples', () => {
  for (const file of SPEC_FILES) {
    test(`${file} parses as CAP 1.2 without findings`, () => {
      const r = ok(parseCapXml(readFileSync(new URL(file, SPEC_DIR))));
      assert.equal(r.version, '1.2');
      assert.deepEqual(r.warnings, []);
      assert.ok(r.alert.info.length > 0);
    });
  }

  test('A.1 keeps free text exactly as written, leading space and line breaks included', () => {
    const { alert } = ok(parseCapXml(spec('a1-homeland-security.xml')));
    const info = alert.info[0];
    assert.ok(info !== undefined);
    assert.equal(alert.identifier, '43b080713727');
    assert.ok(info.instruction?.startsWith(' A High Condition is declared'));
    assert.match(info.description ?? '', /Advisory\n {12}System threat level/);
    assert.deepEqual(info.parameter, [{ valueName: 'HSAS', value: 'ORANGE' }]);
    assert.deepEqual(info.resource, [
      {
        resourceDesc: 'Image file (GIF)',
        mimeType: 'image/gif',
        uri: 'http://www.dhs.gov/dhspublic/getAdvisoryImage',
      },
    ]);
  });

  test('A.2 polygon becomes numbers, latitude first; geocodes in order', () => {
    const { alert, positions } = ok(parseCapXml(spec('a2-severe-thunderstorm.xml')));
    const area = alert.info[0]?.area[0];
    assert.deepEqual(area?.polygon, [
      [
        [38.47, -120.14],
        [38.34, -119.95],
        [38.52, -119.74],
        [38.62, -119.89],
        [38.47, -120.14],
      ],
    ]);
    assert.deepEqual(
      area?.geocode.map((g) => g.value),
      ['006109', '006009', '006003'],
    );
    assert.deepEqual(positions.get('info[0].area[0].polygon[0]'), { line: 32, column: 13 });
    assert.deepEqual(positions.get('info[0].area[0].geocode[2].value'), { line: 43, column: 17 });
  });

  test('A.3 circle becomes numbers and references are kept as written', () => {
    const { alert } = ok(parseCapXml(spec('a3-earthquake.xml')));
    assert.equal(alert.msgType, 'Update');
    assert.equal(alert.references, 'trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00');
    assert.deepEqual(alert.info[0]?.area[0]?.circle, [{ lat: 32.9525, lon: -115.5527, radiusKm: 0 }]);
  });

  test('A.4 has two info blocks in two languages, non-ASCII text intact', () => {
    const { alert } = ok(parseCapXml(spec('a4-amber-alert.xml')));
    assert.deepEqual(
      alert.info.map((i) => i.language),
      ['en-US', 'es-US'],
    );
    assert.equal(alert.info[1]?.event, 'Abducción de Niño');
    assert.equal(alert.source, 'SW');
  });
});

describe('parseCapXml: structure and values', () => {
  test('a minimal alert parses; repeatable elements absent are empty arrays', () => {
    const { alert } = ok(parseCapXml(alertXml()));
    assert.deepEqual(alert.code, []);
    assert.deepEqual(alert.info[0]?.responseType, []);
    assert.deepEqual(alert.info[0]?.area[0]?.circle, []);
    assert.equal('source' in alert, false);
  });

  test('enumerations, dates, numbers and URIs are trimmed; strings are not', () => {
    const xml = alertXml({
      infoBody: `<category> Security </category><event> Air raid </event>
        <urgency>
          Immediate
        </urgency><severity>Extreme</severity><certainty>Likely</certainty>
        <expires> 2026-11-26T12:00:00+02:00 </expires><web> https://alerts.example/ </web>
        <area><areaDesc> Sumy </areaDesc><altitude> 100.5 </altitude></area>`,
    });
    const info = ok(parseCapXml(xml)).alert.info[0];
    assert.deepEqual(info?.category, ['Security']);
    assert.equal(info?.urgency, 'Immediate');
    assert.equal(info?.expires, '2026-11-26T12:00:00+02:00');
    assert.equal(info?.web, 'https://alerts.example/');
    assert.equal(info?.event, ' Air raid ');
    assert.equal(info?.area[0]?.areaDesc, ' Sumy ');
    assert.equal(info?.area[0]?.altitude, 100.5);
  });

  test('character references, predefined entities and CDATA are text', () => {
    const xml = alertXml({
      head: '<note>a &amp; b &lt;c&gt; &#1049;&#x438; <![CDATA[<raw> & ]]>&#13;</note>',
    });
    assert.equal(ok(parseCapXml(xml)).alert.note, 'a & b <c> Йи <raw> & \r');
  });

  test('an enveloped ds:Signature after the last info is accepted and left out of the model', () => {
    const sig = `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>
      <ds:Reference URI=""><ds:DigestValue>abc</ds:DigestValue></ds:Reference></ds:SignedInfo>
      <ds:SignatureValue>xyz</ds:SignatureValue></ds:Signature>`;
    const plain = ok(parseCapXml(alertXml())).alert;
    assert.deepEqual(ok(parseCapXml(alertXml({ tail: sig }))).alert, plain);
  });

  test('a CAP element after the signature is refused', () => {
    const sig = '<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/>';
    const e = firstError(parseCapXml(alertXml({ tail: `${sig}<info/>` })));
    assert.equal(e.code, 'CAP_XML_ELEMENT_ORDER');
  });

  test('a missing required element is CAP_MISSING_ELEMENT with its path and the parent position', () => {
    const xml = alertXml({
      infoBody:
        '<category>Met</category><urgency>Past</urgency><severity>Minor</severity><certainty>Observed</certainty>',
    });
    const e = firstError(parseCapXml(xml));
    assert.equal(e.code, 'CAP_MISSING_ELEMENT');
    assert.equal(e.path, 'info[0].event');
    assert.match(e.message, /<event>/);
    assert.equal(e.line, 6);
  });

  test('every missing header element is reported, not only the first', () => {
    const r = parseCapXml(`<alert xmlns="${NS}"><identifier>x</identifier></alert>`);
    const codes = errorsOf(r).map((e) => e.path);
    assert.deepEqual(codes, ['sender', 'sent', 'status', 'msgType', 'scope']);
  });

  test('a value outside an enumeration is CAP_INVALID_ENUM at the element', () => {
    const xml = alertXml().replace('<status>Actual</status>', '<status>Real</status>');
    const e = firstError(parseCapXml(xml));
    assert.equal(e.code, 'CAP_INVALID_ENUM');
    assert.equal(e.path, 'status');
    assert.deepEqual([e.line, e.column], [4, 41]);
    assert.match(e.message, /"Real" is not one of Actual, Exercise, System, Test, Draft/);
  });

  test('CAP 1.0 "Very Likely" is an error in a CAP 1.2 message', () => {
    const xml = alertXml().replace('<certainty>Likely</certainty>', '<certainty>Very Likely</certainty>');
    assert.equal(firstError(parseCapXml(xml)).code, 'CAP_INVALID_ENUM');
  });

  test('an unknown element in the CAP namespace is CAP_XML_UNKNOWN_ELEMENT with position', () => {
    const xml = alertXml({ head: '\n  <priority>high</priority>' });
    const e = firstError(parseCapXml(xml));
    assert.equal(e.code, 'CAP_XML_UNKNOWN_ELEMENT');
    assert.deepEqual([e.line, e.column], [6, 3]);
    assert.match(e.message, /<priority>/);
  });

  test('elements out of the schema order are CAP_XML_ELEMENT_ORDER', () => {
    const xml = alertXml().replace(
      '<status>Actual</status><msgType>Alert</msgType>',
      '<msgType>Alert</msgType><status>Actual</status>',
    );
    const e = firstError(parseCapXml(xml));
    assert.equal(e.code, 'CAP_XML_ELEMENT_ORDER');
    assert.equal(e.path, 'status');
  });

  test('a single element given twice is refused', () => {
    const xml = alertXml({ head: '<note>a</note><note>b</note>' });
    assert.equal(firstError(parseCapXml(xml)).code, 'CAP_XML_ELEMENT_ORDER');
  });

  test('a child element in no namespace is CAP_XML_WRONG_NAMESPACE', () => {
    const xml = alertXml({ head: '<note xmlns="">x</note>' });
    assert.equal(firstError(parseCapXml(xml)).code, 'CAP_XML_WRONG_NAMESPACE');
  });

  test('a root without the CAP namespace, or another root, is CAP_XML_WRONG_NAMESPACE', () => {
    for (const xml of [
      alertXml().replace(` xmlns="${NS}"`, ''),
      alertXml({ ns: 'urn:oasis:names:tc:emergency:cap:1.3' }),
      `<feed xmlns="http://www.w3.org/2005/Atom"/>`,
    ]) {
      const e = firstError(parseCapXml(xml));
      assert.equal(e.code, 'CAP_XML_WRONG_NAMESPACE');
      assert.ok(e.line !== undefined && e.column !== undefined);
    }
  });

  test('text directly inside a complex element is refused', () => {
    const xml = alertXml({ head: 'stray words' });
    assert.equal(firstError(parseCapXml(xml)).code, 'CAP_XML_UNEXPECTED_TEXT');
  });

  test('an element inside a simple element is refused', () => {
    const xml = alertXml({ head: '<note><b>bold</b></note>' });
    assert.equal(firstError(parseCapXml(xml)).code, 'CAP_XML_UNKNOWN_ELEMENT');
  });

  test('attributes other than namespace declarations and xsi:* are refused', () => {
    assert.ok(
      parseCapXml(
        alertXml().replace(
          '<alert ',
          '<alert xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="x y" ',
        ),
      ).ok,
    );
    const e = firstError(parseCapXml(alertXml({ head: '<note lang="en">x</note>' })));
    assert.equal(e.code, 'CAP_XML_UNEXPECTED_ATTRIBUTE');
  });

  test('malformed XML is CAP_XML_MALFORMED with line and column', () => {
    const e = firstError(parseCapXml(`<alert xmlns="${NS}">\n  <identifier>x</sender>\n</alert>`));
    assert.equal(e.code, 'CAP_XML_MALFORMED');
    assert.equal(e.line, 2);
    assert.ok((e.column ?? 0) > 0);
  });

  test('empty and whitespace-only documents are CAP_XML_MALFORMED', () => {
    assert.equal(firstError(parseCapXml('')).code, 'CAP_XML_MALFORMED');
    assert.equal(firstError(parseCapXml('  \n')).code, 'CAP_XML_MALFORMED');
  });
});

describe('parseCapXml: polygons, circles and numbers', () => {
  const inArea = (areaBody: string): string =>
    alertXml({
      infoBody: `<category>Geo</category><event>x</event><urgency>Past</urgency><severity>Minor</severity>
<certainty>Observed</certainty><area><areaDesc>a</areaDesc>${areaBody}</area>`,
    });

  test('polygon tokens split on any XML whitespace', () => {
    const r = ok(parseCapXml(inArea('<polygon>\n 1,2\t3,4\r\n  5,6   1,2 </polygon>')));
    assert.deepEqual(r.alert.info[0]?.area[0]?.polygon[0], [
      [1, 2],
      [3, 4],
      [5, 6],
      [1, 2],
    ]);
  });

  for (const bad of [
    '1,2 3;4 1,2',
    '1,2 3,4,5 1,2',
    '1 2 3 4',
    '1,2 0x10,4 1,2',
    '1,2 1e3,4 1,2',
    'NaN,1 1,1',
  ]) {
    test(`polygon "${bad}" is CAP_POLYGON_SYNTAX with the polygon's position`, () => {
      const e = firstError(parseCapXml(inArea(`\n<polygon>${bad}</polygon>`)));
      assert.equal(e.code, 'CAP_POLYGON_SYNTAX');
      assert.equal(e.path, 'info[0].area[0].polygon[0]');
      assert.deepEqual([e.line, e.column], [8, 1]);
    });
  }

  test('an empty polygon, as some real feeds send, is dropped with a warning', () => {
    const r = ok(parseCapXml(inArea('<polygon> </polygon><polygon>1,2 3,4 5,6 1,2</polygon>')));
    assert.equal(r.alert.info[0]?.area[0]?.polygon.length, 1);
    assert.deepEqual(
      r.warnings.map((w) => [w.code, w.path]),
      [['CAP_POLYGON_EMPTY', 'info[0].area[0].polygon[0]']],
    );
  });

  for (const bad of ['1,2', '1,2 3 4', '1;2 3', '1,2 -', 'a,b 1']) {
    test(`circle "${bad}" is CAP_CIRCLE_SYNTAX`, () => {
      const e = firstError(parseCapXml(inArea(`<circle>${bad}</circle>`)));
      assert.equal(e.code, 'CAP_CIRCLE_SYNTAX');
      assert.equal(e.path, 'info[0].area[0].circle[0]');
    });
  }

  test('altitude and ceiling must be decimals, size an integer', () => {
    for (const [body, path] of [
      ['<altitude>high</altitude>', 'info[0].area[0].altitude'],
      ['<altitude>1e3</altitude>', 'info[0].area[0].altitude'],
      ['<altitude>1</altitude><ceiling>1.2.3</ceiling>', 'info[0].area[0].ceiling'],
    ] as const) {
      const e = firstError(parseCapXml(inArea(body)));
      assert.equal(e.code, 'CAP_NUMBER_SYNTAX');
      assert.equal(e.path, path);
    }
    const size = alertXml({
      infoBody: `<category>Geo</category><event>x</event><urgency>Past</urgency><severity>Minor</severity>
<certainty>Observed</certainty><resource><resourceDesc>r</resourceDesc><mimeType>a/b</mimeType><size>1.5</size></resource>`,
    });
    assert.equal(firstError(parseCapXml(size)).path, 'info[0].resource[0].size');
  });

  test('a decimal with more digits than a schema validator takes is refused', () => {
    const e = firstError(parseCapXml(inArea(`<polygon>1.${'1'.repeat(30)},2 3,4 5,6 1,2</polygon>`)));
    assert.equal(e.code, 'CAP_POLYGON_SYNTAX');
  });
});

describe('parseCapXml: CAP 1.1 and 1.0 on input', () => {
  test('CAP 1.1 maps onto the model; a resource without mimeType gets a default and a warning', () => {
    const xml = alertXml({
      ns: 'urn:oasis:names:tc:emergency:cap:1.1',
      infoBody: `<category>Met</category><event>Storm</event><responseType>Shelter</responseType>
<urgency>Immediate</urgency><severity>Severe</severity><certainty>Very Likely</certainty>
<resource><resourceDesc>map</resourceDesc><uri>http://x.example/map</uri></resource>`,
    });
    const r = ok(parseCapXml(xml));
    assert.equal(r.version, '1.1');
    assert.equal(r.alert.info[0]?.certainty, 'Likely');
    assert.equal(r.alert.info[0]?.resource[0]?.mimeType, 'application/octet-stream');
    assert.deepEqual(
      r.warnings.map((w) => [w.code, w.path]),
      [
        ['CAP_CERTAINTY_VERY_LIKELY', 'info[0].certainty'],
        ['CAP_MIME_TYPE_DEFAULTED', 'info[0].resource[0].mimeType'],
      ],
    );
  });

  test('CAP 1.0: "valueName=value" codes, Very Likely, and password are mapped with warnings', () => {
    const xml = `<alert xmlns="http://www.incident.com/cap/1.0">
  <identifier>KSTO1055887203</identifier><sender>KSTO@NWS.NOAA.GOV</sender><password>secret</password>
  <sent>2003-06-17T14:57:00-07:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info><category>Met</category><event>SEVERE THUNDERSTORM</event><urgency>Immediate</urgency>
    <severity>Severe</severity><certainty>Very Likely</certainty><eventCode>SAME=SVR</eventCode>
    <area><areaDesc>x</areaDesc><geocode>FIPS6=006109</geocode></area></info>
</alert>`;
    const r = ok(parseCapXml(xml));
    assert.equal(r.version, '1.0');
    const info = r.alert.info[0];
    assert.equal(info?.certainty, 'Likely');
    assert.deepEqual(info?.eventCode, [{ valueName: 'SAME', value: 'SVR' }]);
    assert.deepEqual(info?.area[0]?.geocode, [{ valueName: 'FIPS6', value: '006109' }]);
    assert.deepEqual(
      r.warnings.map((w) => w.code),
      ['CAP_V10_PASSWORD_IGNORED', 'CAP_CERTAINTY_VERY_LIKELY'],
    );
  });

  test('CAP 1.0 has no responseType: it is an unknown element there', () => {
    const xml = alertXml({
      ns: 'http://www.incident.com/cap/1.0',
      infoBody: '<category>Met</category><event>x</event><responseType>Shelter</responseType>',
    });
    assert.equal(firstError(parseCapXml(xml)).code, 'CAP_XML_UNKNOWN_ELEMENT');
  });

  test('a CAP 1.2 message with 1.0-style "valueName=value" text in eventCode is refused', () => {
    const xml = alertXml({
      infoBody:
        '<category>Met</category><event>x</event><urgency>Past</urgency><severity>Minor</severity><certainty>Observed</certainty><eventCode>SAME=SVR</eventCode>',
    });
    assert.equal(firstError(parseCapXml(xml)).code, 'CAP_XML_UNEXPECTED_TEXT');
  });
});

describe('parseCapXml: hostile input ends in a clear error', () => {
  test('XXE: an external entity is refused at the DOCTYPE, nothing is read', () => {
    const xml = `<?xml version="1.0"?>
<!DOCTYPE alert [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<alert xmlns="${NS}"><identifier>&xxe;</identifier></alert>`;
    const e = firstError(parseCapXml(xml));
    assert.equal(e.code, 'CAP_XML_DOCTYPE_FORBIDDEN');
    assert.equal(e.line, 2);
    assert.doesNotMatch(JSON.stringify(e), /root:/);
  });

  test('billion laughs: nested entity definitions are refused at the DOCTYPE', () => {
    let defs = '<!ENTITY lol0 "lol">';
    for (let i = 1; i < 10; i++) defs += `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`;
    const xml = `<?xml version="1.0"?><!DOCTYPE alert [${defs}]><alert xmlns="${NS}"><note>&lol9;</note></alert>`;
    const before = process.memoryUsage().heapUsed;
    const e = firstError(parseCapXml(xml));
    assert.equal(e.code, 'CAP_XML_DOCTYPE_FORBIDDEN');
    // 10^9 "lol"s would be gigabytes; refusing must not allocate anything of the kind.
    assert.ok(process.memoryUsage().heapUsed - before < 50 * 1024 * 1024);
  });

  test('an entity reference without a DOCTYPE is malformed, not expanded', () => {
    const e = firstError(parseCapXml(alertXml({ head: '<note>&lol9;</note>' })));
    assert.equal(e.code, 'CAP_XML_MALFORMED');
    assert.match(e.message, /entity/);
  });

  test('a 50 MB body is refused by size before it is parsed (string and bytes)', () => {
    const big = `<alert xmlns="${NS}"><note>${'x'.repeat(50 * 1024 * 1024)}</note></alert>`;
    assert.equal(firstError(parseCapXml(big)).code, 'CAP_XML_TOO_LARGE');
    assert.equal(firstError(parseCapXml(Buffer.from(big))).code, 'CAP_XML_TOO_LARGE');
  });

  test('multi-byte text is measured in UTF-8 bytes, not characters', () => {
    const xml = alertXml({ head: `<note>${'Й'.repeat(600_000)}</note>` }); // 1.2 MB in UTF-8
    assert.ok(xml.length < DEFAULT_CAP_XML_LIMITS.maxBytes);
    assert.equal(firstError(parseCapXml(xml)).code, 'CAP_XML_TOO_LARGE');
  });

  test('the size limit is configurable', () => {
    assert.equal(firstError(parseCapXml(alertXml(), { maxBytes: 100 })).code, 'CAP_XML_TOO_LARGE');
  });

  test('10,000 nested elements stop at the depth limit', () => {
    const deep = `<alert xmlns="${NS}"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">${'<ds:x>'.repeat(10_000)}${'</ds:x>'.repeat(10_000)}</ds:Signature></alert>`;
    const e = firstError(parseCapXml(deep));
    assert.equal(e.code, 'CAP_XML_TOO_DEEP');
    assert.equal(e.line, 1);
    const plain = `${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}`;
    assert.equal(parseCapXml(plain).ok, false);
  });

  test('more elements than the limit are refused', () => {
    const xml = alertXml({ head: '<code>c</code>'.repeat(DEFAULT_CAP_XML_LIMITS.maxElements) });
    assert.equal(firstError(parseCapXml(xml)).code, 'CAP_XML_TOO_MANY_ELEMENTS');
  });

  test('invalid UTF-8 bytes are CAP_XML_INVALID_UTF8 with the byte offset', () => {
    const head = Buffer.from(`<alert xmlns="${NS}"><note>`);
    const bytes = Buffer.concat([head, Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('</note></alert>')]);
    const e = firstError(parseCapXml(bytes));
    assert.equal(e.code, 'CAP_XML_INVALID_UTF8');
    // 0xC3 starts a two-byte sequence; 0x28 cannot continue it.
    assert.match(e.message, new RegExp(`byte ${head.length + 1},`));
  });

  test('a declared encoding other than UTF-8 is refused for bytes', () => {
    const xml = `<?xml version="1.0" encoding="ISO-8859-1"?><alert xmlns="${NS}"/>`;
    assert.equal(firstError(parseCapXml(Buffer.from(xml))).code, 'CAP_XML_UNSUPPORTED_ENCODING');
  });

  test('a polygon of 100,000 points is refused by the polygon limit', () => {
    const points = Array.from(
      { length: 100_000 },
      (_, i) => `${45 + (i % 900) / 1000},${30 + (i % 1700) / 10_000}`,
    );
    const xml = alertXml({
      infoBody: `<category>Geo</category><event>x</event><urgency>Past</urgency><severity>Minor</severity>
<certainty>Observed</certainty><area><areaDesc>a</areaDesc><polygon>${points.join(' ')}</polygon></area>`,
    });
    assert.equal(firstError(parseCapXml(xml)).code, 'CAP_XML_TOO_LARGE');
    const e = firstError(parseCapXml(xml, { maxBytes: 8 * 1024 * 1024 }));
    assert.equal(e.code, 'CAP_POLYGON_TOO_MANY_POINTS');
    assert.match(e.message, /100000 points; the limit is 10000/);
    const allowed = ok(parseCapXml(xml, { maxBytes: 8 * 1024 * 1024, maxPolygonPoints: 100_000 }));
    assert.equal(allowed.alert.info[0]?.area[0]?.polygon[0]?.length, 100_000);
  });

  test('an element with a flood of attributes or namespace declarations is refused early', () => {
    const decls = Array.from({ length: 40_000 }, (_, i) => ` xmlns:p${i}="urn:${i}"`).join('');
    const e = firstError(parseCapXml(`<alert xmlns="${NS}"${decls}><identifier>x</identifier></alert>`));
    assert.equal(e.code, 'CAP_XML_TOO_MANY_ATTRIBUTES');
    assert.equal(e.line, 1);
  });

  test('the number of errors reported is bounded', () => {
    const bad = '<category>Nope</category>'.repeat(500);
    const xml = alertXml({
      infoBody: `${bad}<event>x</event><urgency>Past</urgency><severity>Minor</severity><certainty>Observed</certainty>`,
    });
    assert.equal(errorsOf(parseCapXml(xml)).length, DEFAULT_CAP_XML_LIMITS.maxErrors);
  });
});
