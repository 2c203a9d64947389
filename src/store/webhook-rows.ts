// Delivery rows → records, shared by both engines (same column names; numbers coerced, since
// PostgreSQL bigints may arrive as strings through other type parsers).
import type { ClaimedDelivery, DeliveryRecord, DeliveryState } from './webhook-store.ts';

type Row = Record<string, unknown>;

export function deliveryFromRow(row: Row): DeliveryRecord {
  return {
    id: Number(row.id),
    webhookId: row.webhook_id as string,
    eventSeq: Number(row.event_seq),
    eventId: row.event_id as string,
    state: row.state as DeliveryState,
    attempts: Number(row.attempts),
    createdMs: Number(row.created_ms),
    nextAttemptMs: Number(row.next_attempt_ms),
    lastAttemptMs: row.last_attempt_ms === null ? null : Number(row.last_attempt_ms),
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: (row.last_error as string | null) ?? null,
    durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
    deliveredMs: row.delivered_ms === null ? null : Number(row.delivered_ms),
  };
}

export function claimedFromRow(row: Row): ClaimedDelivery {
  return {
    ...deliveryFromRow(row),
    url: row.url as string,
    secret: row.secret as string,
    json: (row.json as string | null) ?? null,
    eventTimeMs: row.time_ms === null || row.time_ms === undefined ? null : Number(row.time_ms),
  };
}
