// Connection limits, per client address and in total, checked before a stream is opened.
import { StreamError } from './errors.ts';

export interface ConnectionLimits {
  /** Takes a slot for `ip` or throws STREAM_LIMIT_PER_IP / STREAM_LIMIT_TOTAL. */
  acquire(ip: string): void;
  release(ip: string): void;
  readonly total: number;
}

export function createConnectionLimits(maxTotal: number, maxPerIp: number): ConnectionLimits {
  const perIp = new Map<string, number>();
  let total = 0;
  return {
    acquire(ip) {
      if (total >= maxTotal) {
        throw new StreamError(
          'STREAM_LIMIT_TOTAL',
          `this server holds its maximum of ${maxTotal} streams; retry later`,
        );
      }
      const held = perIp.get(ip) ?? 0;
      if (held >= maxPerIp) {
        throw new StreamError('STREAM_LIMIT_PER_IP', `at most ${maxPerIp} streams per client address`);
      }
      perIp.set(ip, held + 1);
      total += 1;
    },
    release(ip) {
      const held = perIp.get(ip);
      if (held === undefined) return;
      if (held <= 1) perIp.delete(ip);
      else perIp.set(ip, held - 1);
      total -= 1;
    },
    get total() {
      return total;
    },
  };
}
