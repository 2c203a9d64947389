// SQLite queries of webhooks, their delivery queue/log, and the durable-channel cursors.
import type Database from 'better-sqlite3';
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
    afterSeq: row.after_seq as number,
    createdMs: row.created_ms as number,
    updatedMs: row.updated_ms as number,
  };
}

// A head is the pending delivery of lowest seq of its webhook (the partial indexes answer both
// the walk over due rows, earliest first, and the "nothing pending before it" probe).
const IS_HEAD = `d.state = 'pending' AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p
  WHERE p.webhook_id = d.webhook_id AND p.state = 'pending' AND p.event_seq < d.event_seq)`;

/** The webhook and cursor queries over the store's one SQLite connection. */
export function createSqliteWebhooks(db: Database.Database): {
  webhooks: WebhookStore;
  cursors: CursorStore;
} {
  const q = {
    insert:
      db.prepare(`INSERT INTO webhooks (id, url, regions_json, event_types_json, secret, owner_id, after_seq,
      created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    byId: db.prepare('SELECT * FROM webhooks WHERE id = ?'),
    all: db.prepare('SELECT * FROM webhooks ORDER BY created_ms, id'),
    count: db.prepare('SELECT count(*) FROM webhooks').pluck(),
    update:
      db.prepare(`UPDATE webhooks SET url = ?, regions_json = ?, event_types_json = ?, secret = ?, updated_ms = ?
      WHERE id = ?`),
    delete: db.prepare('DELETE FROM webhooks WHERE id = ?'),
    deleteDeliveries: db.prepare('DELETE FROM webhook_deliveries WHERE webhook_id = ?'),
    enqueue:
      db.prepare(`INSERT OR IGNORE INTO webhook_deliveries (webhook_id, event_seq, event_id, state, created_ms,
      next_attempt_ms) VALUES (?, ?, ?, 'pending', ?, ?)`),
    dueHeads: db
      .prepare(
        `SELECT d.id FROM webhook_deliveries d WHERE d.next_attempt_ms <= ? AND d.lease_until_ms <= ? AND ${IS_HEAD}
        ORDER BY d.next_attempt_ms, d.id LIMIT ?`,
      )
      .pluck(),
    lease: db.prepare('UPDATE webhook_deliveries SET lease_until_ms = ? WHERE id = ?'),
    claimed: db.prepare(`SELECT d.*, w.url, w.secret, e.json, e.time_ms FROM webhook_deliveries d
      JOIN webhooks w ON w.id = d.webhook_id LEFT JOIN events e ON e.seq = d.event_seq
      WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.next_attempt_ms, d.id`),
    nextDue: db
      .prepare(
        `SELECT min(max(d.next_attempt_ms, d.lease_until_ms)) FROM webhook_deliveries d WHERE ${IS_HEAD}`,
      )
      .pluck(),
    delivered: db.prepare(`UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1,
      last_attempt_ms = ?, last_status = ?, last_error = NULL, duration_ms = ?, delivered_ms = ?, lease_until_ms = 0
      WHERE id = ?`),
    retry:
      db.prepare(`UPDATE webhook_deliveries SET attempts = attempts + 1, last_attempt_ms = ?, last_status = ?,
      last_error = ?, duration_ms = ?, next_attempt_ms = ?, lease_until_ms = 0 WHERE id = ?`),
    dead: db.prepare(`UPDATE webhook_deliveries SET state = 'dead', attempts = attempts + 1, last_attempt_ms = ?,
      last_status = ?, last_error = ?, duration_ms = ?, lease_until_ms = 0 WHERE id = ?`),
    release: db.prepare('UPDATE webhook_deliveries SET lease_until_ms = 0 WHERE id = ?'),
    log: db.prepare(`SELECT * FROM webhook_deliveries WHERE webhook_id = ? AND (? IS NULL OR state = ?)
      AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`),
    delivery: db.prepare('SELECT * FROM webhook_deliveries WHERE id = ?'),
    prune: db.prepare("DELETE FROM webhook_deliveries WHERE state = 'delivered' AND delivered_ms < ?"),
    redeliverAll:
      db.prepare(`UPDATE webhook_deliveries SET state = 'pending', created_ms = ?, next_attempt_ms = ?,
      lease_until_ms = 0 WHERE webhook_id = ? AND state = 'dead'`),
    redeliverOne:
      db.prepare(`UPDATE webhook_deliveries SET state = 'pending', created_ms = ?, next_attempt_ms = ?,
      lease_until_ms = 0 WHERE webhook_id = ? AND state = 'dead' AND id = ?`),
    getCursor: db.prepare('SELECT seq FROM channel_cursors WHERE channel = ?').pluck(),
    setCursor: db.prepare(`INSERT INTO channel_cursors (channel, seq, updated_ms) VALUES (?, ?, ?)
      ON CONFLICT (channel) DO UPDATE SET seq = max(seq, excluded.seq), updated_ms = excluded.updated_ms`),
  };

  const enqueue = db.transaction((rows: Parameters<WebhookStore['enqueueDeliveries']>[0]) => {
    let added = 0;
    for (const row of rows)
      added += q.enqueue.run(row.webhookId, row.eventSeq, row.eventId, row.createdMs, row.createdMs).changes;
    return added;
  });
  const claim = db.transaction((nowMs: number, limit: number, leaseUntilMs: number) => {
    const ids = q.dueHeads.all(nowMs, nowMs, limit) as number[];
    if (ids.length === 0) return [];
    for (const id of ids) q.lease.run(leaseUntilMs, id);
    return (q.claimed.all(JSON.stringify(ids)) as Row[]).map(claimedFromRow);
  });
  const record = db.transaction((results: Parameters<WebhookStore['recordResults']>[0]) => {
    for (const r of results) {
      if (r.outcome === 'delivered') q.delivered.run(r.attemptMs, r.status, r.durationMs, r.attemptMs, r.id);
      else if (r.outcome === 'retry')
        q.retry.run(r.attemptMs, r.status, r.error, r.durationMs, r.nextAttemptMs ?? r.attemptMs, r.id);
      else if (r.outcome === 'dead') q.dead.run(r.attemptMs, r.status, r.error, r.durationMs, r.id);
      else q.release.run(r.id);
    }
  });
  const remove = db.transaction((id: string) => {
    q.deleteDeliveries.run(id);
    return q.delete.run(id).changes > 0;
  });
  const redeliver = db.transaction((webhookId: string, nowMs: number, ids: number[] | undefined) => {
    if (ids === undefined) return q.redeliverAll.run(nowMs, nowMs, webhookId).changes;
    let count = 0;
    for (const id of ids) count += q.redeliverOne.run(nowMs, nowMs, webhookId, id).changes;
    return count;
  });

  const webhooks: WebhookStore = {
    async createWebhook(w) {
      q.insert.run(
        w.id,
        w.url,
        JSON.stringify(w.regions),
        JSON.stringify(w.eventTypes),
        w.secret,
        w.ownerId,
        w.afterSeq,
        w.createdMs,
        w.updatedMs,
      );
    },
    async getWebhook(id) {
      const row = q.byId.get(id) as Row | undefined;
      return row ? webhookFromRow(row) : undefined;
    },
    async listWebhooks() {
      return (q.all.all() as Row[]).map(webhookFromRow);
    },
    async countWebhooks() {
      return q.count.get() as number;
    },
    async updateWebhook(id, patch, nowMs) {
      const row = q.byId.get(id) as Row | undefined;
      if (!row) return undefined;
      const next = { ...webhookFromRow(row), ...patch, updatedMs: nowMs };
      q.update.run(
        next.url,
        JSON.stringify(next.regions),
        JSON.stringify(next.eventTypes),
        next.secret,
        nowMs,
        id,
      );
      return next;
    },
    async deleteWebhook(id) {
      return remove(id);
    },
    async enqueueDeliveries(rows) {
      return rows.length === 0 ? 0 : enqueue(rows);
    },
    async claimDue(nowMs, limit, leaseUntilMs) {
      // A lease needs no durability (after a crash nothing is in flight, and a lease that
      // survived only delays its webhook until it ends), so this commit skips the fsync that
      // synchronous=FULL costs every other one (5 ms here): bench:webhooks burst 138 → 237 deliveries/s.
      const previous = db.pragma('synchronous', { simple: true });
      db.pragma('synchronous = OFF');
      try {
        return claim(nowMs, limit, leaseUntilMs);
      } finally {
        db.pragma(`synchronous = ${previous}`);
      }
    },
    async nextDueMs() {
      return (q.nextDue.get() as number | null) ?? undefined;
    },
    async recordResults(results) {
      if (results.length > 0) record(results);
    },
    async listDeliveries(webhookId, query) {
      const state = query.state ?? null;
      const before = query.beforeId ?? null;
      return (q.log.all(webhookId, state, state, before, before, query.limit) as Row[]).map(deliveryFromRow);
    },
    async getDelivery(id) {
      const row = q.delivery.get(id) as Row | undefined;
      return row ? deliveryFromRow(row) : undefined;
    },
    async pruneDelivered(beforeMs) {
      return q.prune.run(beforeMs).changes;
    },
    async redeliver(webhookId, nowMs, ids) {
      return redeliver(webhookId, nowMs, ids);
    },
  };
  const cursors: CursorStore = {
    async getCursor(channel) {
      return (q.getCursor.get(channel) as number | undefined) ?? undefined;
    },
    async setCursor(channel, seq, nowMs) {
      // A cursor only spares re-reading the log: its commit waits for no fsync (WAL with
      // synchronous=NORMAL survives a process crash; a power loss at worst replays a few events
      // to an at-least-once channel). With FULL it cost ≈ 4.5 ms of every alert (CPU profile,
      // docs/bench.md); the next FULL commit makes it durable anyway.
      if (db.inTransaction) {
        q.setCursor.run(channel, seq, nowMs);
        return;
      }
      db.pragma('synchronous = NORMAL');
      try {
        q.setCursor.run(channel, seq, nowMs);
      } finally {
        db.pragma('synchronous = FULL');
      }
    },
  };
  return { webhooks, cursors };
}
