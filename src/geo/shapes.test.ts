import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { DEFAULT_REGIONS_ATTRIBUTION, loadDefaultRegions } from '../store/default-regions.ts';
import { createRegionTree } from './region-tree.ts';
import type { Detail } from './shapes.ts';
import { buildShapes, DEFAULT_DETAIL, DETAILS } from './shapes.ts';

const tree = createRegionTree(loadDefaultRegions());
const oblasts = tree.all().filter((r) => r.level === 'oblast');
const built = Object.fromEntries(
  (Object.keys(DETAILS) as Detail[]).map((d) => [d, buildShapes(oblasts, d, DEFAULT_REGIONS_ATTRIBUTION)]),
) as Record<Detail, ReturnType<typeof buildShapes>>;
const gz = (value: unknown) => gzipSync(JSON.stringify(value)).length;

test('the whole default map at the default detail is well under 100 KB gzipped, as TopoJSON and GeoJSON', () => {
  const shapes = built[DEFAULT_DETAIL];
  assert.ok(gz(shapes.topology) < 40_000, `TopoJSON ${gz(shapes.topology)} bytes gzipped`);
  assert.ok(gz(shapes.geojson) < 60_000, `GeoJSON ${gz(shapes.geojson)} bytes gzipped`);
  assert.equal(shapes.geojson.features.length, 27);
  // The source is 538 KB: the map really is simplified.
  assert.ok(JSON.stringify(shapes.geojson).length < 200_000);
});

test('more detail, more bytes', () => {
  assert.ok(gz(built.low.topology) < gz(built.medium.topology));
  assert.ok(gz(built.medium.topology) < gz(built.high.topology));
});

test('shared borders stay shared: arcs are used by two regions and both sides keep the same points', () => {
  const { topology, geojson } = built[DEFAULT_DETAIL];
  const users = new Map<number, Set<string>>();
  const collect = (arcs: unknown, code: string): void => {
    if (typeof arcs === 'number') {
      const arc = arcs < 0 ? ~arcs : arcs;
      users.set(arc, (users.get(arc) ?? new Set()).add(code));
    } else if (Array.isArray(arcs)) for (const a of arcs) collect(a, code);
  };
  for (const geometry of topology.objects.regions.geometries) {
    collect(
      (geometry as { arcs?: unknown }).arcs,
      String((geometry.properties as { code?: string } | undefined)?.code),
    );
  }
  const shared = [...users.values()].filter((s) => s.size === 2).length;
  assert.ok(shared >= 40, `${shared} arcs shared by two regions`);
  const points = (code: string) => {
    const g = geojson.features.find((f) => f.properties.code === code)?.geometry;
    return new Set(
      (g?.type === 'Polygon' ? g.coordinates : (g?.coordinates.flat() ?? [])).flat().map((p) => p.join(',')),
    );
  };
  const sumy = points('UA-59');
  const common = [...points('UA-63')].filter((p) => sumy.has(p));
  assert.ok(common.length >= 3, 'simplified Sumy and Kharkiv oblasts still meet on common points');
});

test('simplified shapes stay valid and recognisable', () => {
  for (const detail of Object.keys(DETAILS) as Detail[]) {
    for (const f of built[detail].geojson.features) {
      const polygons = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
      for (const ring of polygons.flat()) {
        assert.ok(ring.length >= 4, `${detail} ${f.properties.code} ring of ${ring.length}`);
        assert.deepEqual(ring[0], ring.at(-1));
      }
    }
  }
  const sumy = built.low.geojson.features.find((f) => f.id === 'UA-59');
  assert.ok(sumy && booleanPointInPolygon([34.8, 50.91], sumy));
  assert.deepEqual(sumy.properties, {
    code: 'UA-59',
    parent: 'UA',
    level: 'oblast',
    names: { uk: 'Сумська область', en: 'Sumy Oblast' },
  });
  assert.equal(built.low.topology.attribution, DEFAULT_REGIONS_ATTRIBUTION);
  assert.equal(built.low.geojson.attribution, DEFAULT_REGIONS_ATTRIBUTION);
});

test('regions without a geometry are left out', () => {
  assert.equal(buildShapes(tree.all(), 'low').geojson.features.length, 27);
  assert.equal(buildShapes([], 'low').geojson.features.length, 0);
});
