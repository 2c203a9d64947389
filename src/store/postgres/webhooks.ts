// PostgreSQL queries of webhooks, their delivery queue/log, and the durable-channel cursors.
// Claiming leases head deliveries with FOR UPDATE SKIP LOCKED, so nodes sharing the database
// never attempt the same delivery at once, and per-webhook order holds across nodes.
import type pg from 'pg';
import type { CursorStore } from '../cursor-store.ts';
import { claimedFromRow, deliveryFromRow } from '../webhook-rows.ts';
import type { WebhookRecord, WebhookStore } from '../webhook-store.ts';

type Row = Record<string, unknown>;

function webhookFromRow(row: Row): WebhookRecord {
  return {
    id: row.id as string,
    url: row.url as string,
    regions: JSON.parse(row.regions_json as string) as string[],
    eventTypes: JSON.parse(row.event_types_json as string) as string[],
    secret: row.secret as string,
    ownerId: row.owner_id as string,
    afterSeq: Number(row.after_seq),
    createdMs: Number(row.created_ms),
    updatedMs: Number(row.updated_ms),
  };
}

// A head is the pending delivery of lowest seq of its webhook (partial indexes: the walk over
// due rows earliest first, and the "nothing pending before it" probe).
const IS_HEAD = `d.state = 'pending' AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
  WHERE p.webhook_id = d.webhook_id AND p.state = 'pending' AND p.event_seq < d.event_seq)`;

