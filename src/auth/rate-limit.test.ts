import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRateLimiter } from './rate-limit.ts';

test('a bucket allows its burst, then refills at the rate; keys are independent', () => {
  const limiter = createRateLimiter({ perSecond: 2, burst: 3 });
  const t0 = 1_000_000;
  assert.deepEqual(
    [0, 1, 2, 3].map(() => limiter.take('a', t0)),
    [0, 0, 0, 1],
  );
  assert.equal(limiter.take('b', t0), 0, 'another key has its own bucket');
  assert.equal(limiter.take('a', t0 + 499), 1, 'not yet one token back');
  assert.equal(limiter.take('a', t0 + 500), 0, 'half a second at 2/s refills one');
  assert.equal(limiter.take('a', t0 + 500), 1);
  assert.deepEqual(
    [0, 1, 2, 3].map(() => limiter.take('a', t0 + 60_000)),
    [0, 0, 0, 1],
    'never more than the burst',
  );
});

test('Retry-After says how long until the next token', () => {
  const limiter = createRateLimiter({ perSecond: 0.1, burst: 1 });
  assert.equal(limiter.take('k', 0), 0);
  assert.equal(limiter.take('k', 0), 10);
  assert.equal(limiter.take('k', 5_000), 5);
});

test('the least recently used keys are forgotten beyond maxKeys', () => {
  const limiter = createRateLimiter({ perSecond: 0.001, burst: 1, maxKeys: 2 });
  limiter.take('a', 0);
  limiter.take('b', 0);
  limiter.take('c', 0); // forgets a
  assert.equal(limiter.take('a', 0), 0, 'a starts with a full bucket again');
  assert.ok(limiter.take('c', 0) > 0, 'c is still remembered');
});
