// Events and views: what the log records for each change, and what the API shows of an alert.
import type { BusEvent } from '../bus/bus.ts';
import type {
  AlertRecord,
  EndReason,
  EventBuilder,
  IncidentRecord,
  NewAlertRecord,
  RegionLink,
} from '../store/store.ts';
import { prepareEvent, type SigningKey } from './event-signing.ts';
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
  const json = prepareEvent({ id, type, time: new Date(timeMs).toISOString(), regions, alert }, key);
  return (seq) => ({ id, type, timeMs, regions, json: json(seq) });
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

/** The incident as an issued / updated / ended event describes it (for nodes that did not commit it). */
export function incidentFromEvent(event: BusEvent): IncidentRecord | undefined {
  const ends = event.type === EVENT_TYPES.ended;
  if (!ends && event.type !== EVENT_TYPES.issued && event.type !== EVENT_TYPES.updated) return undefined;
  const parsed = JSON.parse(event.json) as { time: string; alert: ReturnType<typeof eventBody> };
  const a = parsed.alert;
  const timeMs = Date.parse(parsed.time);
  return {
    id: a.incident,
    eventType: a.event,
    status: a.status,
    currentAlertId: a.id,
    regions: a.regions as RegionLink[],
    since: a.since ?? a.sent,
    startedMs: Date.parse(a.since ?? a.sent),
    endedMs: ends ? timeMs : null,
    endReason: ends ? ((a as { reason?: EndReason }).reason ?? null) : null,
  };
}
