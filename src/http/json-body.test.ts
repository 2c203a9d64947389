import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_JSON_DEPTH, nestsDeeperThan } from './json-body.ts';

function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { k: value };
  return value;
}

test('nesting is measured in objects and arrays, scalars do not count', () => {
  assert.equal(nestsDeeperThan(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH), false);
  assert.equal(nestsDeeperThan(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH), true);
  assert.equal(nestsDeeperThan('text', 0), false);
  assert.equal(nestsDeeperThan({ a: [1, 2, { b: null }] }, 3), false);
  assert.equal(nestsDeeperThan({ a: [1, 2, { b: [] }] }, 3), true);
});

test('any depth is checked without overflowing the stack', () => {
  assert.equal(nestsDeeperThan(nested(1_000_000), MAX_JSON_DEPTH), true);
});
