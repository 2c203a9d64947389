// Wire framing, done once per message and wire format; the same Buffer then goes to every
// matching socket (notes/performance.md §3.1: pre-framed writes gave +5..26 % over ws.send).
import { PUBLIC_EVENT_TYPES } from '../../alerts/events.ts';
import type { CommittedEvent, StreamEvent } from './types.ts';

/** The eventCode valueName carrying a Tocsin event type (src/cap/profiles/event-types.ts). */
const TOCSIN_VALUE_NAME = 'TOCSIN';

/** Parses a committed event once, when it enters the hub; the JSON text itself is kept as is. */
export function toStreamEvent(committed: CommittedEvent): StreamEvent {
  const parsed = JSON.parse(committed.json) as Record<string, unknown>;
  const alert = isRecord(parsed.alert) ? parsed.alert : undefined;
  const type = typeof parsed.type === 'string' ? parsed.type : 'event';
  return {
    seq: committed.seq,
    type,
    regions: regionCodes(parsed.regions),
    status: alert && typeof alert.status === 'string' ? alert.status : '',
    eventType: alert ? eventTypeOf(alert) : '',
    hidden: !PUBLIC_EVENT_TYPES.has(type),
    json: committed.json,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `regions` may be codes or `{ code, ... }` records (with coverage). */
function regionCodes(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  const codes: string[] = [];
  for (const item of value) {
    if (typeof item === 'string') codes.push(item);
    else if (isRecord(item) && typeof item.code === 'string') codes.push(item.code);
  }
  return codes;
}

/** The event's summary names it (`alert.event`); else the CAP model's TOCSIN eventCode. */
function eventTypeOf(alert: Record<string, unknown>): string {
  if (typeof alert.event === 'string') return alert.event;
  const cap = isRecord(alert.cap) ? alert.cap : alert;
  const infos = Array.isArray(cap.info) ? cap.info : [];
  for (const info of infos) {
    if (!isRecord(info) || !Array.isArray(info.eventCode)) continue;
    for (const code of info.eventCode) {
      if (isRecord(code) && code.valueName === TOCSIN_VALUE_NAME && typeof code.value === 'string') {
        return code.value;
      }
    }
  }
  return '';
}

/**
 * One Server-Sent Events message (HTML Living Standard §9.2.6): `id`, `event`, then one `data:`
 * line per line of text (the client joins them with LF).
 */
export function sseFrame(event: string, data: string, id?: number): Buffer {
  let text = id === undefined ? '' : `id: ${id}\n`;
  text += `event: ${event}\n`;
  for (const line of data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return Buffer.from(`${text}\n`, 'utf8');
}

/** An unmasked, unfragmented server text frame (RFC 6455 §5.2: FIN + opcode 0x1). */
export function wsTextFrame(text: string): Buffer {
  const payloadLength = Buffer.byteLength(text, 'utf8');
  const headerLength = payloadLength < 126 ? 2 : payloadLength < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + payloadLength);
  frame[0] = 0x81;
  if (payloadLength < 126) {
    frame[1] = payloadLength;
  } else if (payloadLength < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(payloadLength, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(payloadLength / 2 ** 32), 2);
    frame.writeUInt32BE(payloadLength >>> 0, 6);
  }
  frame.write(text, headerLength, 'utf8');
  return frame;
}
