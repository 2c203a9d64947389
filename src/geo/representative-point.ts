// A point guaranteed to lie inside a geometry (not on its boundary), for checks such as "is this
// child inside its parent": the middle of the widest inside stretch of a horizontal line through
// the largest polygon.
import type { Position, RegionGeometry } from './types.ts';

/** A point strictly inside the geometry, or undefined for a degenerate one. */
export function representativePoint(geometry: RegionGeometry): Position | undefined {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const byArea = polygons
    .filter((p) => p[0] !== undefined && p[0].length >= 4)
    .map((p) => ({ p, area: Math.abs(ringArea(p[0] as Position[])) }))
    .sort((a, b) => b.area - a.area);
  for (const { p } of byArea) {
    const outer = p[0] as Position[];
    let minY = Infinity;
    let maxY = -Infinity;
    for (const [, y] of outer) {
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
    // Several scan lines at odd fractions, so one through a vertex does not spoil the answer.
    for (const f of [0.5137, 0.3719, 0.6891, 0.2113, 0.8087]) {
      const y = minY + (maxY - minY) * f;
      const xs: number[] = [];
      for (const ring of p) {
        for (let i = 0; i + 1 < ring.length; i++) {
          const [x1, y1] = ring[i] as Position;
          const [x2, y2] = ring[i + 1] as Position;
          if (y1 > y !== y2 > y) xs.push(x1 + ((y - y1) * (x2 - x1)) / (y2 - y1));
        }
      }
      xs.sort((a, b) => a - b);
      let best: Position | undefined;
      let width = 0;
      for (let i = 0; i + 1 < xs.length; i += 2) {
        const w = (xs[i + 1] as number) - (xs[i] as number);
        if (w > width) {
          width = w;
          best = [((xs[i] as number) + (xs[i + 1] as number)) / 2, y];
        }
      }
      if (best) return best;
    }
  }
  return undefined;
}

function ringArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i] as Position;
    const [x2, y2] = ring[i + 1] as Position;
    sum += x1 * y2 - x2 * y1;
  }
  return sum / 2;
}
