// PostgreSQL queries of the Web Push store (subscriptions, VAPID keys, pending retries).
import type pg from 'pg';
import { retryFromRow, subscriptionFromRow } from '../push-rows.ts';
import type { PushStore } from '../push-store.ts';

type Row = Record<string, unknown>;

const SQL = {
  // One statement: the insert loses to a concurrent first writer, and the select then sees its row.
  ensureVapid: `WITH inserted AS (
      INSERT INTO push_vapid_keys (only_row, public_key, private_key, created_ms) VALUES (true, $1, $2, $3)
      ON CONFLICT (only_row) DO NOTHING RETURNING public_key, private_key)
    SELECT public_key, private_key FROM inserted
    UNION ALL SELECT public_key, private_key FROM push_vapid_keys WHERE only_row
    LIMIT 1`,
  // xmax = 0 only for a freshly inserted row: tells created from updated in one statement.
  upsert: `INSERT INTO push_subscriptions (endpoint, p256dh, auth, regions_json, created_ms, updated_ms)
    VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth,
      regions_json = excluded.regions_json, updated_ms = excluded.updated_ms
    RETURNING (xmax = 0) AS created`,
  vapid: 'SELECT public_key, private_key FROM push_vapid_keys WHERE only_row',
  // One statement: the subscription and its pending retries go together.
  remove: `WITH retries AS (DELETE FROM push_retries WHERE endpoint = $1)
    DELETE FROM push_subscriptions WHERE endpoint = $1`,
  get: 'SELECT * FROM push_subscriptions WHERE endpoint = $1',
  list: 'SELECT * FROM push_subscriptions ORDER BY created_ms, endpoint',
  count: 'SELECT count(*)::bigint AS n FROM push_subscriptions',
  retryInsert: `INSERT INTO push_retries (endpoint, payload, urgency, attempt, due_ms, expires_ms, created_ms)
    VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
  retriesDue: 'SELECT * FROM push_retries WHERE due_ms <= $1 ORDER BY due_ms, id LIMIT $2',
  retryNextDue: 'SELECT min(due_ms) AS due FROM push_retries',
  retryReschedule: 'UPDATE push_retries SET attempt = $2, due_ms = $3 WHERE id = $1',
  retryRemove: 'DELETE FROM push_retries WHERE id = $1',
  retryCount: 'SELECT count(*)::bigint AS n FROM push_retries',
} as const;

export function createPostgresPushStore(pool: pg.Pool): PushStore {
  return {
    async ensureVapidKeys(candidate, nowMs) {
      let { rows } = await pool.query<Row>(SQL.ensureVapid, [
        candidate.publicKey,
        candidate.privateKey,
        nowMs,
      ]);
      // A concurrent first writer committed after this statement's snapshot: read its row now.
      if (rows.length === 0) rows = (await pool.query<Row>(SQL.vapid)).rows;
      const row = rows[0] as Row;
      return { publicKey: row.public_key as string, privateKey: row.private_key as string };
    },
    async upsertPushSubscription(r) {
      const { rows } = await pool.query<{ created: boolean }>(SQL.upsert, [
        r.endpoint,
        r.p256dh,
        r.auth,
        JSON.stringify(r.regions),
        r.createdMs,
        r.updatedMs,
      ]);
      return rows[0]?.created ? 'created' : 'updated';
    },
    async removePushSubscription(endpoint) {
      return ((await pool.query(SQL.remove, [endpoint])).rowCount ?? 0) > 0;
    },
    async getPushSubscription(endpoint) {
      const { rows } = await pool.query<Row>(SQL.get, [endpoint]);
      return rows[0] ? subscriptionFromRow(rows[0]) : undefined;
    },
    async listPushSubscriptions() {
      return (await pool.query<Row>(SQL.list)).rows.map(subscriptionFromRow);
    },
    async countPushSubscriptions() {
      return (await pool.query<{ n: number }>(SQL.count)).rows[0]?.n ?? 0;
    },
    async addPushRetry(r) {
      const { rows } = await pool.query<{ id: number }>(SQL.retryInsert, [
        r.endpoint,
        r.payload,
        r.urgency,
        r.attempt,
        r.dueMs,
        r.expiresMs,
        r.createdMs,
      ]);
      return (rows[0] as { id: number }).id;
    },
    async duePushRetries(nowMs, limit) {
      return (await pool.query<Row>(SQL.retriesDue, [nowMs, limit])).rows.map(retryFromRow);
    },
    async nextPushRetryDueMs() {
      return (await pool.query<{ due: number | null }>(SQL.retryNextDue)).rows[0]?.due ?? undefined;
    },
    async reschedulePushRetry(id, attempt, dueMs) {
      return ((await pool.query(SQL.retryReschedule, [id, attempt, dueMs])).rowCount ?? 0) > 0;
    },
    async removePushRetry(id) {
      return ((await pool.query(SQL.retryRemove, [id])).rowCount ?? 0) > 0;
    },
    async countPushRetries() {
      return (await pool.query<{ n: number }>(SQL.retryCount)).rows[0]?.n ?? 0;
    },
  } satisfies PushStore;
}
