import assert from 'node:assert/strict';
import { test } from 'node:test';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import fc from 'fast-check';
import { loadDefaultRegions } from '../store/default-regions.ts';
import { splitRegion } from './clip-rect.ts';
import { GeoError } from './errors.ts';
import { buildEdgeIndex, LOCATION, locatePoint, ringsOf } from './point-in-polygon.ts';
import { createRegionTree } from './region-tree.ts';
import { representativePoint } from './representative-point.ts';
import type { Position, RegionRecord } from './types.ts';

const defaults = loadDefaultRegions();
const tree = createRegionTree(defaults);

// The administrative centre of each region (Kyiv oblast's administration sits in Kyiv city,
// which is a region of its own, so its largest city, Bila Tserkva, stands in for it).
const CENTRES: [code: string, city: string, lat: number, lon: number][] = [
  ['UA-05', 'Vinnytsia', 49.23, 28.47],
  ['UA-07', 'Lutsk', 50.75, 25.33],
  ['UA-09', 'Luhansk', 48.57, 39.31],
  ['UA-12', 'Dnipro', 48.46, 35.05],
  ['UA-14', 'Donetsk', 48.0, 37.8],
  ['UA-18', 'Zhytomyr', 50.25, 28.66],
  ['UA-21', 'Uzhhorod', 48.62, 22.29],
  ['UA-23', 'Zaporizhzhia', 47.84, 35.14],
  ['UA-26', 'Ivano-Frankivsk', 48.92, 24.71],
  ['UA-30', 'Kyiv', 50.45, 30.52],
  ['UA-32', 'Bila Tserkva', 49.8, 30.11],
  ['UA-35', 'Kropyvnytskyi', 48.51, 32.26],
  ['UA-40', 'Sevastopol', 44.6, 33.52],
  ['UA-43', 'Simferopol', 44.95, 34.1],
  ['UA-46', 'Lviv', 49.84, 24.03],
  ['UA-48', 'Mykolaiv', 46.97, 32.0],
  ['UA-51', 'Odesa', 46.48, 30.72],
  ['UA-53', 'Poltava', 49.59, 34.55],
  ['UA-56', 'Rivne', 50.62, 26.25],
  ['UA-59', 'Sumy', 50.91, 34.8],
  ['UA-61', 'Ternopil', 49.55, 25.59],
  ['UA-63', 'Kharkiv', 49.99, 36.23],
  ['UA-65', 'Kherson', 46.64, 32.61],
  ['UA-68', 'Khmelnytskyi', 49.42, 26.99],
  ['UA-71', 'Cherkasy', 49.44, 32.06],
  ['UA-74', 'Chernihiv', 51.49, 31.29],
  ['UA-77', 'Chernivtsi', 48.29, 25.94],
];

test('the default data is a UA root with the 27 first-level units', () => {
  assert.deepEqual(
    tree.roots().map((r) => r.code),
    ['UA'],
  );
  assert.deepEqual(tree.levels(), ['country', 'oblast']);
  assert.deepEqual(
    tree.children('UA').map((r) => r.code),
    CENTRES.map(([code]) => code),
  );
  assert.equal(tree.get('UA-59')?.names.uk, 'Сумська область');
  assert.equal(tree.get('UA-32')?.ids?.alerts_in_ua, '14');
  assert.equal(tree.get('UA-40')?.ids?.ukrainealarm, undefined);
});

test('the administrative centre of every default region resolves to that region', () => {
  for (const [code, city, lat, lon] of CENTRES) {
    assert.deepEqual(
      tree.lookupPoint(lat, lon).map((r) => r.code),
      ['UA', code],
      `${city} (${lat}, ${lon})`,
    );
  }
});

test('points outside Ukraine resolve to nothing', () => {
  const outside: [string, number, number][] = [
    ['Warsaw', 52.23, 21.01],
    ['Minsk', 53.9, 27.56],
    ['Chisinau', 47.01, 28.86],
    ['Belgorod', 50.6, 36.59],
    ['Black Sea', 43.5, 32.0],
    ['Null Island', 0, 0],
    ['a pole', 90, 0],
  ];
  for (const [name, lat, lon] of outside) assert.deepEqual(tree.lookupPoint(lat, lon), [], name);
  assert.deepEqual(tree.lookupPoint(Number.NaN, 30), []);
  assert.deepEqual(tree.lookupPoint(50, Number.POSITIVE_INFINITY), []);
});

