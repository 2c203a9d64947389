// Web Push rows → records, shared by both engines (same column names).
import type { PushRetryRecord, PushSubscriptionRecord } from './push-store.ts';

type Row = Record<string, unknown>;

export function subscriptionFromRow(row: Row): PushSubscriptionRecord {
  return {
    endpoint: row.endpoint as string,
    p256dh: row.p256dh as string,
    auth: row.auth as string,
    regions: JSON.parse(row.regions_json as string) as string[],
    createdMs: Number(row.created_ms),
    updatedMs: Number(row.updated_ms),
  };
}

export function retryFromRow(row: Row): PushRetryRecord {
  return {
    id: Number(row.id),
    endpoint: row.endpoint as string,
    payload: row.payload as string,
    urgency: row.urgency as PushRetryRecord['urgency'],
    attempt: Number(row.attempt),
    dueMs: Number(row.due_ms),
    expiresMs: Number(row.expires_ms),
    createdMs: Number(row.created_ms),
  };
}
