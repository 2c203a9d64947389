// Exact area of the intersection of two (multi)polygons, for "which fraction of a region does
// this CAP polygon cover". Both shapes are projected to the sinusoidal projection (equal-area,
// so planar areas are proportional to areas on the sphere) and the intersection's area is the
// boundary integral ∮ x dy over ∂(A ∩ B) = (∂A inside B) ∪ (∂B inside A) ∪ (shared boundary
// running the same way) — Green's theorem, so neither shape has to be convex and holes count.
import type { EdgeIndex } from './point-in-polygon.ts';
import { buildEdgeIndex, LOCATION, locatePoint } from './point-in-polygon.ts';
import type { Position } from './types.ts';

/** A shape in the projected plane: closed rings (x0, y0, x1, y1, ..., x0, y0), outer rings
 * counter-clockwise and holes clockwise. */
export interface PlaneShape {
  rings: Float64Array[];
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** The same edges bucketed by bands, so splitting and classifying look only nearby. */
  index: EdgeIndex;
}

const DEG = Math.PI / 180;
/** Relative tolerance for on-boundary tests in the projected plane (degrees, ~0.1 mm). */
const EPS = 1e-9;

/** Projects polygons (outer ring then holes, GeoJSON lon/lat) to the sinusoidal plane around `lon0`. */
export function projectPolygons(
  polygons: readonly (readonly (readonly Position[])[])[],
  lon0: number,
): PlaneShape {
  const rings: Float64Array[] = [];
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const polygon of polygons) {
    polygon.forEach((ring, i) => {
      if (ring.length < 4) return;
      const out = new Float64Array(ring.length * 2);
      ring.forEach(([lon, lat], k) => {
        const x = (lon - lon0) * Math.cos(lat * DEG);
        out[k * 2] = x;
        out[k * 2 + 1] = lat;
        minX = Math.min(minX, x);
        maxX = Math.max(maxX, x);
        minY = Math.min(minY, lat);
        maxY = Math.max(maxY, lat);
      });
      const area = signedArea(out);
      // Outer rings counter-clockwise (positive), holes clockwise.
      if ((i === 0) !== area > 0) reverseRing(out);
      rings.push(out);
    });
  }
  const asPositions = rings.map((ring) => {
    const out: Position[] = [];
    for (let i = 0; i + 1 < ring.length; i += 2) out.push([ring[i] as number, ring[i + 1] as number]);
    return out;
  });
  return { rings, minX, minY, maxX, maxY, index: buildEdgeIndex(asPositions) };
}

/** The area of a shape in the projected plane (square degrees of the sinusoidal projection). */
export function shapeArea(shape: PlaneShape): number {
  let sum = 0;
  for (const ring of shape.rings) sum += signedArea(ring);
  return sum;
}

/** The area of A ∩ B in the projected plane. */
export function intersectionArea(a: PlaneShape, b: PlaneShape): number {
  if (a.maxX < b.minX || b.maxX < a.minX || a.maxY < b.minY || b.maxY < a.minY) return 0;
  return Math.max(0, boundaryInside(a, b, true) + boundaryInside(b, a, false));
}

function signedArea(ring: Float64Array): number {
  let sum = 0;
  for (let i = 0; i + 3 < ring.length; i += 2) {
    sum += (ring[i] as number) * (ring[i + 3] as number) - (ring[i + 2] as number) * (ring[i + 1] as number);
  }
  return sum / 2;
}

function reverseRing(ring: Float64Array): void {
  const n = ring.length / 2;
  for (let i = 0; i < n / 2; i++) {
    const j = n - 1 - i;
    const x = ring[i * 2] as number;
    const y = ring[i * 2 + 1] as number;
    ring[i * 2] = ring[j * 2] as number;
    ring[i * 2 + 1] = ring[j * 2 + 1] as number;
    ring[j * 2] = x;
    ring[j * 2 + 1] = y;
  }
}

/** ∮ x dy / 2-style sum over the pieces of ∂A that lie inside B (and, when `sameWay`, on ∂B
 * running the same direction, so a shared boundary is counted once). */
function boundaryInside(a: PlaneShape, b: PlaneShape, sameWay: boolean): number {
  let sum = 0;
  const ts: number[] = [];
  for (const ring of a.rings) {
    for (let i = 0; i + 3 < ring.length; i += 2) {
      const px = ring[i] as number;
      const py = ring[i + 1] as number;
      const qx = ring[i + 2] as number;
      const qy = ring[i + 3] as number;
      if (Math.max(px, qx) < b.minX - EPS || Math.min(px, qx) > b.maxX + EPS) continue;
      if (Math.max(py, qy) < b.minY - EPS || Math.min(py, qy) > b.maxY + EPS) continue;
      ts.length = 0;
      ts.push(0, 1);
      splitParameters(px, py, qx, qy, b, ts);
      ts.sort((m, n) => m - n);
      for (let k = 0; k + 1 < ts.length; k++) {
        const t0 = ts[k] as number;
        const t1 = ts[k + 1] as number;
        if (t1 - t0 <= 1e-12) continue;
        const tm = (t0 + t1) / 2;
        const where = classify(b, px + (qx - px) * tm, py + (qy - py) * tm, qx - px, qy - py);
        if (where === INSIDE || (sameWay && where === ON_SAME)) {
          const x0 = px + (qx - px) * t0;
          const y0 = py + (qy - py) * t0;
          const x1 = px + (qx - px) * t1;
          const y1 = py + (qy - py) * t1;
          sum += (x0 * y1 - x1 * y0) / 2;
        }
      }
    }
  }
  return sum;
}

