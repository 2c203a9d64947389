import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { nextAttempt } from './webhook-retry.ts';

const policy = { baseMs: 1_000, maxDelayMs: 60_000, maxAgeMs: 86_400_000 };

test('full jitter: the delay lies in [0, min(cap, base·2^(n-1))) and grows with the attempts', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }),
      fc.double({ min: 0, max: 0.999_999, noNaN: true }),
      (attempts, r) => {
        const decision = nextAttempt(policy, attempts, 0, 10_000, () => r);
        assert.equal(decision.dead, false);
        const delay = (decision as { atMs: number }).atMs - 10_000;
        const ceiling = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** (attempts - 1));
        assert.ok(delay >= 0 && delay < ceiling, `${attempts}: ${delay} < ${ceiling}`);
      },
    ),
  );
  assert.deepEqual(
    nextAttempt(policy, 3, 0, 10_000, () => 0.999),
    { dead: false, atMs: 10_000 + 3_996 },
  );
});

test('a delivery whose next attempt would pass the maximum age is dead', () => {
  const queued = 0;
  assert.equal(nextAttempt(policy, 30, queued, policy.maxAgeMs - 1, () => 0.5).dead, true);
  assert.equal(nextAttempt(policy, 30, queued, policy.maxAgeMs - 120_000, () => 0.5).dead, false);
  assert.equal(nextAttempt({ ...policy, maxAgeMs: 100 }, 1, queued, 100, () => 0).dead, true);
});
