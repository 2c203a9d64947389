import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TEST_REGIONS, testTree } from '../../../test/helpers/stream.ts';
import { createRegistry, subscriptionMatches } from './registry.ts';

const CODES = TEST_REGIONS.map((r) => r.code);

describe('the region-indexed registry', () => {
  const tree = testTree();

  it('matches exactly the subscribers the plain rule matches (ancestors and descendants), each once', () => {
    const subscription = fc.option(
      fc.uniqueArray(fc.constantFrom(...CODES), { minLength: 1, maxLength: 3 }),
      { nil: null },
    );
    fc.assert(
      fc.property(
        fc.array(subscription, { minLength: 1, maxLength: 12 }),
        fc.uniqueArray(fc.constantFrom(...CODES, 'XX-UNKNOWN'), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 11 }),
        (subscriptions, regions, removeIndex) => {
          const registry = createRegistry<{ codes: string[] | null; mark: number; n: number }>(tree);
          const subs = subscriptions.map((codes, n) => ({ codes, mark: -1, n }));
          for (const sub of subs) registry.add(sub);
          const removed = subs[removeIndex % subs.length];
          if (removed) registry.remove(removed);
          const visited: number[] = [];
          registry.forEachMatch(1, regions, (sub) => visited.push(sub.n));
          const expected = subs
            .filter((sub) => sub !== removed && subscriptionMatches(tree, sub.codes, regions))
            .map((sub) => sub.n);
          assert.deepEqual(
            [...visited].sort((a, b) => a - b),
            expected,
          );
          assert.equal(registry.size, subs.length - (removed ? 1 : 0));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an oblast subscriber hears its raion and the country; a raion subscriber does not hear its sibling', () => {
    assert.equal(subscriptionMatches(tree, ['UA-59'], ['UA-59-01']), true);
    assert.equal(subscriptionMatches(tree, ['UA-59'], ['UA']), true);
    assert.equal(subscriptionMatches(tree, ['UA-59-02'], ['UA-59-01']), false);
    assert.equal(subscriptionMatches(tree, ['UA-59-02'], ['UA-63']), false);
  });
});
