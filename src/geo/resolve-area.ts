// CAP area → regions. Geocodes name regions directly (coverage 1). Polygons and circles reach
// every region they intersect, with the fraction of the region's surface covered, computed
// exactly (area.ts) in an equal-area projection; circles are 64-gons (circle.ts).
//
// Which hits are reported: the highest region that is wholly covered (its descendants are
// covered by inheritance, so they are not listed), and every partially covered region at every
// level, so a consumer sees both "part of Kharkiv oblast" and which raions of it are whole.
import type { Area } from '../cap/types.ts';
import type { PlaneShape } from './area.ts';
import { intersectionArea, projectPolygons, shapeArea } from './area.ts';
import { circleRing } from './circle.ts';
import type { EdgeIndex } from './point-in-polygon.ts';
import type { AreaHit, Position, Region } from './types.ts';

/** Coverage at or above this counts as the whole region: 1 % slack absorbs the difference
 * between a hand-drawn polygon and the official border. */
export const WHOLE_COVERAGE_THRESHOLD = 0.99;

/** CAP geocode valueName → the key in `Region.ids` it names, or `code` for the region code. */
export type GeocodeSchemes = Record<string, string>;

/** Geocode valueNames that always name a region by its code. */
export const CODE_GEOCODES = ['ISO 3166-2', 'TOCSIN-REGION'] as const;

/** What the tree hands to resolveArea; built once with the tree. */
export interface AreaContext {
  regions: readonly Region[];
  parentOf: readonly number[];
  indexOf: ReadonlyMap<string, number>;
  edgeIndexes: readonly (EdgeIndex | undefined)[];
  schemes: GeocodeSchemes;
  /** Region numbers of the point lookup chain, root first. */
  pointChain: (lat: number, lon: number) => number[];
}

interface Prepared {
  lon0: number;
  geocodes: Map<string, Map<string, number>>;
  shapes: (PlaneShape | undefined)[];
  areas: number[];
}

// Per-context derived data, built on first use (projecting 1,500 regions takes a while and
// most trees are asked only about geocodes).
const prepared = new WeakMap<AreaContext, Prepared>();

function prepare(context: AreaContext): Prepared {
  const existing = prepared.get(context);
  if (existing) return existing;
  let minX = Infinity;
  let maxX = -Infinity;
  for (const index of context.edgeIndexes) {
    if (!index) continue;
    minX = Math.min(minX, index.minX);
    maxX = Math.max(maxX, index.maxX);
  }
  const geocodes = new Map<string, Map<string, number>>();
  const schemes: GeocodeSchemes = { ...context.schemes };
  for (const name of CODE_GEOCODES) schemes[name] = 'code';
  for (const [valueName, key] of Object.entries(schemes)) {
    const map = new Map<string, number>();
    context.regions.forEach((region, i) => {
      const value = key === 'code' ? region.code : region.ids?.[key];
      if (value !== undefined && !map.has(value)) map.set(value, i);
    });
    geocodes.set(valueName, map);
  }
  const made: Prepared = {
    lon0: Number.isFinite(minX) ? (minX + maxX) / 2 : 0,
    geocodes,
    shapes: [],
    areas: [],
  };
  prepared.set(context, made);
  return made;
}

function regionShape(context: AreaContext, p: Prepared, i: number): PlaneShape | undefined {
  const cached = p.shapes[i];
  if (cached) return cached;
  const geometry = context.regions[i]?.geometry;
  if (!geometry) return undefined;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const shape = projectPolygons(polygons, p.lon0);
  p.shapes[i] = shape;
  p.areas[i] = shapeArea(shape);
  return shape;
}

/** Resolves a CAP area to region hits (tree order) and the geocodes of known schemes that name no region. */
export function resolveArea(
  context: AreaContext,
  area: Area,
): { hits: AreaHit[]; unknownGeocodes: string[] } {
  const p = prepare(context);
  const coverage = new Map<number, number>();
  const unknownGeocodes: string[] = [];
  for (const { valueName, value } of area.geocode) {
    const scheme = p.geocodes.get(valueName);
    if (!scheme) continue; // a scheme this tree does not know (e.g. FIPS): not ours to judge
    const i = scheme.get(value);
    if (i === undefined) unknownGeocodes.push(`${valueName}=${value}`);
    else coverage.set(i, 1);
  }
  const rings: Position[][] = [];
  for (const polygon of area.polygon) rings.push(polygon.map(([lat, lon]) => [lon, lat] as Position));
  for (const circle of area.circle) {
    if (circle.radiusKm > 0) rings.push(circleRing(circle.lat, circle.lon, circle.radiusKm));
  }
  for (const ring of rings) {
    if (ring.length < 4) continue;
    const shape = projectPolygons([[ring]], p.lon0);
    const ownArea = shapeArea(shape);
    // A ring with (next to) no area — collinear points — reaches nothing.
    if (!(ownArea > 1e-9 * perimeterSquared(shape.rings[0]))) continue;
    const box = boundsOf(ring);
    context.edgeIndexes.forEach((index, i) => {
      if (
        !index ||
        index.maxX < box.minX ||
        index.minX > box.maxX ||
        index.maxY < box.minY ||
        index.minY > box.maxY
      )
        return;
      const region = regionShape(context, p, i) as PlaneShape;
      const overlap = intersectionArea(region, shape);
      const regionArea = p.areas[i] as number;
      // Below a billionth of the smaller shape is rounding noise along a shared border.
      if (!(overlap > 1e-9 * Math.min(regionArea, ownArea))) return;
      coverage.set(i, Math.min(1, (coverage.get(i) ?? 0) + overlap / regionArea));
    });
  }
  // A zero-radius circle is a point: it reaches the deepest region holding it, covering
  // (next to) nothing of it.
  for (const circle of area.circle) {
    if (!(circle.radiusKm <= 0)) continue;
    const deepest = context.pointChain(circle.lat, circle.lon).at(-1);
    if (deepest !== undefined && !coverage.has(deepest)) coverage.set(deepest, Number.MIN_VALUE);
  }
  const hits: AreaHit[] = [];
  for (const [i, value] of [...coverage].sort((a, b) => a[0] - b[0])) {
    if (wholeAncestor(context, coverage, i)) continue;
    hits.push({
      code: (context.regions[i] as Region).code,
      coverage: value,
      whole: value >= WHOLE_COVERAGE_THRESHOLD,
    });
  }
  return { hits, unknownGeocodes };
}

function wholeAncestor(context: AreaContext, coverage: Map<number, number>, i: number): boolean {
  for (let p = context.parentOf[i] as number; p >= 0; p = context.parentOf[p] as number) {
    if ((coverage.get(p) ?? 0) >= WHOLE_COVERAGE_THRESHOLD) return true;
  }
  return false;
}

function perimeterSquared(ring: Float64Array | undefined): number {
  if (!ring) return 0;
  let sum = 0;
  for (let i = 0; i + 3 < ring.length; i += 2) {
    sum += Math.hypot(
      (ring[i + 2] as number) - (ring[i] as number),
      (ring[i + 3] as number) - (ring[i + 1] as number),
    );
  }
  return sum * sum;
}

function boundsOf(ring: Position[]): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of ring) {
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  return { minX, minY, maxX, maxY };
}
