// Finds two edges of a polygon (outer ring and holes together) that cross. A sweep over edges
// sorted by their west end compares only edges whose x-ranges overlap. Touching at a vertex and
// collinear overlaps (zero-width spikes, as left by clipping) are not crossings.
import type { Position } from './types.ts';

export interface Crossing {
  /** Ring and position index of the first edge's start. */
  ring: number;
  position: number;
  otherRing: number;
  otherPosition: number;
}

/** The first crossing found, or undefined; `budget` caps the pairs compared (undefined past it). */
export function findCrossing(
  rings: readonly (readonly Position[])[],
  budget = 50_000_000,
): Crossing | 'budget' | undefined {
  const edges: {
    x0: number;
    x1: number;
    ring: number;
    at: number;
    ax: number;
    ay: number;
    bx: number;
    by: number;
  }[] = [];
  rings.forEach((ring, r) => {
    for (let i = 0; i + 1 < ring.length; i++) {
      const [ax, ay] = ring[i] as Position;
      const [bx, by] = ring[i + 1] as Position;
      if (ax === bx && ay === by) continue;
      edges.push({ x0: Math.min(ax, bx), x1: Math.max(ax, bx), ring: r, at: i, ax, ay, bx, by });
    }
  });
  edges.sort((a, b) => a.x0 - b.x0);
  let work = 0;
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i] as (typeof edges)[number];
    for (let j = i + 1; j < edges.length; j++) {
      const f = edges[j] as (typeof edges)[number];
      if (f.x0 > e.x1) break;
      if (++work > budget) return 'budget';
      if (Math.max(e.ay, e.by) < Math.min(f.ay, f.by) || Math.max(f.ay, f.by) < Math.min(e.ay, e.by))
        continue;
      if (e.ring === f.ring && adjacent(e.at, f.at, (rings[e.ring] as Position[]).length - 1)) continue;
      if (properCross(e.ax, e.ay, e.bx, e.by, f.ax, f.ay, f.bx, f.by)) {
        const [first, second] = e.ring < f.ring || (e.ring === f.ring && e.at < f.at) ? [e, f] : [f, e];
        return { ring: first.ring, position: first.at, otherRing: second.ring, otherPosition: second.at };
      }
    }
  }
  return undefined;
}

function adjacent(a: number, b: number, edgeCount: number): boolean {
  const d = Math.abs(a - b);
  return d <= 1 || d === edgeCount - 1;
}

function orient(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return Math.sign((bx - ax) * (cy - ay) - (by - ay) * (cx - ax));
}

function properCross(
  ax: number,
  ay: number,
  bx: number,
  by: number,
  cx: number,
  cy: number,
  dx: number,
  dy: number,
): boolean {
  return (
    orient(ax, ay, bx, by, cx, cy) * orient(ax, ay, bx, by, dx, dy) < 0 &&
    orient(cx, cy, dx, dy, ax, ay) * orient(cx, cy, dx, dy, bx, by) < 0
  );
}
