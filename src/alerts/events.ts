// Events and views: what the log records for each change, and what the API shows of an alert.
import type { AlertRecord, EndReason, EventBuilder, IncidentRecord, NewAlertRecord } from '../store/store.ts';
import { type SigningKey, signEvent } from './event-signing.ts';
import type { AlertView } from './types.ts';

export const EVENT_TYPES = {
  pending: 'alert.pending',
  issued: 'alert.issued',
  updated: 'alert.updated',
  ended: 'alert.ended',
  rejected: 'alert.rejected',
  lapsed: 'alert.lapsed',
} as const;
export type EventType = (typeof EVENT_TYPES)[keyof typeof EVENT_TYPES];

/** Public event types: what live channels deliver to everyone (pending/rejected/lapsed are operator-only). */
export const PUBLIC_EVENT_TYPES: ReadonlySet<string> = new Set([
  EVENT_TYPES.issued,
  EVENT_TYPES.updated,
  EVENT_TYPES.ended,
]);

type AlertLike = NewAlertRecord | AlertRecord;

/** The `alert` member of an event: the summary consumers route on, plus the CAP model. */
export function eventBody(
  alert: AlertLike,
  incident: IncidentRecord | undefined,
  extra: { reason?: EndReason | string } = {},
) {
  return {
    id: alert.id,
    incident: alert.incidentId,
    event: alert.eventType,
    status: alert.status,
    msgType: alert.msgType,
    sent: alert.sent,
    expires: alert.expiresMs === null ? null : new Date(alert.expiresMs).toISOString(),
    since: incident?.since ?? null,
    regions: incident?.regions ?? alert.regions,
    ...(extra.reason === undefined ? {} : { reason: extra.reason }),
    cap: alert.cap,
  };
}

/** Builds the signed event once `seq` is known (inside the commit transaction). */
export function eventBuilder(
  type: EventType,
  id: string,
  timeMs: number,
  regions: string[],
  alert: unknown,
  key: SigningKey,
): EventBuilder {
  const time = new Date(timeMs).toISOString();
  return (seq) => {
    const signed = signEvent({ seq, id, type, time, regions, alert }, key);
    return { id, type, timeMs, regions, json: JSON.stringify(signed) };
  };
}

export function toView(record: AlertRecord, incident: IncidentRecord | undefined): AlertView {
  return {
    id: record.id,
    incident: record.incidentId,
    state: record.state,
    event: record.eventType,
    status: record.status,
    msgType: record.msgType,
    sent: record.sent,
    expires: record.expiresMs === null ? null : new Date(record.expiresMs).toISOString(),
    regions: record.regions,
    author: record.authorId,
    approver: record.approverId,
    active: incident !== undefined && incident.endedMs === null && record.state === 'issued',
    endReason: incident?.endReason ?? null,
    cap: record.cap,
  };
}
