// Geometry checks of CAP areas (CAP 1.2 §3.2.4): polygon shape, WGS 84 ranges, simplicity, circles.
// Self-intersection uses a uniform grid with cells the size of the mean edge: each edge is
// registered in the cells it passes through, and only edges sharing a cell are tested against
// each other. A realistic 100,000-point ring is checked in tens of milliseconds
// (src/cap/geometry.test.ts measures it). Rings built to defeat a grid (thousands of long, thin,
// densely packed spikes) would cost quadratic time, so the work is bounded: past the budget the
// polygon is refused as too intricate to verify rather than accepted unchecked.
import { finding } from './findings.ts';
import type { Circle, Finding, LatLon } from './types.ts';

/** Half the Earth's equatorial circumference: no circle on the globe needs a larger radius. */
export const MAX_CIRCLE_RADIUS_KM = 20_037.5;
/** Work allowed per edge (grid cells visited, segment pairs tested) before a ring is too intricate. */
const WORK_PER_EDGE = 32;
const WORK_BASE = 1_000_000;
// Below this many edges testing every pair beats building the grid: a 41-point ring takes ~3 µs
// instead of ~25 µs (measured with the Montgomery County fixture).
const SMALL_RING_EDGES = 64;

function inRange(lat: number, lon: number): boolean {
  return lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180; // false for NaN too
}

function point(p: LatLon | undefined): string {
  return p === undefined ? '?' : `${p[0]},${p[1]}`;
}

// Vertex buffers reused from one polygon to the next: allocating three typed arrays per polygon
// cost more than checking a 40-point ring. Safe because checks are synchronous and never nest.
interface Scratch {
  xs: Float64Array;
  ys: Float64Array;
  orig: Int32Array;
  /** Edge bounding boxes, for small rings. */
  x0: Float64Array;
  x1: Float64Array;
  y0: Float64Array;
  y1: Float64Array;
}
const newScratch = (size: number): Scratch => {
  const n = 2 ** Math.ceil(Math.log2(Math.max(size, 64)));
  const box = Math.max(n, SMALL_RING_EDGES);
  return {
    xs: new Float64Array(n),
    ys: new Float64Array(n),
    orig: new Int32Array(n),
    x0: new Float64Array(box),
    x1: new Float64Array(box),
    y0: new Float64Array(box),
    y1: new Float64Array(box),
  };
};
let scratch = newScratch(64);

/** Checks one `<polygon>`: point count, ranges, closure, then simplicity. */
export function checkPolygon(points: readonly LatLon[], path: string, out: Finding[]): void {
  const count = points.length;
  if (count < 4) {
    out.push(finding('CAP_POLYGON_TOO_FEW_POINTS', path, { count, distinct: '' }));
    return;
  }
  for (let i = 0; i < count; i++) {
    const p = points[i];
    if (p === undefined || !inRange(p[0], p[1])) {
      out.push(
        finding('CAP_COORDINATE_OUT_OF_RANGE', path, { index: i, lat: p?.[0] ?? '?', lon: p?.[1] ?? '?' }),
      );
      return; // one finding per polygon: a wrong axis order would otherwise report every point
    }
  }
  const first = points[0] as LatLon;
  const last = points[count - 1] as LatLon;
  if (first[0] !== last[0] || first[1] !== last[1]) {
    out.push(finding('CAP_POLYGON_NOT_CLOSED', path, { first: point(first), last: point(last) }));
    return;
  }
  // Distinct vertices of the ring (consecutive repeats dropped, closing point excluded), x = lon.
  if (scratch.orig.length < count) scratch = newScratch(count);
  const { xs, ys, orig } = scratch;
  let n = 0;
  for (let i = 0; i < count - 1; i++) {
    const p = points[i] as LatLon;
    if (n > 0 && xs[n - 1] === p[1] && ys[n - 1] === p[0]) continue;
    xs[n] = p[1];
    ys[n] = p[0];
    orig[n] = i;
    n++;
  }
  if (n > 1 && xs[n - 1] === xs[0] && ys[n - 1] === ys[0]) n--;
  if (n < 3) {
    out.push(finding('CAP_POLYGON_TOO_FEW_POINTS', path, { count, distinct: ` (${n} distinct)` }));
    return;
  }
  const hit = findSelfIntersection(xs, ys, n);
  if (hit === 'too-complex') {
    out.push(finding('CAP_POLYGON_TOO_COMPLEX', path, { count }));
  } else if (hit !== null) {
    out.push(finding('CAP_POLYGON_SELF_INTERSECTION', path, { a: orig[hit[0]] ?? 0, b: orig[hit[1]] ?? 0 }));
  }
}

