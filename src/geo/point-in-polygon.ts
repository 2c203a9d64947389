// Exact point-in-polygon tests over a region's rings, with the edges bucketed into horizontal
// bands so a test only looks at the few edges near the point's latitude. Even–odd rule over all
// rings of a (multi)polygon: holes and exclaves come out right without knowing which is which.
import type { Position } from './types.ts';

/** Where a point lies relative to a region; ordered so that a larger value is a stronger claim. */
export const LOCATION = { outside: 0, boundary: 1, inside: 2 } as const;
export type Location = (typeof LOCATION)[keyof typeof LOCATION];

/** A point closer than this to an edge lies on the boundary (degrees, about 0.1 mm). */
export const BOUNDARY_EPSILON_DEG = 1e-9;

/** The edges of a set of rings, bucketed by horizontal bands. Built once per region. */
export interface EdgeIndex {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** x1, y1, x2, y2 per edge. */
  edges: Float64Array;
  bandMinY: number;
  bandHeight: number;
  bandCount: number;
  /** Edges of band b are bandEdges[bandStart[b] .. bandStart[b + 1]). */
  bandStart: Int32Array;
  bandEdges: Int32Array;
}

/** About this many edges per band; measured: 4 keeps a 1,000-edge oblast test under 0.1 µs. */
const EDGES_PER_BAND = 4;
const MAX_BANDS = 8192;

/** Builds the edge index of rings given as [x, y] positions (GeoJSON lon/lat). */
export function buildEdgeIndex(rings: readonly (readonly Position[])[]): EdgeIndex {
  let count = 0;
  for (const ring of rings) count += Math.max(0, ring.length - 1);
  const edges = new Float64Array(count * 4);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  let k = 0;
  for (const ring of rings) {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [x1, y1] = ring[i] as Position;
      const [x2, y2] = ring[i + 1] as Position;
      edges[k++] = x1;
      edges[k++] = y1;
      edges[k++] = x2;
      edges[k++] = y2;
      minX = Math.min(minX, x1, x2);
      maxX = Math.max(maxX, x1, x2);
      minY = Math.min(minY, y1, y2);
      maxY = Math.max(maxY, y1, y2);
    }
  }
  const bandCount = Math.max(1, Math.min(MAX_BANDS, Math.ceil(count / EDGES_PER_BAND)));
  const bandHeight = count === 0 ? 1 : Math.max((maxY - minY) / bandCount, 1e-12);
  const bandOf = (y: number) => Math.min(bandCount - 1, Math.max(0, Math.floor((y - minY) / bandHeight)));
  const sizes = new Int32Array(bandCount + 1);
  const ranges = new Int32Array(count * 2);
  for (let e = 0; e < count; e++) {
    const y1 = edges[e * 4 + 1] as number;
    const y2 = edges[e * 4 + 3] as number;
    const b0 = bandOf(Math.min(y1, y2) - BOUNDARY_EPSILON_DEG);
    const b1 = bandOf(Math.max(y1, y2) + BOUNDARY_EPSILON_DEG);
    ranges[e * 2] = b0;
    ranges[e * 2 + 1] = b1;
    for (let b = b0; b <= b1; b++) sizes[b + 1] = (sizes[b + 1] as number) + 1;
  }
  const bandStart = new Int32Array(bandCount + 1);
  for (let b = 0; b < bandCount; b++) bandStart[b + 1] = (bandStart[b] as number) + (sizes[b + 1] as number);
  const fill = bandStart.slice(0, bandCount);
  const bandEdges = new Int32Array(bandStart[bandCount] as number);
  for (let e = 0; e < count; e++) {
    for (let b = ranges[e * 2] as number; b <= (ranges[e * 2 + 1] as number); b++) {
      bandEdges[fill[b] as number] = e;
      fill[b] = (fill[b] as number) + 1;
    }
  }
  return { minX, minY, maxX, maxY, edges, bandMinY: minY, bandHeight, bandCount, bandStart, bandEdges };
}

/** Locates a point (x = lon, y = lat) against the rings: inside, on the boundary, or outside. */
export function locatePoint(index: EdgeIndex, x: number, y: number): Location {
  const eps = BOUNDARY_EPSILON_DEG;
  if (x < index.minX - eps || x > index.maxX + eps || y < index.minY - eps || y > index.maxY + eps) {
    return LOCATION.outside;
  }
  const band = Math.min(
    index.bandCount - 1,
    Math.max(0, Math.floor((y - index.bandMinY) / index.bandHeight)),
  );
  const { edges, bandEdges } = index;
  const end = index.bandStart[band + 1] as number;
  let inside = false;
  for (let k = index.bandStart[band] as number; k < end; k++) {
    const e = (bandEdges[k] as number) * 4;
    const x1 = edges[e] as number;
    const y1 = edges[e + 1] as number;
    const x2 = edges[e + 2] as number;
    const y2 = edges[e + 3] as number;
    if (onSegment(x, y, x1, y1, x2, y2)) return LOCATION.boundary;
    if (y1 > y !== y2 > y && x < x1 + ((y - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside;
  }
  return inside ? LOCATION.inside : LOCATION.outside;
}

/** True when (x, y) lies within BOUNDARY_EPSILON_DEG of the segment (x1, y1)–(x2, y2). */
export function onSegment(x: number, y: number, x1: number, y1: number, x2: number, y2: number): boolean {
  const eps = BOUNDARY_EPSILON_DEG;
  if (x < Math.min(x1, x2) - eps || x > Math.max(x1, x2) + eps) return false;
  if (y < Math.min(y1, y2) - eps || y > Math.max(y1, y2) + eps) return false;
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len2 = dx * dx + dy * dy;
  if (len2 === 0) return Math.abs(x - x1) <= eps && Math.abs(y - y1) <= eps;
  const cross = dx * (y - y1) - dy * (x - x1);
  return cross * cross <= eps * eps * len2;
}

/** Every ring of a (multi)polygon geometry, outer rings and holes alike. */
export function ringsOf(coordinates: Position[][] | Position[][][], multi: boolean): Position[][] {
  return multi ? (coordinates as Position[][][]).flat() : (coordinates as Position[][]);
}
