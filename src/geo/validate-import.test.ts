import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { loadDefaultRegions } from '../store/default-regions.ts';
import { splitRegion } from './clip-rect.ts';
import type { ImportFinding } from './import-findings.ts';
import type { ImportOptions } from './import-geojson.ts';
import { parseImport } from './import-geojson.ts';
import { createRegionTree } from './region-tree.ts';
import type { Position, RegionRecord } from './types.ts';
import { inferParents, validateImport } from './validate-import.ts';

const defaults = loadDefaultRegions();
const tree = createRegionTree(defaults);
const options: ImportOptions = {
  level: 'raion',
  codeProperty: 'code',
  nameProperties: { uk: 'name_uk', en: 'name_en' },
  parentProperty: 'oblast',
};

/** Raions made by splitting two oblasts, as GeoJSON features with the usual properties. */
function raionFeatures(): { type: 'Feature'; properties: Record<string, unknown>; geometry: unknown }[] {
  return defaults
    .filter((r) => r.code === 'UA-59' || r.code === 'UA-63')
    .flatMap((r) => splitRegion(r, 2, 2, 'raion'))
    .map((r) => ({
      type: 'Feature' as const,
      properties: { code: r.code, name_uk: `${r.names.uk}`, name_en: `${r.names.en}`, oblast: r.parent },
      geometry: r.geometry,
    }));
}

function run(
  features: unknown[],
  opts: ImportOptions = options,
  existing = tree,
): { findings: ImportFinding[]; records: RegionRecord[] } {
  const parsed = parseImport(JSON.stringify({ type: 'FeatureCollection', features }), opts);
  const inferred = inferParents(existing, opts.level, parsed.records, parsed.indexes);
  const findings = [
    ...parsed.findings,
    ...inferred.findings,
    ...validateImport(existing, opts.level, inferred.records, parsed.indexes),
  ];
  return { findings, records: inferred.records };
}

const codes = (findings: ImportFinding[]) => findings.map((f) => [f.code, f.index]);

test('a sound level imports with no findings, and the merged tree resolves to the new level', () => {
  const { findings, records } = run(raionFeatures());
  assert.deepEqual(findings, []);
  assert.equal(records.length, 8);
  const merged = createRegionTree([...defaults, ...records]);
  assert.deepEqual(
    merged.lookupPoint(50.91, 34.8).map((r) => r.level),
    ['country', 'oblast', 'raion'],
  );
});

test('parents are inferred from the geometry when no parent option is given', () => {
  const { parentProperty: _, ...noParent } = options;
  const { findings, records } = run(raionFeatures(), noParent);
  assert.deepEqual(findings, []);
  assert.ok(records.every((r) => r.parent === r.code.slice(0, 5)));
  // Re-importing the same level over itself infers from the level above, not from the old raions.
  const withRaions = createRegionTree([...defaults, ...records]);
  assert.deepEqual(run(raionFeatures(), noParent, withRaions).findings, []);
});

test('not GeoJSON, not a FeatureCollection, not a feature', () => {
  assert.deepEqual(codes(parseImport('{"type": "Feature"', options).findings), [
    ['REGION_IMPORT_NOT_GEOJSON', null],
  ]);
  assert.deepEqual(codes(parseImport('[]', options).findings), [['REGION_IMPORT_NOT_GEOJSON', null]]);
  assert.deepEqual(codes(parseImport('{"type":"FeatureCollection","features":{}}', options).findings), [
    ['REGION_IMPORT_NOT_GEOJSON', null],
  ]);
  assert.deepEqual(codes(parseImport('['.repeat(100_000), options).findings), [
    ['REGION_IMPORT_NOT_GEOJSON', null],
  ]);
  const [good] = raionFeatures();
  assert.deepEqual(codes(run([good, 'text', null, { type: 'Point' }]).findings), [
    ['REGION_IMPORT_NOT_GEOJSON', 1],
    ['REGION_IMPORT_NOT_GEOJSON', 2],
    ['REGION_IMPORT_NOT_GEOJSON', 3],
  ]);
});