/** Checks one `<circle>`: centre in range, radius a number in [0, MAX_CIRCLE_RADIUS_KM]. */
export function checkCircle(circle: Circle, path: string, out: Finding[]): void {
  if (!inRange(circle.lat, circle.lon)) {
    out.push(finding('CAP_COORDINATE_OUT_OF_RANGE', path, { index: 0, lat: circle.lat, lon: circle.lon }));
  }
  const r = circle.radiusKm;
  if (!(r >= 0 && r <= MAX_CIRCLE_RADIUS_KM)) {
    out.push(finding('CAP_CIRCLE_INVALID', path, { radius: r, max: MAX_CIRCLE_RADIUS_KM }));
  }
}

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

// c lies on segment ab, given that a, b and c are collinear.
function within(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): boolean {
  return Math.min(ax, bx) <= cx && cx <= Math.max(ax, bx) && Math.min(ay, by) <= cy && cy <= Math.max(ay, by);
}

/** Whether closed segments p1p2 and q1q2 share at least one point. */
export function segmentsIntersect(
  p1x: number,
  p1y: number,
  p2x: number,
  p2y: number,
  q1x: number,
  q1y: number,
  q2x: number,
  q2y: number,
): boolean {
  const d1 = orient(q1x, q1y, q2x, q2y, p1x, p1y);
  const d2 = orient(q1x, q1y, q2x, q2y, p2x, p2y);
  const d3 = orient(p1x, p1y, p2x, p2y, q1x, q1y);
  const d4 = orient(p1x, p1y, p2x, p2y, q2x, q2y);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  if (d1 === 0 && within(q1x, q1y, q2x, q2y, p1x, p1y)) return true;
  if (d2 === 0 && within(q1x, q1y, q2x, q2y, p2x, p2y)) return true;
  if (d3 === 0 && within(p1x, p1y, p2x, p2y, q1x, q1y)) return true;
  return d4 === 0 && within(p1x, p1y, p2x, p2y, q2x, q2y);
}

/**
 * Finds two edges of the closed ring (vertices 0..n-1, edge i runs from vertex i to i+1 mod n)
 * that meet anywhere other than at the vertex adjacent edges share; null when the ring is simple;
 * 'too-complex' when the answer would take more than the work budget.
 */
