import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Area, LatLon } from '../cap/types.ts';
import { loadDefaultRegions } from '../store/default-regions.ts';
import { EARTH_RADIUS_KM } from './circle.ts';
import { splitRegion } from './clip-rect.ts';
import { createRegionTree } from './region-tree.ts';
import { WHOLE_COVERAGE_THRESHOLD } from './resolve-area.ts';
import type { Position } from './types.ts';

const defaults = loadDefaultRegions();
const tree = createRegionTree(defaults, { geocodeSchemes: { alerts_in_ua: 'alerts_in_ua' } });
const area = (parts: Partial<Area>): Area => ({
  areaDesc: 'test',
  polygon: [],
  circle: [],
  geocode: [],
  ...parts,
});
const rect = (south: number, west: number, north: number, east: number): LatLon[] => [
  [south, west],
  [south, east],
  [north, east],
  [north, west],
  [south, west],
];

test('geocodes map directly, whole; unknown codes of known schemes are listed, other schemes ignored', () => {
  const result = tree.resolveArea(
    area({
      geocode: [
        { valueName: 'ISO 3166-2', value: 'UA-59' },
        { valueName: 'TOCSIN-REGION', value: 'UA-63' },
        { valueName: 'alerts_in_ua', value: '14' },
        { valueName: 'ISO 3166-2', value: 'UA-99' },
        { valueName: 'FIPS6', value: '006113' },
      ],
    }),
  );
  assert.deepEqual(result.hits, [
    { code: 'UA-32', coverage: 1, whole: true },
    { code: 'UA-59', coverage: 1, whole: true },
    { code: 'UA-63', coverage: 1, whole: true },
  ]);
  assert.deepEqual(result.unknownGeocodes, ['ISO 3166-2=UA-99']);
  // Without the scheme configured, alerts_in_ua is just another foreign geocode.
  assert.deepEqual(
    createRegionTree(defaults).resolveArea(area({ geocode: [{ valueName: 'alerts_in_ua', value: '14' }] })),
    { hits: [], unknownGeocodes: [] },
  );
});

test('a 10 km circle around Sumy reaches only UA-59, partially, by the circle’s share of its area', () => {
  const result = tree.resolveArea(area({ circle: [{ lat: 50.91, lon: 34.8, radiusKm: 10 }] }));
  assert.equal(result.hits.length, 1);
  const hit = result.hits[0];
  assert.equal(hit?.code, 'UA-59');
  assert.equal(hit.whole, false);
  // The same coverage measured by sampling a grid of points with the point lookup.
  const estimate = sampledCoverage(
    'UA-59',
    (lat, lon) => distanceKm(lat, lon, 50.91, 34.8) <= 10,
    boundsOf('UA-59'),
    500,
  );
  assert.ok(Math.abs(hit.coverage - estimate) < 0.0015, `${hit.coverage} vs sampled ${estimate}`);
});

test('a polygon covering Kharkiv oblast and a strip of its neighbours reports each with its coverage', () => {
  // Kharkiv oblast's bounding box (48.5–50.5 N, 34.7–38.1 E, rounded out) grown by 0.15°.
  const polygon = rect(48.4, 34.6, 50.6, 38.4);
  const result = tree.resolveArea(area({ polygon: [polygon] }));
  const byCode = new Map(result.hits.map((h) => [h.code, h]));
  assert.equal(byCode.get('UA-63')?.whole, true);
  assert.ok((byCode.get('UA-63')?.coverage ?? 0) >= WHOLE_COVERAGE_THRESHOLD);
  for (const neighbour of ['UA-59', 'UA-53', 'UA-12', 'UA-14', 'UA-09']) {
    const hit = byCode.get(neighbour);
    assert.ok(hit, `${neighbour} reached`);
    assert.equal(hit.whole, false, neighbour);
    assert.ok(hit.coverage > 0 && hit.coverage < 0.9, `${neighbour} ${hit.coverage}`);
    const inside = (lat: number, lon: number) => lat >= 48.4 && lat <= 50.6 && lon >= 34.6 && lon <= 38.4;
    const box = boundsOf(neighbour);
    const estimate = sampledCoverage(neighbour, inside, box, 300);
    assert.ok(
      Math.abs(hit.coverage - estimate) < 0.01,
      `${neighbour}: ${hit.coverage} vs sampled ${estimate}`,
    );
  }
  assert.ok(!byCode.has('UA-46'), 'Lviv is far away');
});