test('Kyiv city is a hole in Kyiv oblast, and the oblast exclave inside the city resolves to the oblast', () => {
  const kyivOblast = tree.get('UA-32')?.geometry;
  assert.equal(kyivOblast?.type, 'MultiPolygon');
  // The data models the city as a hole of the oblast (not an overlap) ...
  const index = buildEdgeIndex(ringsOf(kyivOblast.coordinates, true));
  assert.equal(locatePoint(index, 30.52, 50.45), LOCATION.outside);
  // ... and the city has a hole of its own holding a small exclave of the oblast.
  const exclave = kyivOblast.coordinates.find((polygon) => polygon.length === 1 && inKyivBox(polygon));
  assert.ok(exclave, 'an oblast part inside the city');
  assert.deepEqual(
    tree.lookupPoint(...latLon(exclave)).map((r) => r.code),
    ['UA', 'UA-32'],
  );
  const city = tree.get('UA-30')?.geometry;
  assert.equal(city?.type, 'Polygon');
  assert.equal(city.coordinates.length, 2, 'Kyiv city has one hole');
});

test('a point on a shared border resolves to the smaller code, the same every time', () => {
  const sumy = tree.get('UA-59')?.geometry;
  const kharkiv = tree.get('UA-63')?.geometry;
  assert.ok(sumy?.type === 'Polygon' && kharkiv?.type === 'Polygon');
  const kharkivPoints = new Set(kharkiv.coordinates[0]?.map((p) => p.join(',')));
  const shared = (sumy.coordinates[0] ?? []).filter((p) => kharkivPoints.has(p.join(',')));
  assert.ok(shared.length > 10, 'Sumy and Kharkiv oblasts share border vertices');
  const sumyIndex = buildEdgeIndex(sumy.coordinates);
  const kharkivIndex = buildEdgeIndex(kharkiv.coordinates);
  const oblastIndexes = tree.children('UA').map((r) => ({
    code: r.code,
    index: buildEdgeIndex(ringsOf(r.geometry?.coordinates ?? [], r.geometry?.type === 'MultiPolygon')),
  }));
  for (const [lon, lat] of shared) {
    assert.equal(locatePoint(sumyIndex, lon, lat), LOCATION.boundary);
    assert.equal(locatePoint(kharkivIndex, lon, lat), LOCATION.boundary);
    // At a tripoint (e.g. with Poltava, UA-53) the smallest of the three codes wins.
    const holders = oblastIndexes
      .filter((o) => locatePoint(o.index, lon, lat) !== LOCATION.outside)
      .map((o) => o.code);
    assert.ok(
      holders.every(
        (code) =>
          locatePoint(oblastIndexes.find((o) => o.code === code)!.index, lon, lat) === LOCATION.boundary,
      ),
    );
    assert.deepEqual(
      tree.lookupPoint(lat, lon).map((r) => r.code),
      ['UA', holders.sort()[0]],
    );
  }
  // On the middle of a shared edge too.
  const [a, b] = [shared[3] as Position, shared[4] as Position];
  const mid: Position = [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
  if (locatePoint(kharkivIndex, ...mid) === LOCATION.boundary) {
    assert.deepEqual(
      tree.lookupPoint(mid[1], mid[0]).map((r) => r.code),
      ['UA', 'UA-59'],
    );
  }
  // Kyiv city's border with the oblast (the oblast's hole): the city (UA-30 < UA-32) wins.
  const cityRing = tree.get('UA-30')?.geometry?.coordinates[0] as Position[];
  for (const [lon, lat] of cityRing.slice(0, 20)) {
    assert.deepEqual(
      tree.lookupPoint(lat, lon).map((r) => r.code),
      ['UA', 'UA-30'],
    );
  }
});

test('point lookups agree with turf on random points', () => {
  const features = tree.children('UA').map((r) => ({
    code: r.code,
    feature: { type: 'Feature' as const, properties: {}, geometry: r.geometry as never },
  }));
  fc.assert(
    fc.property(
      fc.double({ min: 21.5, max: 41, noNaN: true }),
      fc.double({ min: 43.8, max: 52.8, noNaN: true }),
      (lon, lat) => {
        const expected = features
          .filter((f) => booleanPointInPolygon([lon, lat], f.feature))
          .map((f) => f.code);
        const got = tree.lookupPoint(lat, lon).map((r) => r.code);
        // Off the borders exactly one region (or none) holds a point.
        assert.deepEqual(got, expected.length === 0 ? [] : ['UA', expected.sort()[0]]);
      },
    ),
    { numRuns: 3000 },
  );
});

test('region relations: ancestors, descendants, covers, order', () => {
  assert.deepEqual(
    tree.ancestors('UA-59').map((r) => r.code),
    ['UA'],
  );
  assert.deepEqual(tree.ancestors('UA'), []);
  assert.equal(tree.descendants('UA').length, 27);
  assert.equal(tree.get('UA-59')?.depth, 1);
  assert.ok(tree.covers('UA', 'UA-59'));
  assert.ok(tree.covers('UA-59', 'UA-59'));
  assert.ok(!tree.covers('UA-59', 'UA'));
  assert.ok(!tree.covers('UA-59', 'nowhere'));
  assert.equal(tree.all()[0]?.code, 'UA');
  assert.equal(tree.get('nowhere'), undefined);
  assert.deepEqual(tree.children('nowhere'), []);
});

test('records that do not form a tree are refused, every problem listed', () => {
  const bad: RegionRecord[] = [
    { code: 'A', parent: null, level: 'country', names: {} },
    { code: 'A', parent: null, level: 'country', names: {} },
    { code: 'B', parent: 'Z', level: 'oblast', names: {} },
    { code: '', parent: null, level: 'country', names: {} },
  ];
  assert.throws(
    () => createRegionTree(bad),
    (error: unknown) =>
      error instanceof GeoError &&
      error.code === 'REGION_TREE_INVALID' &&
      error.details.length === 3 &&
      error.details.some((d) => /duplicate code A/.test(d)),
  );
  assert.throws(
    () =>
      createRegionTree([
        { code: 'X', parent: 'Y', level: 'a', names: {} },
        { code: 'Y', parent: 'X', level: 'a', names: {} },
      ]),
    /cycle/,
  );
});

test('a synthetic second level (each oblast split into parts) gives depth-3 chains and inheritance', () => {
  const raions = defaults.flatMap((r) => (r.level === 'oblast' ? splitRegion(r, 3, 2, 'raion') : []));
  assert.ok(raions.length > 100);
  const deep = createRegionTree([...defaults, ...raions]);
  assert.deepEqual(deep.levels(), ['country', 'oblast', 'raion']);
  for (const [code, city, lat, lon] of CENTRES) {
    const chain = deep.lookupPoint(lat, lon);
    assert.equal(chain.length, 3, city);
    assert.equal(chain[1]?.code, code, city);
    const raion = chain[2] as RegionRecord;
    assert.equal(raion.parent, code);
    assert.equal(deep.get(raion.code)?.depth, 2);
    // An alert on the oblast (or the country) covers the raion; not the other way round.
    assert.ok(deep.covers(code, raion.code));
    assert.ok(deep.covers('UA', raion.code));
    assert.ok(!deep.covers(raion.code, code));
    assert.deepEqual(
      deep.ancestors(raion.code).map((r) => r.code),
      ['UA', code],
    );
  }
  assert.ok(deep.descendants('UA-59').every((r) => r.parent === 'UA-59' && r.level === 'raion'));
  // Every raion's inner point resolves to that raion.
  for (const raion of raions) {
    const [lon, lat] = representativePoint(raion.geometry) as Position;
    assert.equal(deep.lookupPoint(lat, lon).at(-1)?.code, raion.code);
  }
});

function latLon(polygon: Position[][]): [number, number] {
  const [lon, lat] = representativePoint({ type: 'Polygon', coordinates: polygon }) as Position;
  return [lat, lon];
}

function inKyivBox(polygon: Position[][]): boolean {
  return (polygon[0] ?? []).every(([lon, lat]) => lon > 30.2 && lon < 30.9 && lat > 50.2 && lat < 50.6);
}

test('were Kyiv city drawn overlapping the oblast instead of as its hole, Kyiv would still be UA-30', () => {
  const filled = defaults.map((r) => {
    if (r.code !== 'UA-32' || r.geometry?.type !== 'MultiPolygon') return r;
    // Drop the holes: the oblast's outer ring then covers the city too.
    return {
      ...r,
      geometry: {
        type: 'MultiPolygon' as const,
        coordinates: r.geometry.coordinates.map((p) => p.slice(0, 1)),
      },
    };
  });
  const overlapping = createRegionTree(filled);
  const index = buildEdgeIndex(ringsOf(overlapping.get('UA-32')?.geometry?.coordinates ?? [], true));
  assert.equal(locatePoint(index, 30.52, 50.45), LOCATION.inside, 'the oblast now holds Kyiv');
  assert.deepEqual(
    overlapping.lookupPoint(50.45, 30.52).map((r) => r.code),
    ['UA', 'UA-30'],
  );
});
