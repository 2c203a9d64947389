// Row → record mapping for the PostgreSQL engine. bigint columns arrive as numbers (the pool's
// type parser in postgres-store.ts); `regions` is the JSON aggregate of queries.ts ALERT_COLUMNS.
import type { Alert } from '../../cap/types.ts';
import type {
  AlertRecord,
  EventRecord,
  IdempotencyRecord,
  IncidentRecord,
  RegionLink,
  ScheduleEntry,
} from '../store.ts';

type Row = Record<string, unknown>;

export function alertFromRow(row: Row): AlertRecord {
  return {
    id: row.id as string,
    incidentId: row.incident_id as string,
    state: row.state as AlertRecord['state'],
    eventType: row.event_type as string,
    status: row.status as AlertRecord['status'],
    msgType: row.msg_type as AlertRecord['msgType'],
    sent: row.sent as string,
    sentMs: row.sent_ms as number,
    expiresMs: (row.expires_ms as number | null) ?? null,
    authorId: row.author_id as string,
    approverId: (row.approver_id as string | null) ?? null,
    cap: JSON.parse(row.cap_json as string) as Alert,
    xml: row.xml as string,
    regions: row.regions as RegionLink[],
    createdSeq: row.created_seq as number,
    updatedSeq: row.updated_seq as number,
  };
}

export function incidentFromRow(row: Row): IncidentRecord {
  return {
    id: row.id as string,
    eventType: row.event_type as string,
    status: row.status as IncidentRecord['status'],
    currentAlertId: row.current_alert_id as string,
    regions: JSON.parse(row.regions_json as string) as RegionLink[],
    since: row.since as string,
    startedMs: row.started_ms as number,
    endedMs: (row.ended_ms as number | null) ?? null,
    endReason: (row.end_reason as IncidentRecord['endReason']) ?? null,
  };
}

export function eventFromRow(row: Row): EventRecord {
  return {
    seq: row.seq as number,
    id: row.id as string,
    type: row.type as string,
    timeMs: row.time_ms as number,
    regions: JSON.parse(row.regions_json as string) as string[],
    json: row.json as string,
  };
}

export function idempotencyFromRow(row: Row): IdempotencyRecord {
  return {
    actorId: row.actor_id as string,
    key: row.key as string,
    requestHash: row.request_hash as string,
    alertId: row.alert_id as string,
    outcome: row.outcome as IdempotencyRecord['outcome'],
    createdMs: row.created_ms as number,
  };
}

export function scheduleFromRow(row: Row): ScheduleEntry {
  return {
    alertId: row.alert_id as string,
    kind: row.kind as ScheduleEntry['kind'],
    dueMs: row.due_ms as number,
  };
}
