// Compatibility documents are served like /v1/state: serialised once, with a strong ETag and the
// Last-Modified of the region state they were derived from.
import { createHash } from 'node:crypto';
import type { PreparedJson } from '../../alerts/types.ts';

/** A JSON document derived from `state`, prepared once. */
export function prepareFrom(state: PreparedJson, value: unknown): PreparedJson {
  const body = JSON.stringify(value);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
  return { body, etag, lastModified: state.lastModified, seq: state.seq };
}

/** RFC 3339 UTC with milliseconds (`2022-04-04T16:45:39.000Z`), as alerts.in.ua writes times. */
export function isoMillis(ms: number): string {
  return new Date(ms).toISOString();
}

/** RFC 3339 UTC to the second (`2022-04-04T16:45:00Z`), as api.ukrainealarm.com wrote times. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A positive integer below 2^48 derived from a string: a stable numeric id for a string id. */
export function numericId(text: string): number {
  return Number.parseInt(createHash('sha256').update(text).digest('hex').slice(0, 12), 16);
}
