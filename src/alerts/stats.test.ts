import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { mergedLength } from './stats.ts';

test('merged length of overlapping, nested, touching and disjoint intervals', () => {
  assert.equal(mergedLength([]), 0);
  assert.equal(
    mergedLength([
      [0, 10],
      [5, 15],
    ]),
    15,
  );
  assert.equal(
    mergedLength([
      [0, 10],
      [2, 3],
    ]),
    10,
  );
  assert.equal(
    mergedLength([
      [0, 10],
      [10, 20],
    ]),
    20,
  );
  assert.equal(
    mergedLength([
      [30, 40],
      [0, 10],
    ]),
    20,
  );
});

test('merged length equals the count of covered unit cells (property)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 50 }))),
      (raw) => {
        const intervals = raw.map(([s, len]) => [s, s + len] as [number, number]);
        const cells = new Set<number>();
        for (const [s, e] of intervals) for (let t = s; t < e; t++) cells.add(t);
        assert.equal(mergedLength(intervals), cells.size);
      },
    ),
  );
});
