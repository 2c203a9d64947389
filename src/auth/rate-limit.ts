// Per-token request rate limits: a token bucket per key, refilled continuously. In memory, per
// node: a cluster of N nodes allows up to N times the rate (documented in docs/identity.md).
export interface RateLimiter {
  /** Takes one request; returns 0 when allowed, else the seconds to wait (for Retry-After). */
  take(key: string, nowMs: number): number;
}

export interface RateLimitOptions {
  /** Sustained requests per second. */
  perSecond: number;
  /** Bucket size: requests allowed in a burst. */
  burst: number;
  /** Most keys tracked; the least recently used are dropped beyond it. */
  maxKeys?: number;
}

export function createRateLimiter(options: RateLimitOptions): RateLimiter {
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  const maxKeys = options.maxKeys ?? 100_000;
  return {
    take(key, nowMs) {
      const bucket = buckets.get(key) ?? { tokens: options.burst, atMs: nowMs };
      buckets.delete(key); // re-inserted below: Map order is the LRU order
      const refill = (Math.max(0, nowMs - bucket.atMs) / 1000) * options.perSecond;
      bucket.tokens = Math.min(options.burst, bucket.tokens + refill);
      bucket.atMs = nowMs;
      let wait = 0;
      if (bucket.tokens >= 1) bucket.tokens -= 1;
      else wait = Math.max(1, Math.ceil((1 - bucket.tokens) / options.perSecond));
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
      return wait;
    },
  };
}
