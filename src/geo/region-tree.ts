// The region tree: built once from records, then answers lookups without allocating much.
//
// Point lookups walk down the tree. At each step the candidates are the children (of the region
// chosen one step up) whose geometry reaches the point's grid cell; a candidate whose interior
// holds the point beats one whose boundary holds it, and among equals the smallest code wins.
// So a point on a shared border belongs to both regions' boundaries and resolves to the smaller
// code (UA-30 rather than UA-32), the same answer on every node. A region without a geometry
// (the `UA` root) holds a point when one of its children does.
import type { Area } from '../cap/types.ts';
import { GEO_ERRORS, GeoError } from './errors.ts';
import type { EdgeIndex, Location } from './point-in-polygon.ts';
import { buildEdgeIndex, LOCATION, locatePoint, ringsOf } from './point-in-polygon.ts';
import type { AreaContext, GeocodeSchemes } from './resolve-area.ts';
import { resolveArea } from './resolve-area.ts';
import { buildGrid, cellOf } from './spatial-index.ts';
import type { Region, RegionRecord, RegionTree } from './types.ts';

export interface RegionTreeOptions {
  /** CAP geocode valueName → the `ids` key it names (or `code`), e.g. `{ alerts_in_ua: 'alerts_in_ua' }`.
   * `ISO 3166-2` and `TOCSIN-REGION` always map to the region code. */
  geocodeSchemes?: GeocodeSchemes;
}

const NO_PARENT = -1;

