// fast-check generators of VALID CAP 1.2 alerts in the model of src/cap/types.ts: dates with
// offsets, closed convex polygons (so never self-intersecting), circles inside WGS 84 ranges,
// text with everything XML must escape, and every optional element sometimes present.
import fc from 'fast-check';
import type { Alert, Area, Circle, Info, LatLon, NamedValue, Resource } from '../../src/cap/types.ts';
import {
  CATEGORIES,
  CERTAINTIES,
  MSG_TYPES,
  RESPONSE_TYPES,
  SCOPES,
  SEVERITIES,
  STATUSES,
  URGENCIES,
} from '../../src/cap/types.ts';

// XML 1.0 §2.2 Char: what a CAP text may hold at all.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** One character of free text: markup characters, CR, Cyrillic, astral, anything XML allows. */
const textUnit: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: fc.constantFrom('&', '<', '>', '"', "'", ']]>', '\r', '\r\n', '\n', '\t', ' ') },
  { weight: 2, arbitrary: fc.constantFrom('Й', 'ї', 'є', 'ґ', 'Ä', '😀', '\u00a0', '\u2028', '\uFFFD') },
  {
    weight: 1,
    arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !NOT_XML_CHAR.test(c)),
  },
);

/** Free text as CAP's xs:string elements carry it (kept exactly, whitespace included). */
export const capText = (maxLength = 40): fc.Arbitrary<string> => fc.string({ unit: textUnit, maxLength });

const token = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._@:-]{0,30}$/);

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** CAP 1.2 §3.3.2 date-time: "YYYY-MM-DDThh:mm:ssXzh:zm", offsets within ±14:00. */
export const capDateTime: fc.Arbitrary<string> = fc
  .record({
    y: fc.integer({ min: 1970, max: 2099 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 1, max: 28 }),
    h: fc.integer({ min: 0, max: 23 }),
    mi: fc.integer({ min: 0, max: 59 }),
    s: fc.integer({ min: 0, max: 59 }),
    tz: fc.constantFrom(
      '+00:00',
      '+02:00',
      '+03:00',
      '-05:00',
      '+05:30',
      '-09:30',
      '+12:45',
      '+14:00',
      '-12:00',
    ),
  })
  .map(
    ({ y, mo, d, h, mi, s, tz }) => `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${tz}`,
  );

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/** A closed convex polygon (first point repeated last), 3 to 12 distinct corners. */
export const capPolygon: fc.Arbitrary<LatLon[]> = fc
  .record({
    lat: fc.integer({ min: -800_000, max: 800_000 }).map((n) => n / 10_000),
    lon: fc.integer({ min: -1_700_000, max: 1_700_000 }).map((n) => n / 10_000),
    radius: fc.integer({ min: 100, max: 50_000 }).map((n) => n / 10_000),
    angles: fc.uniqueArray(fc.integer({ min: 0, max: 359 }), { minLength: 3, maxLength: 12 }),
  })
  .map(({ lat, lon, radius, angles }) => {
    const sorted = [...angles].sort((a, b) => a - b);
    const ring: LatLon[] = sorted.map((deg) => {
      const rad = (deg * Math.PI) / 180;
      return [round(lat + radius * Math.sin(rad), 6), round(lon + radius * Math.cos(rad), 6)] as const;
    });
    ring.push(ring[0] as LatLon);
    return ring;
  });

/** A circle inside WGS 84 ranges, radius 0 to 1000 km. */
export const capCircle: fc.Arbitrary<Circle> = fc.record(
  {
    lat: fc.integer({ min: -900_000, max: 900_000 }).map((n) => n / 10_000),
    lon: fc.integer({ min: -1_800_000, max: 1_800_000 }).map((n) => n / 10_000),
    radiusKm: fc.integer({ min: 0, max: 100_000 }).map((n) => n / 100),
  },
  { noNullPrototype: true },
);

const namedValue: fc.Arbitrary<NamedValue> = fc.record(
  { valueName: capText(20), value: capText(20) },
  { noNullPrototype: true },
);
const namedValues = fc.array(namedValue, { maxLength: 3 });

