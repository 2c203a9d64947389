// A uniform grid over every region that has a geometry. Each cell lists the regions that reach
// it and whether the region covers the whole cell: a point in a fully covered cell needs no
// polygon test at all, and a point in a boundary cell is tested only against the regions whose
// edges cross that cell. Built once when the tree is built.
import type { EdgeIndex } from './point-in-polygon.ts';
import { BOUNDARY_EPSILON_DEG, LOCATION, locatePoint } from './point-in-polygon.ts';

export interface GridIndex {
  minX: number;
  minY: number;
  cellW: number;
  cellH: number;
  cols: number;
  rows: number;
  /** Entries of cell c are entries[cellStart[c] .. cellStart[c + 1]). */
  cellStart: Int32Array;
  /** Region numbers (positions in the array given to buildGrid). */
  entries: Int32Array;
  /** 1 when the region covers the whole cell (no edge of it crosses the cell). */
  full: Uint8Array;
}

/** Cells per region with a geometry; 64 keeps boundary cells to a few percent of a region's cells. */
const CELLS_PER_REGION = 64;
const MIN_CELLS = 4096;
const MAX_CELLS = 1 << 20;

/** Builds the grid; `indexes[i]` is region i's edge index, or undefined for a region without geometry. */
export function buildGrid(indexes: readonly (EdgeIndex | undefined)[]): GridIndex {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  let withGeometry = 0;
  for (const index of indexes) {
    if (!index || index.edges.length === 0) continue;
    withGeometry++;
    minX = Math.min(minX, index.minX);
    minY = Math.min(minY, index.minY);
    maxX = Math.max(maxX, index.maxX);
    maxY = Math.max(maxY, index.maxY);
  }
  if (withGeometry === 0) {
    return {
      minX: 0,
      minY: 0,
      cellW: 1,
      cellH: 1,
      cols: 0,
      rows: 0,
      cellStart: new Int32Array(1),
      entries: new Int32Array(0),
      full: new Uint8Array(0),
    };
  }
  const width = Math.max(maxX - minX, 1e-9);
  const height = Math.max(maxY - minY, 1e-9);
  const target = Math.min(MAX_CELLS, Math.max(MIN_CELLS, withGeometry * CELLS_PER_REGION));
  const cols = Math.max(1, Math.round(Math.sqrt((target * width) / height)));
  const rows = Math.max(1, Math.round(target / cols));
  const cellW = width / cols;
  const cellH = height / rows;
  const col = (x: number) => Math.min(cols - 1, Math.max(0, Math.floor((x - minX) / cellW)));
  const row = (y: number) => Math.min(rows - 1, Math.max(0, Math.floor((y - minY) / cellH)));

  const cells: number[] = [];
  const regions: number[] = [];
  const fulls: number[] = [];
  const crossed = new Set<number>();
  indexes.forEach((index, region) => {
    if (!index || index.edges.length === 0) return;
    crossed.clear();
    const { edges } = index;
    for (let e = 0; e < edges.length; e += 4) {
      const x1 = edges[e] as number;
      const y1 = edges[e + 1] as number;
      const x2 = edges[e + 2] as number;
      const y2 = edges[e + 3] as number;
      const eps = BOUNDARY_EPSILON_DEG;
      const c0 = col(Math.min(x1, x2) - eps);
      const c1 = col(Math.max(x1, x2) + eps);
      const r0 = row(Math.min(y1, y2) - eps);
      const r1 = row(Math.max(y1, y2) + eps);
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) {
          const cx = minX + c * cellW;
          const cy = minY + r * cellH;
          if (segmentTouchesBox(x1, y1, x2, y2, cx - eps, cy - eps, cx + cellW + eps, cy + cellH + eps)) {
            crossed.add(r * cols + c);
          }
        }
      }
    }
    for (let r = row(index.minY); r <= row(index.maxY); r++) {
      for (let c = col(index.minX); c <= col(index.maxX); c++) {
        const cell = r * cols + c;
        if (crossed.has(cell)) {
          cells.push(cell);
          regions.push(region);
          fulls.push(0);
        } else if (
          locatePoint(index, minX + (c + 0.5) * cellW, minY + (r + 0.5) * cellH) === LOCATION.inside
        ) {
          cells.push(cell);
          regions.push(region);
          fulls.push(1);
        }
      }
    }
  });

  const cellCount = cols * rows;
  const cellStart = new Int32Array(cellCount + 1);
  for (const cell of cells) cellStart[cell + 1] = (cellStart[cell + 1] as number) + 1;
  for (let c = 0; c < cellCount; c++)
    cellStart[c + 1] = (cellStart[c + 1] as number) + (cellStart[c] as number);
  const fill = cellStart.slice(0, cellCount);
  const entries = new Int32Array(cells.length);
  const full = new Uint8Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] as number;
    const at = fill[cell] as number;
    entries[at] = regions[i] as number;
    full[at] = fulls[i] as number;
    fill[cell] = at + 1;
  }
  return { minX, minY, cellW, cellH, cols, rows, cellStart, entries, full };
}

/** The cell holding a point, or -1 outside the grid. */
export function cellOf(grid: GridIndex, x: number, y: number): number {
  const c = Math.floor((x - grid.minX) / grid.cellW);
  const r = Math.floor((y - grid.minY) / grid.cellH);
  if (c < 0 || r < 0 || c > grid.cols || r > grid.rows) return -1;
  // The far edges belong to the last column / row.
  return Math.min(r, grid.rows - 1) * grid.cols + Math.min(c, grid.cols - 1);
}

/** True when the segment meets the closed box (Liang–Barsky clipping). */
export function segmentTouchesBox(
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  bx0: number,
  by0: number,
  bx1: number,
  by1: number,
): boolean {
  let t0 = 0;
  let t1 = 1;
  const dx = x2 - x1;
  const dy = y2 - y1;
  const p = [-dx, dx, -dy, dy];
  const q = [x1 - bx0, bx1 - x1, y1 - by0, by1 - y1];
  for (let i = 0; i < 4; i++) {
    const pi = p[i] as number;
    const qi = q[i] as number;
    if (pi === 0) {
      if (qi < 0) return false;
    } else {
      const t = qi / pi;
      if (pi < 0) {
        if (t > t1) return false;
        if (t > t0) t0 = t;
      } else {
        if (t < t0) return false;
        if (t < t1) t1 = t;
      }
    }
  }
  return true;
}