/** Builds the tree; throws GeoError REGION_TREE_INVALID when the records do not form one. */
export function createRegionTree(
  records: readonly RegionRecord[],
  options: RegionTreeOptions = {},
): RegionTree {
  const byCode = new Map<string, number>();
  const problems: string[] = [];
  records.forEach((record, i) => {
    if (typeof record.code !== 'string' || record.code === '') problems.push(`record ${i}: empty code`);
    else if (byCode.has(record.code)) problems.push(`record ${i}: duplicate code ${record.code}`);
    else byCode.set(record.code, i);
  });
  for (const record of records) {
    if (record.parent !== null && !byCode.has(record.parent))
      problems.push(`${record.code}: unknown parent ${record.parent}`);
  }
  if (problems.length > 0)
    throw new GeoError(GEO_ERRORS.treeInvalid, 'the region records do not form a tree', problems);

  // Order: depth-first, siblings by code, so parents come before children.
  const childrenOfRecord = new Map<string | null, RegionRecord[]>();
  for (const record of records) {
    const list = childrenOfRecord.get(record.parent) ?? [];
    list.push(record);
    childrenOfRecord.set(record.parent, list);
  }
  for (const list of childrenOfRecord.values()) list.sort((a, b) => compareCodes(a.code, b.code));
  const regions: Region[] = [];
  const parentOf: number[] = [];
  const walk = (parent: string | null, parentIndex: number, depth: number) => {
    for (const record of childrenOfRecord.get(parent) ?? []) {
      const region = Object.freeze({ ...record, depth }) as Region;
      const index = regions.length;
      regions.push(region);
      parentOf.push(parentIndex);
      walk(record.code, index, depth + 1);
    }
  };
  walk(null, NO_PARENT, 0);
  if (regions.length !== records.length) {
    throw new GeoError(GEO_ERRORS.treeInvalid, 'the region records contain a cycle', [
      records
        .filter((r) => !regions.some((x) => x.code === r.code))
        .map((r) => r.code)
        .join(', '),
    ]);
  }
  const indexOf = new Map(regions.map((r, i) => [r.code, i]));
  const children: number[][] = Array.from({ length: regions.length + 1 }, () => []);
  parentOf.forEach((p, i) => {
    children[p + 1]?.push(i);
  });

  const edgeIndexes: (EdgeIndex | undefined)[] = regions.map((r) =>
    r.geometry
      ? buildEdgeIndex(ringsOf(r.geometry.coordinates, r.geometry.type === 'MultiPolygon'))
      : undefined,
  );
  const grid = buildGrid(edgeIndexes);
  // Children without a geometry, per parent (+1): they are searched through their own children.
  const hollowChildren = children.map((list) => list.filter((i) => edgeIndexes[i] === undefined));
  const levelNames = [
    ...new Set(
      regions
        .slice()
        .sort((a, b) => a.depth - b.depth)
        .map((r) => r.level),
    ),
  ];

  /** The best child of `parent` holding the point, followed by its own best descendants. */
  function pick(parent: number, x: number, y: number, cell: number, chain: number[]): Location {
    let best = -1;
    let bestScore: Location = LOCATION.outside;
    if (cell >= 0) {
      const end = grid.cellStart[cell + 1] as number;
      for (let k = grid.cellStart[cell] as number; k < end; k++) {
        const r = grid.entries[k] as number;
        if (parentOf[r] !== parent) continue;
        const score: Location =
          grid.full[k] === 1 ? LOCATION.inside : locatePoint(edgeIndexes[r] as EdgeIndex, x, y);
        if (
          score > bestScore ||
          (score === bestScore &&
            score !== LOCATION.outside &&
            compareCodes(regions[r]!.code, regions[best]!.code) < 0)
        ) {
          best = r;
          bestScore = score;
        }
      }
    }
    let bestTail: number[] | undefined;
    for (const h of hollowChildren[parent + 1] as number[]) {
      const tail: number[] = [];
      const score = pick(h, x, y, cell, tail);
      if (score === LOCATION.outside) continue;
      if (
        score > bestScore ||
        (score === bestScore && compareCodes(regions[h]!.code, regions[best]!.code) < 0)
      ) {
        best = h;
        bestScore = score;
        bestTail = tail;
      }
    }
    if (best < 0) return LOCATION.outside;
    chain.push(best);
    if (bestTail) chain.push(...bestTail);
    else pick(best, x, y, cell, chain);
    return bestScore;
  }

  const pointChain = (lat: number, lon: number): number[] => {
    const chain: number[] = [];
    if (Number.isFinite(lat) && Number.isFinite(lon))
      pick(NO_PARENT, lon, lat, cellOf(grid, lon, lat), chain);
    return chain;
  };
  const context: AreaContext = {
    regions,
    parentOf,
    indexOf,
    edgeIndexes,
    schemes: options.geocodeSchemes ?? {},
    pointChain,
  };

  const tree: RegionTree = {
    get: (code) => {
      const i = indexOf.get(code);
      return i === undefined ? undefined : regions[i];
    },
    has: (code) => indexOf.has(code),
    all: () => regions.slice(),
    roots: () => (children[0] as number[]).map((i) => regions[i] as Region),
    children: (code) => {
      const i = indexOf.get(code);
      return i === undefined ? [] : (children[i + 1] as number[]).map((c) => regions[c] as Region);
    },
    ancestors: (code) => {
      const out: Region[] = [];
      const i = indexOf.get(code);
      if (i === undefined) return out;
      for (let p = parentOf[i] as number; p !== NO_PARENT; p = parentOf[p] as number)
        out.push(regions[p] as Region);
      return out.reverse();
    },
    descendants: (code) => {
      const i = indexOf.get(code);
      if (i === undefined) return [];
      const out: Region[] = [];
      const stack = [...(children[i + 1] as number[])].reverse();
      while (stack.length > 0) {
        const c = stack.pop() as number;
        out.push(regions[c] as Region);
        stack.push(...[...(children[c + 1] as number[])].reverse());
      }
      return out;
    },
    covers: (ancestor, code) => {
      const a = indexOf.get(ancestor);
      let i = indexOf.get(code);
      if (a === undefined || i === undefined) return false;
      while (i !== NO_PARENT) {
        if (i === a) return true;
        i = parentOf[i] as number;
      }
      return false;
    },
    lookupPoint: (lat, lon) => pointChain(lat, lon).map((i) => regions[i] as Region),
    resolveArea: (area: Area) => resolveArea(context, area),
    levels: () => levelNames.slice(),
  };
  return tree;
}

/** Code order used for ties: plain UTF-16 order, the same on every node. */
export function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