const SQL = {
  insert: `INSERT INTO webhooks (id, url, regions_json, event_types_json, secret, owner_id, after_seq, created_ms,
    updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
  byId: 'SELECT * FROM webhooks WHERE id = $1',
  all: 'SELECT * FROM webhooks ORDER BY created_ms, id',
  count: 'SELECT count(*)::int AS n FROM webhooks',
  update: `UPDATE webhooks SET url = $2, regions_json = $3, event_types_json = $4, secret = $5, updated_ms = $6
    WHERE id = $1 RETURNING *`,
  delete: `WITH gone AS (DELETE FROM webhook_deliveries WHERE webhook_id = $1)
    DELETE FROM webhooks WHERE id = $1`,
  enqueue: `INSERT INTO webhook_deliveries (webhook_id, event_seq, event_id, state, created_ms, next_attempt_ms)
    SELECT w, s, e, 'pending', c, c FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) AS t (w, s, e, c)
    ON CONFLICT (webhook_id, event_seq) DO NOTHING`,
  claim: `WITH due AS (
      SELECT d.id FROM webhook_deliveries d
      WHERE d.next_attempt_ms <= $1 AND d.lease_until_ms <= $1 AND ${IS_HEAD}
      ORDER BY d.next_attempt_ms, d.id LIMIT $2 FOR UPDATE SKIP LOCKED),
    claimed AS (
      UPDATE webhook_deliveries d SET lease_until_ms = $3 FROM due
      WHERE d.id = due.id AND d.state = 'pending' AND d.lease_until_ms <= $1 RETURNING d.*)
    SELECT c.*, w.url, w.secret, e.json, e.time_ms FROM claimed c
    JOIN webhooks w ON w.id = c.webhook_id LEFT JOIN events e ON e.seq = c.event_seq
    ORDER BY c.next_attempt_ms, c.id`,
  nextDue: `SELECT min(greatest(d.next_attempt_ms, d.lease_until_ms)) AS due FROM webhook_deliveries d WHERE ${IS_HEAD}`,
  record: `UPDATE webhook_deliveries d SET
      state = CASE r.outcome WHEN 'delivered' THEN 'delivered' WHEN 'dead' THEN 'dead' ELSE d.state END,
      attempts = d.attempts + CASE WHEN r.outcome = 'released' THEN 0 ELSE 1 END,
      last_attempt_ms = CASE WHEN r.outcome = 'released' THEN d.last_attempt_ms ELSE r.attempt_ms END,
      last_status = CASE WHEN r.outcome = 'released' THEN d.last_status ELSE r.status END,
      last_error = CASE WHEN r.outcome = 'released' THEN d.last_error ELSE r.error END,
      duration_ms = CASE WHEN r.outcome = 'released' THEN d.duration_ms ELSE r.duration_ms END,
      delivered_ms = CASE WHEN r.outcome = 'delivered' THEN r.attempt_ms ELSE d.delivered_ms END,
      next_attempt_ms = CASE WHEN r.outcome = 'retry' THEN r.next_ms ELSE d.next_attempt_ms END,
      lease_until_ms = 0
    FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::int[], $5::text[], $6::bigint[], $7::bigint[])
      AS r (id, outcome, attempt_ms, status, error, duration_ms, next_ms)
    WHERE d.id = r.id`,
  log: `SELECT * FROM webhook_deliveries WHERE webhook_id = $1 AND ($2::text IS NULL OR state = $2)
    AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4`,
  delivery: 'SELECT * FROM webhook_deliveries WHERE id = $1',
  prune: "DELETE FROM webhook_deliveries WHERE state = 'delivered' AND delivered_ms < $1",
  redeliver: `UPDATE webhook_deliveries SET state = 'pending', created_ms = $2, next_attempt_ms = $2, lease_until_ms = 0
    WHERE webhook_id = $1 AND state = 'dead' AND ($3::bigint[] IS NULL OR id = ANY ($3))`,
  getCursor: 'SELECT seq FROM channel_cursors WHERE channel = $1',
  setCursor: `INSERT INTO channel_cursors (channel, seq, updated_ms) VALUES ($1, $2, $3)
    ON CONFLICT (channel) DO UPDATE SET seq = greatest(channel_cursors.seq, excluded.seq), updated_ms = excluded.updated_ms`,
} as const;

/** The webhook and cursor queries over the store's pool. */
export function createPostgresWebhooks(pool: pg.Pool): { webhooks: WebhookStore; cursors: CursorStore } {
  const webhooks: WebhookStore = {
    async createWebhook(w) {
      await pool.query(SQL.insert, [
        w.id,
        w.url,
        JSON.stringify(w.regions),
        JSON.stringify(w.eventTypes),
        w.secret,
        w.ownerId,
        w.afterSeq,
        w.createdMs,
        w.updatedMs,
      ]);
    },
    async getWebhook(id) {
      const { rows } = await pool.query(SQL.byId, [id]);
      return rows[0] ? webhookFromRow(rows[0] as Row) : undefined;
    },
    async listWebhooks() {
      const { rows } = await pool.query(SQL.all);
      return (rows as Row[]).map(webhookFromRow);
    },
    async countWebhooks() {
      const { rows } = await pool.query(SQL.count);
      return Number((rows[0] as Row).n);
    },
    async updateWebhook(id, patch, nowMs) {
      const current = await webhooks.getWebhook(id);
      if (!current) return undefined;
      const next = { ...current, ...patch };
      const { rows } = await pool.query(SQL.update, [
        id,
        next.url,
        JSON.stringify(next.regions),
        JSON.stringify(next.eventTypes),
        next.secret,
        nowMs,
      ]);
      return rows[0] ? webhookFromRow(rows[0] as Row) : undefined;
    },
    async deleteWebhook(id) {
      const result = await pool.query(SQL.delete, [id]);
      return (result.rowCount ?? 0) > 0;
    },
    async enqueueDeliveries(rows) {
      if (rows.length === 0) return 0;
      const result = await pool.query(SQL.enqueue, [
        rows.map((r) => r.webhookId),
        rows.map((r) => r.eventSeq),
        rows.map((r) => r.eventId),
        rows.map((r) => r.createdMs),
      ]);
      return result.rowCount ?? 0;
    },
    async claimDue(nowMs, limit, leaseUntilMs) {
      // A lease needs no durability (after a crash it only delays its webhook until it ends):
      // this commit does not wait for the WAL flush that synchronous_commit=on costs the others.
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SET LOCAL synchronous_commit = off');
        const { rows } = await client.query(SQL.claim, [nowMs, limit, leaseUntilMs]);
        await client.query('COMMIT');
        return (rows as Row[]).map(claimedFromRow);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async nextDueMs() {
      const { rows } = await pool.query(SQL.nextDue);
      const due = (rows[0] as Row | undefined)?.due;
      return due === null || due === undefined ? undefined : Number(due);
    },
    async recordResults(results) {
      if (results.length === 0) return;
      await pool.query(SQL.record, [
        results.map((r) => r.id),
        results.map((r) => r.outcome),
        results.map((r) => r.attemptMs),
        results.map((r) => r.status),
        results.map((r) => r.error),
        results.map((r) => r.durationMs),
        results.map((r) => r.nextAttemptMs ?? null),
      ]);
    },
    async listDeliveries(webhookId, query) {
      const { rows } = await pool.query(SQL.log, [
        webhookId,
        query.state ?? null,
        query.beforeId ?? null,
        query.limit,
      ]);
      return (rows as Row[]).map(deliveryFromRow);
    },
    async getDelivery(id) {
      const { rows } = await pool.query(SQL.delivery, [id]);
      return rows[0] ? deliveryFromRow(rows[0] as Row) : undefined;
    },
    async pruneDelivered(beforeMs) {
      const result = await pool.query(SQL.prune, [beforeMs]);
      return result.rowCount ?? 0;
    },
    async redeliver(webhookId, nowMs, ids) {
      const result = await pool.query(SQL.redeliver, [webhookId, nowMs, ids ?? null]);
      return result.rowCount ?? 0;
    },
  };
  const cursors: CursorStore = {
    async getCursor(channel) {
      const { rows } = await pool.query(SQL.getCursor, [channel]);
      return rows[0] ? Number((rows[0] as Row).seq) : undefined;
    },
    async setCursor(channel, seq, nowMs) {
      await pool.query(SQL.setCursor, [channel, seq, nowMs]);
    },
  };
  return { webhooks, cursors };
}