export function findSelfIntersection(
  xs: Float64Array,
  ys: Float64Array,
  n: number,
  /** Rings of at most this many edges test every pair; larger ones use the grid. */
  smallRing = SMALL_RING_EDGES,
): [number, number] | null | 'too-complex' {
  // Adjacent edges share a vertex; they only overlap when the ring doubles back on itself.
  for (let i = 0; i < n; i++) {
    const a = i;
    const b = (i + 1) % n;
    const c = (i + 2) % n;
    const ux = (xs[b] as number) - (xs[a] as number);
    const uy = (ys[b] as number) - (ys[a] as number);
    const vx = (xs[c] as number) - (xs[b] as number);
    const vy = (ys[c] as number) - (ys[b] as number);
    if (ux * vy - uy * vx === 0 && ux * vx + uy * vy < 0) return a < b ? [a, b] : [b, a];
  }
  if (n < 4) return null; // a triangle has no non-adjacent edges
  if (n <= smallRing) return bruteForce(xs, ys, n);

  // Cells as large as the mean edge: a ring (a 1-D curve) then touches about one cell per edge
  // and each touched cell holds a handful of edges, whatever the ring's extent. Cells live in a
  // sorted list of (cell, edge) keys rather than a dense array, so a huge sparse grid costs nothing.
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity,
    length = 0;
  for (let i = 0; i < n; i++) {
    const x = xs[i] as number,
      y = ys[i] as number;
    const j = i + 1 === n ? 0 : i + 1;
    length += Math.max(Math.abs((xs[j] as number) - x), Math.abs((ys[j] as number) - y));
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const cell = length / n || 1;
  const rows = Math.floor((maxY - minY) / cell) + 1;
  const cols = Math.floor((maxX - minX) / cell) + 1;
  const edgeSlots = 2 ** Math.ceil(Math.log2(n + 1));
  if (rows * cols * edgeSlots > Number.MAX_SAFE_INTEGER) return 'too-complex';
  const eps = cell * 1e-9; // widen each edge's cover a hair so border-line touches share a cell
  const budget = WORK_BASE + WORK_PER_EDGE * n;

  let keys = new Float64Array(4 * n);
  let entries = 0;
  for (let e = 0; e < n; e++) {
    const f = e + 1 === n ? 0 : e + 1;
    let x0 = xs[e] as number,
      y0 = ys[e] as number,
      x1 = xs[f] as number,
      y1 = ys[f] as number;
    if (x1 < x0) {
      const tx = x0,
        ty = y0;
      x0 = x1;
      y0 = y1;
      x1 = tx;
      y1 = ty;
    }
    const c0 = Math.max(0, Math.floor((x0 - eps - minX) / cell));
    const c1 = Math.min(cols - 1, Math.floor((x1 + eps - minX) / cell));
    const slope = x1 === x0 ? 0 : (y1 - y0) / (x1 - x0);
    for (let c = c0; c <= c1; c++) {
      // the part of the edge inside column c, and the rows it spans there
      const xa = Math.max(x0, minX + c * cell);
      const xb = Math.min(x1, minX + (c + 1) * cell);
      const ya = x1 === x0 ? y0 : y0 + (xa - x0) * slope;
      const yb = x1 === x0 ? y1 : y0 + (xb - x0) * slope;
      const r0 = Math.max(0, Math.floor((Math.min(ya, yb) - eps - minY) / cell));
      const r1 = Math.min(rows - 1, Math.floor((Math.max(ya, yb) + eps - minY) / cell));
      if (entries + (r1 - r0 + 1) > keys.length) {
        if (entries > budget) return 'too-complex';
        const grown = new Float64Array(keys.length * 2);
        grown.set(keys);
        keys = grown;
      }
      for (let r = r0; r <= r1; r++) keys[entries++] = (c * rows + r) * edgeSlots + e;
    }
  }
  const sorted = keys.subarray(0, entries).sort();

  let work = entries;
  for (let i = 0; i < entries; ) {
    const cellKey = Math.floor((sorted[i] as number) / edgeSlots);
    let end = i + 1;
    while (end < entries && Math.floor((sorted[end] as number) / edgeSlots) === cellKey) end++;
    work += ((end - i) * (end - i - 1)) / 2;
    if (work > budget) return 'too-complex';
    for (let p = i; p < end; p++) {
      const a = (sorted[p] as number) % edgeSlots;
      const a2 = a + 1 === n ? 0 : a + 1;
      const ax = xs[a] as number,
        ay = ys[a] as number,
        bx = xs[a2] as number,
        by = ys[a2] as number;
      for (let q = p + 1; q < end; q++) {
        const b = (sorted[q] as number) % edgeSlots;
        const b2 = b + 1 === n ? 0 : b + 1;
        if (b === a2 || b2 === a) continue; // adjacent edges share a vertex
        const cx = xs[b] as number,
          cy = ys[b] as number,
          dx = xs[b2] as number,
          dy = ys[b2] as number;
        if (Math.max(ax, bx) < Math.min(cx, dx) || Math.max(cx, dx) < Math.min(ax, bx)) continue;
        if (Math.max(ay, by) < Math.min(cy, dy) || Math.max(cy, dy) < Math.min(ay, by)) continue;
        if (segmentsIntersect(ax, ay, bx, by, cx, cy, dx, dy)) return a < b ? [a, b] : [b, a];
      }
    }
    i = end;
  }
  return null;
}

function bruteForce(xs: Float64Array, ys: Float64Array, n: number): [number, number] | null {
  // edge bounding boxes first: most pairs are rejected on these four numbers
  if (scratch.x0.length < n) scratch = newScratch(n); // the caller's xs, ys stay untouched
  const { x0, x1, y0, y1 } = scratch;
  for (let e = 0; e < n; e++) {
    const f = e + 1 === n ? 0 : e + 1;
    const ax = xs[e] as number,
      bx = xs[f] as number,
      ay = ys[e] as number,
      by = ys[f] as number;
    x0[e] = Math.min(ax, bx);
    x1[e] = Math.max(ax, bx);
    y0[e] = Math.min(ay, by);
    y1[e] = Math.max(ay, by);
  }
  for (let a = 0; a < n; a++) {
    const ax0 = x0[a] as number,
      ax1 = x1[a] as number,
      ay0 = y0[a] as number,
      ay1 = y1[a] as number;
    // edges a+2 .. n-1, or .. n-2 for edge 0, whose predecessor is edge n-1
    const last = a === 0 ? n - 2 : n - 1;
    for (let b = a + 2; b <= last; b++) {
      if (
        ax1 < (x0[b] as number) ||
        (x1[b] as number) < ax0 ||
        ay1 < (y0[b] as number) ||
        (y1[b] as number) < ay0
      ) {
        continue;
      }
      const a2 = a + 1,
        b2 = b + 1 === n ? 0 : b + 1;
      const hit = segmentsIntersect(
        xs[a] as number,
        ys[a] as number,
        xs[a2] as number,
        ys[a2] as number,
        xs[b] as number,
        ys[b] as number,
        xs[b2] as number,
        ys[b2] as number,
      );
      if (hit) return [a, b];
    }
  }
  return null;
}