test('a region’s own border as a polygon covers it wholly; a bounding-box split sums to one', () => {
  const sumy = tree.get('UA-59')?.geometry;
  assert.equal(sumy?.type, 'Polygon');
  const ring = (sumy.coordinates[0] as Position[]).map(([lon, lat]): LatLon => [lat, lon]);
  const own = tree.resolveArea(area({ polygon: [ring] })).hits.find((h) => h.code === 'UA-59');
  assert.ok(own && Math.abs(own.coverage - 1) < 1e-9 && own.whole);
  const [south, west, north, east] = boundsOf('UA-59');
  const cut = (west + east) / 2;
  const left = tree
    .resolveArea(area({ polygon: [rect(south - 1, west - 1, north + 1, cut)] }))
    .hits.find((h) => h.code === 'UA-59');
  const right = tree
    .resolveArea(area({ polygon: [rect(south - 1, cut, north + 1, east + 1)] }))
    .hits.find((h) => h.code === 'UA-59');
  assert.ok(
    left && right && Math.abs(left.coverage + right.coverage - 1) < 1e-6,
    `${left?.coverage} + ${right?.coverage}`,
  );
});

test('with a second level: the whole oblast is reported once; a partial one with its raions', () => {
  const raions = defaults.flatMap((r) => (r.level === 'oblast' ? splitRegion(r, 2, 2, 'raion') : []));
  const deep = createRegionTree([...defaults, ...raions]);
  const geocoded = deep.resolveArea(area({ geocode: [{ valueName: 'ISO 3166-2', value: 'UA-59' }] }));
  assert.deepEqual(
    geocoded.hits.map((h) => h.code),
    ['UA-59'],
  );
  // A circle around Sumy: the oblast partially, and the raion(s) under it partially.
  const circle = deep.resolveArea(area({ circle: [{ lat: 50.91, lon: 34.8, radiusKm: 10 }] }));
  assert.equal(circle.hits[0]?.code, 'UA-59');
  const parts = circle.hits.slice(1);
  assert.ok(parts.length >= 1 && parts.every((h) => h.code.startsWith('UA-59-') && !h.whole));
  // Coverage is consistent across levels: raion coverages weighted by raion area add up to the oblast's.
  const big = deep.resolveArea(area({ polygon: [rect(48.4, 34.6, 50.6, 38.4)] }));
  const codes = big.hits.map((h) => h.code);
  assert.ok(codes.includes('UA-63'));
  assert.ok(
    !codes.some((c) => c.startsWith('UA-63-')),
    'raions of a wholly covered oblast are covered by inheritance',
  );
  assert.ok(
    codes.some((c) => c.startsWith('UA-59-')),
    'raions of a partly covered oblast are listed',
  );
});

test('a zero-radius circle reaches the deepest region holding its centre', () => {
  const result = tree.resolveArea(area({ circle: [{ lat: 50.91, lon: 34.8, radiusKm: 0 }] }));
  assert.deepEqual(
    result.hits.map((h) => [h.code, h.whole]),
    [['UA-59', false]],
  );
  assert.ok((result.hits[0]?.coverage ?? 0) > 0);
});

test('areas outside every region and degenerate polygons reach nothing', () => {
  assert.deepEqual(
    tree.resolveArea(area({ polygon: [rect(40, 10, 41, 11)], circle: [{ lat: 0, lon: 0, radiusKm: 50 }] }))
      .hits,
    [],
  );
  const flat: LatLon[] = [
    [50, 30],
    [50, 31],
    [50, 30.5],
    [50, 30],
  ];
  assert.deepEqual(tree.resolveArea(area({ polygon: [flat, [[50, 30]]] })).hits, []);
});

/** Share of a region's sampled points (area-weighted by cos lat) for which `inside` holds. */
function sampledCoverage(
  code: string,
  inside: (lat: number, lon: number) => boolean,
  box: number[],
  steps: number,
): number {
  const [south, west, north, east] = box as [number, number, number, number];
  let all = 0;
  let hit = 0;
  for (let i = 0; i < steps; i++) {
    const lat = south + ((north - south) * (i + 0.5)) / steps;
    const w = Math.cos((lat * Math.PI) / 180);
    for (let j = 0; j < steps; j++) {
      const lon = west + ((east - west) * (j + 0.5)) / steps;
      if (tree.lookupPoint(lat, lon).at(-1)?.code !== code) continue;
      all += w;
      if (inside(lat, lon)) hit += w;
    }
  }
  return hit / all;
}

function boundsOf(code: string): [number, number, number, number] {
  const g = tree.get(code)?.geometry;
  const points = (g?.type === 'Polygon' ? g.coordinates : (g?.coordinates.flat() ?? [])).flat();
  const lats = points.map((p) => p[1]);
  const lons = points.map((p) => p[0]);
  return [Math.min(...lats), Math.min(...lons), Math.max(...lats), Math.max(...lons)];
}

function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const r = Math.PI / 180;
  const a =
    Math.sin(((lat2 - lat1) * r) / 2) ** 2 +
    Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(((lon2 - lon1) * r) / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(a));
}
