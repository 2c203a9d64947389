// When a failed webhook delivery is tried again: exponential backoff with full jitter (the delay
// is uniform in [0, min(cap, base · 2^(attempts-1))], which spreads a crowd of retries after an
// outage instead of synchronising it), until the delivery is `maxAgeMs` old; then it is dead.

export interface RetryPolicy {
  /** Backoff of the first retry (before jitter). */
  baseMs: number;
  /** Largest backoff (before jitter). */
  maxDelayMs: number;
  /** A delivery whose next attempt would fall later than this after it was queued is dead-lettered. */
  maxAgeMs: number;
}

export type RetryDecision = { dead: true } | { dead: false; atMs: number };

/** After `attempts` failed attempts of a delivery queued at `queuedMs`: retry when, or dead. */
export function nextAttempt(
  policy: RetryPolicy,
  attempts: number,
  queuedMs: number,
  nowMs: number,
  random: () => number = Math.random,
): RetryDecision {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.min(attempts - 1, 52));
  const atMs = nowMs + Math.floor(random() * ceiling);
  return atMs - queuedMs >= policy.maxAgeMs ? { dead: true } : { dead: false, atMs };
}
