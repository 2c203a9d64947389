// What a Web Push message carries. A push message holds at most ~4 KB (RFC 8291 §4: one 4096-byte
// record), too little for a signed event with its CAP, so the payload is a compact summary a
// service worker can show at once; the full signed event is at `GET /v1/stream?since=` or
// `GET /v1/alerts/{id}`. Urgency (RFC 8030 §5.3) is `high` for Actual alerts of severity Extreme
// or Severe: the push service then wakes a sleeping phone; drills are never `high`.
import type { Alert } from '../../cap/types.ts';

export type PushUrgency = 'very-low' | 'low' | 'normal' | 'high';

export interface PushMessage {
  /** The JSON given to the browser's `push` event (`event.data.json()`). */
  payload: string;
  urgency: PushUrgency;
  /** How long the push service keeps it for an offline device (RFC 8030 §5.2). */
  ttlSeconds: number;
}

/** The summary in a push message. */
export interface PushPayload {
  seq: number;
  /** Event id, for de-duplication. */
  id: string;
  /** `alert.issued` | `alert.updated` | `alert.ended`. */
  type: string;
  time: string;
  alert: string;
  incident: string;
  event: string;
  status: Alert['status'];
  msgType: Alert['msgType'];
  severity: string | null;
  /** All-clear, cancelled or expired, on `alert.ended`. */
  reason: string | null;
  regions: string[];
  expires: string | null;
  /** Headline by language (`uk`, `en`, ...), each at most HEADLINE_MAX_CHARS. */
  headline: Record<string, string>;
}

export const HEADLINE_MAX_CHARS = 160;
/** Plaintext bound leaving room for the aes128gcm header and padding inside one 4096-byte record. */
export const PAYLOAD_MAX_BYTES = 3_000;
const MAX_REGIONS = 60;
const DEFAULT_TTL_S = 3_600;
const MIN_TTL_S = 60;
/** Push services keep a message at most about four weeks; an alert older than a day is history. */
const MAX_TTL_S = 86_400;

interface SignedEventShape {
  seq: number;
  id: string;
  type: string;
  time: string;
  regions: string[];
  alert: {
    id: string;
    incident: string;
    event: string;
    status: Alert['status'];
    msgType: Alert['msgType'];
    expires: string | null;
    reason?: string;
    cap: Alert;
  };
}

/** The push message for one event of the log (built once, encrypted per subscription). */
export function pushMessageOf(eventJson: string, nowMs: number): PushMessage {
  const event = JSON.parse(eventJson) as SignedEventShape;
  const a = event.alert;
  const infos = a.cap.info ?? [];
  const severities = infos.map((i) => i.severity);
  const severity = severities.includes('Extreme')
    ? 'Extreme'
    : severities.includes('Severe')
      ? 'Severe'
      : (severities[0] ?? null);
  const headline: Record<string, string> = {};
  for (const info of infos) {
    if (info.headline === undefined) continue;
    const lang = (info.language ?? 'en-US').split('-')[0]?.toLowerCase() || 'en';
    headline[lang] ??= truncate(info.headline, HEADLINE_MAX_CHARS);
  }
  const payload: PushPayload = {
    seq: event.seq,
    id: event.id,
    type: event.type,
    time: event.time,
    alert: a.id,
    incident: a.incident,
    event: a.event,
    status: a.status,
    msgType: a.msgType,
    severity,
    reason: a.reason ?? null,
    regions: event.regions.slice(0, MAX_REGIONS),
    expires: a.expires,
    headline,
  };
  let json = JSON.stringify(payload);
  // Many languages of long headlines: keep the summary, drop the texts rather than fail to deliver.
  if (Buffer.byteLength(json) > PAYLOAD_MAX_BYTES) json = JSON.stringify({ ...payload, headline: {} });
  const urgent = a.status === 'Actual' && (severity === 'Extreme' || severity === 'Severe');
  const expiresMs = a.expires === null ? Number.NaN : Date.parse(a.expires);
  const ttlSeconds = Number.isNaN(expiresMs)
    ? DEFAULT_TTL_S
    : Math.min(MAX_TTL_S, Math.max(MIN_TTL_S, Math.round((expiresMs - nowMs) / 1000)));
  return { payload: json, urgency: urgent ? 'high' : a.status === 'Actual' ? 'normal' : 'low', ttlSeconds };
}

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}
