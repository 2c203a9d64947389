import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { intersectionArea, projectPolygons, shapeArea } from './area.ts';
import type { Position } from './types.ts';

// lon0 = 0 near the equator: the sinusoidal projection is then close to the identity, so
// planar answers can be written down by hand (at latitude y the x scale is cos y).
const square = (x0: number, y0: number, x1: number, y1: number): Position[] => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];
const plane = (...polygons: Position[][][]) => projectPolygons(polygons, 0);

test('the intersection of two overlapping squares is their common rectangle', () => {
  const a = plane([square(0, 0, 0.002, 0.002)]);
  const b = plane([square(0.001, 0.0005, 0.003, 0.003)]);
  const expected = shapeArea(plane([square(0.001, 0.0005, 0.002, 0.002)]));
  assert.ok(Math.abs(intersectionArea(a, b) - expected) < 1e-15);
  assert.ok(Math.abs(intersectionArea(b, a) - expected) < 1e-15);
});

test('disjoint shapes, touching shapes and a shape with itself', () => {
  const a = plane([square(0, 0, 1, 1)]);
  assert.equal(intersectionArea(a, plane([square(2, 2, 3, 3)])), 0);
  assert.ok(Math.abs(intersectionArea(a, plane([square(1, 0, 2, 1)]))) < 1e-12, 'sharing an edge only');
  assert.ok(Math.abs(intersectionArea(a, a) - shapeArea(a)) < 1e-12, 'identical boundaries count once');
});

test('holes are respected and ring orientation does not matter', () => {
  const withHole = plane([square(0, 0, 1, 1), square(0.25, 0.25, 0.75, 0.75)]);
  const reversed = plane([square(0, 0, 1, 1).reverse(), square(0.25, 0.25, 0.75, 0.75).reverse()]);
  assert.ok(Math.abs(shapeArea(withHole) - shapeArea(reversed)) < 1e-12);
  const inHole = plane([square(0.3, 0.3, 0.7, 0.7)]);
  assert.ok(Math.abs(intersectionArea(withHole, inHole)) < 1e-12, 'a shape inside the hole covers nothing');
  const whole = plane([square(-1, -1, 2, 2)]);
  assert.ok(Math.abs(intersectionArea(withHole, whole) - shapeArea(withHole)) < 1e-12);
});

test('a concave shape: an L cut by a square', () => {
  const l: Position[] = [
    [0, 0],
    [2, 0],
    [2, 1],
    [1, 1],
    [1, 2],
    [0, 2],
    [0, 0],
  ];
  const a = plane([l]);
  const b = plane([square(0.5, 0.5, 1.5, 1.5)]);
  // Three of the four unit quarters of b lie in the L.
  const quarter = shapeArea(plane([square(0.5, 0.5, 1, 1)]));
  const got = intersectionArea(a, b);
  assert.ok(Math.abs(got - 3 * quarter) / got < 1e-3, `${got} vs ${3 * quarter}`);
});

test('property: a shape split by a vertical line has its area split between the halves', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
        { minLength: 3, maxLength: 12 },
      ),
      fc.double({ min: 0.05, max: 0.95, noNaN: true }),
      (points, cut) => {
        // A star-shaped polygon around the centre (points sorted by angle) is simple.
        const ring = points
          .map(([r, t]) => ({ r: 0.1 + 0.4 * r, t: 2 * Math.PI * t }))
          .sort((p, q) => p.t - q.t)
          .map(({ r, t }): Position => [0.5 + r * Math.cos(t), 0.5 + r * Math.sin(t)]);
        ring.push(ring[0] as Position);
        const shape = plane([ring]);
        const total = shapeArea(shape);
        if (!(total > 1e-6)) return;
        const left = intersectionArea(shape, plane([square(-1, -1, cut, 2)]));
        const right = intersectionArea(shape, plane([square(cut, -1, 2, 2)]));
        assert.ok(
          Math.abs(left + right - total) < 1e-9 * Math.max(1, total),
          `${left} + ${right} ≠ ${total}`,
        );
      },
    ),
    { numRuns: 300 },
  );
});
