// The hub's RFC 8785 writer against the `canonicalize` package (the reference it replaced on the
// hot path): the same text for arbitrary JSON values, the same refusals for what JSON cannot carry.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical.ts';

it('writes the same text as the canonicalize package for arbitrary JSON values', () => {
  fc.assert(
    fc.property(fc.jsonValue(), (value) => {
      assert.equal(canonicalJson(value), canonicalize(value));
    }),
    { numRuns: 2000 },
  );
});

it('sorts members by UTF-16 code units, astral and accented keys included', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string({ unit: 'grapheme' }), fc.integer()), (value) => {
      assert.equal(canonicalJson(value), canonicalize(value));
    }),
  );
  assert.equal(canonicalJson({ b: 1, a: 2, é: 3, '😀': 4, Z: 5 }), '{"Z":5,"a":2,"b":1,"é":3,"😀":4}');
});

it('numbers as ECMAScript writes them (RFC 8785 §3.2.2.3)', () => {
  assert.equal(
    canonicalJson([1e21, 1e-7, -0, 0.1 + 0.2, 333333333.3333333]),
    canonicalize([1e21, 1e-7, -0, 0.1 + 0.2, 333333333.3333333]),
  );
  assert.equal(canonicalJson([1e21, -0]), '[1e+21,0]');
});

it('leaves out undefined members, writes null for undefined array items, follows toJSON', () => {
  const value = { a: undefined, b: [undefined], c: new Date(0), d: { toJSON: () => ({ y: 1, x: 2 }) } };
  assert.equal(canonicalJson(value), canonicalize(value));
  assert.equal(canonicalJson(value), '{"b":[null],"c":"1970-01-01T00:00:00.000Z","d":{"x":2,"y":1}}');
  // A function in an array is null, as JSON.stringify has it (the package writes `[null,]` there).
  assert.equal(canonicalJson([() => 1, 2]), JSON.stringify([() => 1, 2]));
});

it('refuses NaN, Infinity, bigint, lone surrogates and a value with no JSON form', () => {
  for (const bad of [
    Number.NaN,
    Number.POSITIVE_INFINITY,
    { a: [1, Number.NEGATIVE_INFINITY] },
    1n,
    '\uD800',
    { '\uDC00x': 1 },
    'a\uD83Db',
  ]) {
    assert.throws(() => canonicalJson(bad), TypeError, String(bad));
  }
  assert.throws(() => canonicalJson(undefined), TypeError);
  assert.equal(canonicalJson('\uD83D\uDE00'), '"😀"');
});
