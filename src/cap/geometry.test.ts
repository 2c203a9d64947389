import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { checkPolygon, findSelfIntersection, segmentsIntersect } from './geometry.ts';
import type { Finding, LatLon } from './types.ts';

function check(points: LatLon[]): string[] {
  const out: Finding[] = [];
  checkPolygon(points, 'p', out);
  return out.map((f) => f.code);
}

// The obvious O(n²) check, as the reference the grid must agree with.
function bruteForce(xs: Float64Array, ys: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const adjacent = j === i + 1 || (i === 0 && j === n - 1);
      const a = [xs[i], ys[i], xs[(i + 1) % n], ys[(i + 1) % n]] as number[];
      const b = [xs[j], ys[j], xs[(j + 1) % n], ys[(j + 1) % n]] as number[];
      if (adjacent) {
        // adjacent edges meet at their shared vertex; they overlap only when the ring doubles back
        const [p, q, r] = j === i + 1 ? [i, j, (j + 1) % n] : [j, i, i + 1];
        const ux = (xs[q] as number) - (xs[p] as number),
          uy = (ys[q] as number) - (ys[p] as number);
        const vx = (xs[r] as number) - (xs[q] as number),
          vy = (ys[r] as number) - (ys[q] as number);
        if (ux * vy - uy * vx === 0 && ux * vx + uy * vy < 0) return true;
        continue;
      }
      if (
        segmentsIntersect(
          a[0] as number,
          a[1] as number,
          a[2] as number,
          a[3] as number,
          b[0] as number,
          b[1] as number,
          b[2] as number,
          b[3] as number,
        )
      )
        return true;
    }
  }
  return false;
}

/** A star-shaped (hence simple) closed ring of n points around (48, 31): radius(angle) > 0. */
function starRing(n: number, radius: (i: number) => number): LatLon[] {
  const ring: LatLon[] = [];
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / n;
    ring.push([48 + radius(i) * Math.sin(t), 31 + radius(i) * Math.cos(t)]);
  }
  ring.push(ring[0] as LatLon);
  return ring;
}
// A border-like outline: wavy at several scales, short edges (like a detailed oblast boundary).
const outline = (n: number) => (i: number) => {
  const t = (2 * Math.PI * i) / n;
  return 2 + 0.3 * Math.sin(7 * t) + 0.1 * Math.sin(91 * t) + 0.02 * Math.sin(1237 * t);
};

describe('checkPolygon', () => {
  test('a simple closed ring passes; shape errors are reported once each', () => {
    assert.deepEqual(
      check([
        [50, 33],
        [51, 33],
        [51, 35],
        [50, 35],
        [50, 33],
      ]),
      [],
    );
    assert.deepEqual(
      check([
        [50, 33],
        [51, 33],
        [50, 33],
      ]),
      ['CAP_POLYGON_TOO_FEW_POINTS'],
    );
    assert.deepEqual(
      check([
        [50, 33],
        [51, 33],
        [51, 35],
        [50, 35],
      ]),
      ['CAP_POLYGON_NOT_CLOSED'],
    );
    // every point out of range: one finding, not 5
    assert.deepEqual(
      check([
        [100, 33],
        [101, 33],
        [101, 35],
        [100, 35],
        [100, 33],
      ]),
      ['CAP_COORDINATE_OUT_OF_RANGE'],
    );
    assert.deepEqual(
      check([
        [50, 33],
        [51, Number.NaN],
        [51, 35],
        [50, 33],
      ]),
      ['CAP_COORDINATE_OUT_OF_RANGE'],
    );
  });

  test('repeated consecutive points are tolerated, but a ring with fewer than 3 corners is not', () => {
    assert.deepEqual(
      check([
        [50, 33],
        [50, 33],
        [51, 33],
        [51, 35],
        [51, 35],
        [50, 33],
      ]),
      [],
    );
    assert.deepEqual(
      check([
        [50, 33],
        [50, 33],
        [51, 33],
        [50, 33],
      ]),
      ['CAP_POLYGON_TOO_FEW_POINTS'],
    );
  });

  test('crossings, touching vertices and doubling back are self-intersections', () => {
    const bowtie: LatLon[] = [
      [50, 33],
      [51, 35],
      [51, 33],
      [50, 35],
      [50, 33],
    ];
    const figureEight: LatLon[] = [
      [0, 0],
      [1, 1],
      [0, 2],
      [2, 2],
      [1, 1],
      [2, 0],
      [0, 0],
    ];
    const spike: LatLon[] = [
      [0, 0],
      [0, 2],
      [0, 4],
      [0, 3],
      [2, 2],
      [0, 0],
    ];
    for (const ring of [bowtie, figureEight, spike])
      assert.deepEqual(check(ring), ['CAP_POLYGON_SELF_INTERSECTION']);
  });

  test('both paths (pairwise and grid) agree with the obvious O(n²) check on random rings', () => {
    const coord = fc.integer({ min: 0, max: 6 }); // a small lattice forces touching and collinear cases
    fc.assert(
      fc.property(fc.array(fc.tuple(coord, coord), { minLength: 3, maxLength: 12 }), (pts) => {
        const n = pts.length;
        const xs = Float64Array.from(pts, (p) => p[0]);
        const ys = Float64Array.from(pts, (p) => p[1]);
        for (let i = 0; i < n; i++) {
          if (xs[i] === xs[(i + 1) % n] && ys[i] === ys[(i + 1) % n]) return; // zero-length edges are dropped before
        }
        const expected = bruteForce(xs, ys, n);
        assert.equal(findSelfIntersection(xs, ys, n) !== null, expected, 'pairwise path');
        assert.equal(findSelfIntersection(xs, ys, n, 0) !== null, expected, 'grid path');
      }),
      { numRuns: 3000 },
    );
  });

  test('a 100,000-point polygon is checked in well under a second', () => {
    const ring = starRing(100_000, outline(100_000));
    const t0 = performance.now();
    assert.deepEqual(check(ring), []);
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `took ${ms.toFixed(1)} ms`); // 60-200 ms alone; the bound allows for a loaded CI box
    // and the same ring with one point pulled across the far side is caught
    const crossed = ring.slice();
    crossed[25_000] = [48 - 3, 31];
    assert.deepEqual(check(crossed), ['CAP_POLYGON_SELF_INTERSECTION']);
  });

  test('a ring built to defeat the grid is refused quickly, not checked for minutes', () => {
    // 100,000 long thin spikes packed side by side: every grid cell holds hundreds of edges
    const spikes = starRing(100_000, (i) => (i % 2 === 0 ? 2 : 0.5));
    const t0 = performance.now();
    assert.deepEqual(check(spikes), ['CAP_POLYGON_TOO_COMPLEX']);
    const ms = performance.now() - t0;
    assert.ok(ms < 1000, `took ${ms.toFixed(1)} ms`);
  });
});