test('too many features is refused before any work', () => {
  const text = `{"type":"FeatureCollection","features":[${Array.from({ length: 100_001 }, () => '{}').join(',')}]}`;
  assert.deepEqual(codes(parseImport(text, options).findings), [['REGION_IMPORT_TOO_LARGE', null]]);
});

test('missing codes and names, duplicates and taken codes name the feature', () => {
  const features = raionFeatures();
  delete features[1]!.properties.code;
  features[2]!.properties.name_en = '   ';
  features[3]!.properties.code = features[0]!.properties.code;
  features[4]!.properties.code = 'UA-46';
  features[5]!.properties.code = 'has space';
  const { findings } = run(features);
  assert.deepEqual(codes(findings), [
    ['REGION_IMPORT_MISSING_CODE', 1],
    ['REGION_IMPORT_MISSING_NAME', 2],
    ['REGION_IMPORT_DUPLICATE_CODE', 3],
    ['REGION_IMPORT_CODE_TAKEN', 4],
    ['REGION_IMPORT_BAD_CODE', 5],
  ]);
  assert.match(findings[2]!.message, /feature 0/);
  assert.equal(findings[0]!.path, 'properties.code');
});

test('bad geometries: wrong type, bad numbers, short, unclosed and self-intersecting rings', () => {
  const features = raionFeatures();
  features[0]!.geometry = { type: 'Point', coordinates: [30, 50] };
  features[1]!.geometry = {
    type: 'Polygon',
    coordinates: [
      [
        [30, 50],
        [31, 'x'],
        [31, 51],
        [30, 50],
      ],
    ],
  };
  features[2]!.geometry = {
    type: 'Polygon',
    coordinates: [
      [
        [30, 50],
        [31, 50],
        [30, 50],
      ],
    ],
  };
  features[3]!.geometry = {
    type: 'Polygon',
    coordinates: [
      [
        [34.5, 51],
        [35, 51],
        [35, 51.2],
        [34.6, 51.2],
      ],
    ],
  };
  // A bow tie inside Kharkiv oblast: the edges cross in the middle.
  features[4]!.geometry = {
    type: 'Polygon',
    coordinates: [
      [
        [36.0, 49.5],
        [36.4, 49.8],
        [36.4, 49.5],
        [36.0, 49.8],
        [36.0, 49.5],
      ],
    ],
  };
  features[5]!.geometry = {
    type: 'Polygon',
    coordinates: [
      [
        [30, 50],
        [31, 50],
        [31, 95],
        [30, 50],
      ],
    ],
  };
  features[6]!.geometry = null;
  const { findings } = run(features);
  assert.deepEqual(codes(findings), [
    ['REGION_IMPORT_BAD_GEOMETRY', 0],
    ['REGION_IMPORT_BAD_GEOMETRY', 1],
    ['REGION_IMPORT_BAD_GEOMETRY', 2],
    ['REGION_IMPORT_BAD_GEOMETRY', 5],
    ['REGION_IMPORT_BAD_GEOMETRY', 6],
    ['REGION_IMPORT_RING_NOT_CLOSED', 3],
    ['REGION_IMPORT_SELF_INTERSECTION', 4],
  ]);
  assert.equal(findings[1]!.path, 'geometry.coordinates[0][1]');
  assert.equal(
    findings.find((f) => f.code === 'REGION_IMPORT_SELF_INTERSECTION')?.path,
    'geometry.coordinates[0][0]',
  );
});

test('a geometry that is an array, or an object whose "toString" is data, is named, not converted', () => {
  // fast-check found this: String([{ toString: '' }]) throws, and the import threw with it.
  const features = raionFeatures();
  features[0]!.geometry = [{ toString: '' }];
  features[1]!.geometry = { type: { toString: '' }, coordinates: [] };
  features[2]!.geometry = 'x'.repeat(10_000);
  const { findings } = run(features);
  const bad = findings.filter((f) => f.code === 'REGION_IMPORT_BAD_GEOMETRY');
  assert.deepEqual(
    bad.map((f) => f.message),
    [
      'Expected a Polygon or MultiPolygon geometry, got an array.',
      'Expected a Polygon or MultiPolygon geometry, got type an object.',
      `Expected a Polygon or MultiPolygon geometry, got "${'x'.repeat(40)}…".`,
    ],
  );
});

