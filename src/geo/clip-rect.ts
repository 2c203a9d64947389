// Sutherland–Hodgman clipping of a (multi)polygon against an axis-aligned rectangle: used to
// split regions into parts (synthetic lower levels for tests and benchmarks). The subject may be
// concave; the result can then carry zero-width bridges along the rectangle's sides, which the
// even–odd point tests and the area integral both treat correctly.
import type { Position, RegionGeometry } from './types.ts';

export interface Rect {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** The part of a geometry inside the rectangle, or undefined when nothing is left. */
export function clipToRect(geometry: RegionGeometry, rect: Rect): RegionGeometry | undefined {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const out: Position[][][] = [];
  for (const polygon of polygons) {
    const [outer, ...holes] = polygon;
    if (!outer) continue;
    const clippedOuter = clipRing(outer, rect);
    if (!clippedOuter) continue;
    const clippedHoles: Position[][] = [];
    for (const hole of holes) {
      const clipped = clipRing(hole, rect);
      if (clipped) clippedHoles.push(clipped);
    }
    out.push([clippedOuter, ...clippedHoles]);
  }
  if (out.length === 0) return undefined;
  return out.length === 1
    ? { type: 'Polygon', coordinates: out[0] as Position[][] }
    : { type: 'MultiPolygon', coordinates: out };
}

function clipRing(ring: readonly Position[], rect: Rect): Position[] | undefined {
  let points: Position[] = ring.slice(0, -1);
  const sides: [(p: Position) => boolean, (a: Position, b: Position) => Position][] = [
    [(p) => p[0] >= rect.minX, (a, b) => atX(a, b, rect.minX)],
    [(p) => p[0] <= rect.maxX, (a, b) => atX(a, b, rect.maxX)],
    [(p) => p[1] >= rect.minY, (a, b) => atY(a, b, rect.minY)],
    [(p) => p[1] <= rect.maxY, (a, b) => atY(a, b, rect.maxY)],
  ];
  for (const [inside, cut] of sides) {
    const next: Position[] = [];
    for (let i = 0; i < points.length; i++) {
      const current = points[i] as Position;
      const previous = points[(i + points.length - 1) % points.length] as Position;
      if (inside(current)) {
        if (!inside(previous)) next.push(cut(previous, current));
        next.push(current);
      } else if (inside(previous)) {
        next.push(cut(previous, current));
      }
    }
    points = next;
    if (points.length === 0) return undefined;
  }
  const deduped = points.filter((p, i) => {
    const q = points[(i + points.length - 1) % points.length] as Position;
    return p[0] !== q[0] || p[1] !== q[1];
  });
  if (deduped.length < 3) return undefined;
  let twiceArea = 0;
  deduped.forEach(([x1, y1], i) => {
    const [x2, y2] = deduped[(i + 1) % deduped.length] as Position;
    twiceArea += x1 * y2 - x2 * y1;
  });
  if (Math.abs(twiceArea) < 1e-12) return undefined; // only a sliver along the rectangle's side
  return [...deduped, deduped[0] as Position];
}

function atX(a: Position, b: Position, x: number): Position {
  return [x, a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0])];
}

function atY(a: Position, b: Position, y: number): Position {
  return [a[0] + ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]), y];
}

/** Splits a region into up to cols × rows parts along a grid over its bounding box: a synthetic
 * lower level (codes `<code>-<n>`), for tests and benchmarks. */
export function splitRegion(
  record: { code: string; geometry?: RegionGeometry; names: Record<string, string> },
  cols: number,
  rows: number,
  level: string,
): {
  code: string;
  parent: string;
  level: string;
  names: Record<string, string>;
  geometry: RegionGeometry;
}[] {
  if (!record.geometry) return [];
  const polygons =
    record.geometry.type === 'Polygon' ? [record.geometry.coordinates] : record.geometry.coordinates;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const polygon of polygons) {
    for (const [x, y] of polygon[0] ?? []) {
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  const parts: {
    code: string;
    parent: string;
    level: string;
    names: Record<string, string>;
    geometry: RegionGeometry;
  }[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const rect = {
        minX: minX + ((maxX - minX) * c) / cols,
        maxX: c === cols - 1 ? maxX : minX + ((maxX - minX) * (c + 1)) / cols,
        minY: minY + ((maxY - minY) * r) / rows,
        maxY: r === rows - 1 ? maxY : minY + ((maxY - minY) * (r + 1)) / rows,
      };
      const geometry = clipToRect(record.geometry, rect);
      if (!geometry) continue;
      const n = parts.length + 1;
      parts.push({
        code: `${record.code}-${n}`,
        parent: record.code,
        level,
        names: Object.fromEntries(Object.entries(record.names).map(([lang, name]) => [lang, `${name} ${n}`])),
        geometry,
      });
    }
  }
  return parts;
}