/** Adds to `ts` the parameters along p→q where it meets an edge of `b`. */
function splitParameters(px: number, py: number, qx: number, qy: number, b: PlaneShape, ts: number[]): void {
  const dx = qx - px;
  const dy = qy - py;
  const len = Math.hypot(dx, dy);
  if (len === 0) return;
  const minX = Math.min(px, qx) - EPS;
  const maxX = Math.max(px, qx) + EPS;
  const minY = Math.min(py, qy) - EPS;
  const maxY = Math.max(py, qy) + EPS;
  const { edges, bandStart, bandEdges, bandCount, bandMinY, bandHeight } = b.index;
  const band0 = Math.max(0, Math.floor((minY - bandMinY) / bandHeight));
  const band1 = Math.min(bandCount - 1, Math.floor((maxY - bandMinY) / bandHeight));
  // An edge spanning several bands is seen more than once: the repeated split is harmless.
  for (let band = band0; band <= band1; band++) {
    for (let k = bandStart[band] as number; k < (bandStart[band + 1] as number); k++) {
      const j = (bandEdges[k] as number) * 4;
      const rx = edges[j] as number;
      const ry = edges[j + 1] as number;
      const sx = edges[j + 2] as number;
      const sy = edges[j + 3] as number;
      if (
        Math.max(rx, sx) < minX ||
        Math.min(rx, sx) > maxX ||
        Math.max(ry, sy) < minY ||
        Math.min(ry, sy) > maxY
      )
        continue;
      const ex = sx - rx;
      const ey = sy - ry;
      const denom = dx * ey - dy * ex;
      const elen = Math.hypot(ex, ey);
      const wx = rx - px;
      const wy = ry - py;
      if (Math.abs(denom) > EPS * len * elen) {
        const t = (wx * ey - wy * ex) / denom;
        const u = (wx * dy - wy * dx) / denom;
        if (t > 0 && t < 1 && u >= -EPS / elen && u <= 1 + EPS / elen) ts.push(t);
      } else if (Math.abs(wx * dy - wy * dx) <= EPS * len) {
        // Collinear: the ends of the overlap split the edge.
        const tr = (wx * dx + wy * dy) / (len * len);
        const tsv = ((sx - px) * dx + (sy - py) * dy) / (len * len);
        if (tr > 0 && tr < 1) ts.push(tr);
        if (tsv > 0 && tsv < 1) ts.push(tsv);
      }
    }
  }
}

const OUTSIDE = 0;
const INSIDE = 2;
const ON_SAME = 1;
const ON_OPPOSITE = 3;

/** Where (x, y) lies relative to `shape`; on the boundary, whether that edge runs along (dx, dy). */
function classify(shape: PlaneShape, x: number, y: number, dx: number, dy: number): number {
  const where = locatePoint(shape.index, x, y);
  if (where === LOCATION.inside) return INSIDE;
  if (where === LOCATION.outside) return OUTSIDE;
  return boundaryDirection(shape, x, y, dx, dy);
}

/** On the boundary: whether the edge under (x, y) runs along (dx, dy); a full scan, rare. */
function boundaryDirection(shape: PlaneShape, x: number, y: number, dx: number, dy: number): number {
  let inside = false;
  for (const ring of shape.rings) {
    for (let i = 0; i + 3 < ring.length; i += 2) {
      const x1 = ring[i] as number;
      const y1 = ring[i + 1] as number;
      const x2 = ring[i + 2] as number;
      const y2 = ring[i + 3] as number;
      const ex = x2 - x1;
      const ey = y2 - y1;
      const len2 = ex * ex + ey * ey;
      if (
        len2 > 0 &&
        x >= Math.min(x1, x2) - EPS &&
        x <= Math.max(x1, x2) + EPS &&
        y >= Math.min(y1, y2) - EPS &&
        y <= Math.max(y1, y2) + EPS
      ) {
        const cross = ex * (y - y1) - ey * (x - x1);
        if (cross * cross <= EPS * EPS * len2) return ex * dx + ey * dy > 0 ? ON_SAME : ON_OPPOSITE;
      }
      if (y1 > y !== y2 > y && x < x1 + ((y - y1) * (x2 - x1)) / (y2 - y1)) inside = !inside;
    }
  }
  return inside ? INSIDE : OUTSIDE;
}