test('unknown parents, children outside their parent, and features outside every region', () => {
  const features = raionFeatures();
  features[0]!.properties.oblast = 'UA-99';
  features[1]!.properties.oblast = 'UA-46'; // a Sumy raion claimed by Lviv oblast
  features[2]!.properties.oblast = 'UA';
  const { findings } = run(features);
  assert.deepEqual(codes(findings), [
    ['REGION_IMPORT_UNKNOWN_PARENT', 0],
    ['REGION_IMPORT_OUTSIDE_PARENT', 1],
  ]);
  const { parentProperty: _, ...noParent } = options;
  const warsaw = {
    type: 'Feature',
    properties: { code: 'PL-X', name_uk: 'x', name_en: 'x' },
    geometry: square(21, 52.2, 21.1, 52.3),
  };
  assert.deepEqual(codes(run([...raionFeatures(), warsaw], noParent).findings), [
    ['REGION_IMPORT_NO_PARENT', 8],
  ]);
  // A parent that is itself in the level being imported is not allowed.
  const withRaions = createRegionTree([...defaults, ...run(raionFeatures()).records]);
  const nested = raionFeatures();
  nested[0]!.properties.oblast = nested[1]!.properties.code;
  assert.deepEqual(codes(run(nested, options, withRaions).findings), [['REGION_IMPORT_UNKNOWN_PARENT', 0]]);
});

test('replacing a level that has regions below it must keep their parents', () => {
  const raions = run(raionFeatures()).records;
  const hromadas = raions.slice(0, 1).flatMap((r) => splitRegion(r, 2, 1, 'hromada'));
  const deep = createRegionTree([...defaults, ...raions, ...hromadas]);
  const fewer = raionFeatures().slice(1);
  assert.deepEqual(codes(run(fewer, options, deep).findings), [['REGION_IMPORT_ORPHANS', null]]);
  assert.deepEqual(run(raionFeatures(), options, deep).findings, []);
});

test('a bad level name is refused', () => {
  assert.deepEqual(codes(validateImport(tree, 'Raion Level!', [])), [['REGION_IMPORT_BAD_OPTION', null]]);
});

function square(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): { type: 'Polygon'; coordinates: Position[][] } {
  return {
    type: 'Polygon',
    coordinates: [
      [
        [x0, y0],
        [x1, y0],
        [x1, y1],
        [x0, y1],
        [x0, y0],
      ],
    ],
  };
}

test('property: any JSON at all is parsed without throwing, and refused with coded findings', () => {
  const feature = fc.record({
    type: fc.constantFrom('Feature', 'feature', 'Point'),
    properties: fc.oneof(
      fc.constant(null),
      fc.dictionary(fc.constantFrom('code', 'name_uk', 'name_en', 'oblast', '__proto__'), fc.jsonValue()),
    ),
    geometry: fc.oneof(
      fc.jsonValue(),
      fc.record({ type: fc.constantFrom('Polygon', 'MultiPolygon'), coordinates: fc.jsonValue() }),
    ),
  });
  fc.assert(
    fc.property(
      fc.oneof(
        fc.jsonValue(),
        fc.record({ type: fc.constant('FeatureCollection'), features: fc.array(feature, { maxLength: 5 }) }),
      ),
      (value) => {
        const parsed = parseImport(JSON.stringify(value), options);
        for (const f of parsed.findings)
          assert.ok(f.code.startsWith('REGION_IMPORT_') && typeof f.message === 'string');
        // Whatever parsed is well-formed enough for the validator not to throw.
        const inferred = inferParents(tree, 'raion', parsed.records, parsed.indexes);
        validateImport(tree, 'raion', inferred.records, parsed.indexes);
      },
    ),
    { numRuns: 500 },
  );
});