const resource: fc.Arbitrary<Resource> = fc.record(
  {
    resourceDesc: capText(),
    mimeType: fc.constantFrom('image/gif', 'image/png', 'audio/mpeg', 'application/pdf', 'text/plain'),
    size: fc.integer({ min: 0, max: 2 ** 40 }),
    uri: fc.webUrl(),
    derefUri: fc.base64String({ maxLength: 40 }),
    digest: fc.stringMatching(/^[0-9a-f]{40}$/),
  },
  { requiredKeys: ['resourceDesc', 'mimeType'], noNullPrototype: true },
);

const area: fc.Arbitrary<Area> = fc
  .record({
    base: fc.record({
      areaDesc: capText(),
      polygon: fc.array(capPolygon, { maxLength: 2 }),
      circle: fc.array(capCircle, { maxLength: 2 }),
      geocode: namedValues,
    }),
    // Altitude and ceiling in feet (CAP 1.2 §3.2.4); ceiling only with altitude, never below it.
    heights: fc.option(
      fc.record({
        altitude: fc.integer({ min: -140_000, max: 6_000_000 }).map((n) => n / 100),
        above: fc.option(fc.integer({ min: 0, max: 6_000_000 }).map((n) => n / 100)),
      }),
    ),
  })
  .map(({ base, heights }) => {
    const a: Area = {
      areaDesc: base.areaDesc,
      polygon: base.polygon,
      circle: base.circle,
      geocode: base.geocode,
    };
    if (heights !== null) {
      a.altitude = heights.altitude;
      if (heights.above !== null) a.ceiling = round(heights.altitude + heights.above, 2);
    }
    return a;
  });

const info: fc.Arbitrary<Info> = fc.record(
  {
    language: fc.constantFrom('uk', 'en', 'en-US', 'uk-UA', 'es-US'),
    category: fc.uniqueArray(fc.constantFrom(...CATEGORIES), { minLength: 1, maxLength: 3 }),
    event: capText(),
    responseType: fc.uniqueArray(fc.constantFrom(...RESPONSE_TYPES), { maxLength: 2 }),
    urgency: fc.constantFrom(...URGENCIES),
    severity: fc.constantFrom(...SEVERITIES),
    certainty: fc.constantFrom(...CERTAINTIES),
    audience: capText(),
    eventCode: namedValues,
    effective: capDateTime,
    onset: capDateTime,
    expires: capDateTime,
    senderName: capText(),
    headline: capText(),
    description: capText(200),
    instruction: capText(),
    web: fc.webUrl(),
    contact: capText(),
    parameter: namedValues,
    resource: fc.array(resource, { maxLength: 2 }),
    area: fc.array(area, { maxLength: 3 }),
  },
  {
    requiredKeys: [
      'category',
      'event',
      'responseType',
      'urgency',
      'severity',
      'certainty',
      'eventCode',
      'parameter',
      'resource',
      'area',
    ],
    noNullPrototype: true,
  },
);

const reference = fc.tuple(token, token, capDateTime).map(([sender, id, sent]) => `${sender},${id},${sent}`);

/** A valid CAP 1.2 alert: every enumeration in range, every optional element sometimes set. */
export const capAlert: fc.Arbitrary<Alert> = fc.record(
  {
    identifier: token,
    sender: token,
    sent: capDateTime,
    status: fc.constantFrom(...STATUSES),
    msgType: fc.constantFrom(...MSG_TYPES),
    source: capText(),
    scope: fc.constantFrom(...SCOPES),
    restriction: capText(),
    addresses: capText(),
    code: fc.array(capText(20), { maxLength: 3 }),
    note: capText(),
    references: fc.array(reference, { minLength: 1, maxLength: 3 }).map((r) => r.join(' ')),
    incidents: capText(),
    info: fc.array(info, { maxLength: 3 }),
  },
  {
    requiredKeys: ['identifier', 'sender', 'sent', 'status', 'msgType', 'scope', 'code', 'info'],
    noNullPrototype: true,
  },
);
