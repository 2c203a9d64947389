// SQLite queries of the Web Push store (subscriptions, VAPID keys, pending retries).
import type Database from 'better-sqlite3';
import { retryFromRow, subscriptionFromRow } from '../push-rows.ts';
import type { PushStore, PushSubscriptionRecord, VapidKeyPair } from '../push-store.ts';

type Row = Record<string, unknown>;

export function createSqlitePushStore(db: Database.Database): PushStore {
  const q = {
    vapidInsert: db.prepare(
      'INSERT INTO push_vapid_keys (only_row, public_key, private_key, created_ms) VALUES (1, ?, ?, ?) ON CONFLICT (only_row) DO NOTHING',
    ),
    vapidGet: db.prepare('SELECT public_key, private_key FROM push_vapid_keys WHERE only_row = 1'),
    exists: db.prepare('SELECT 1 FROM push_subscriptions WHERE endpoint = ?').pluck(),
    upsert:
      db.prepare(`INSERT INTO push_subscriptions (endpoint, p256dh, auth, regions_json, created_ms, updated_ms)
      VALUES (@endpoint, @p256dh, @auth, @regionsJson, @createdMs, @updatedMs)
      ON CONFLICT (endpoint) DO UPDATE SET p256dh = excluded.p256dh, auth = excluded.auth,
      regions_json = excluded.regions_json, updated_ms = excluded.updated_ms`),
    remove: db.prepare('DELETE FROM push_subscriptions WHERE endpoint = ?'),
    get: db.prepare('SELECT * FROM push_subscriptions WHERE endpoint = ?'),
    list: db.prepare('SELECT * FROM push_subscriptions ORDER BY created_ms, endpoint'),
    count: db.prepare('SELECT count(*) FROM push_subscriptions').pluck(),
    retryInsert: db.prepare(`INSERT INTO push_retries
      (endpoint, payload, urgency, attempt, due_ms, expires_ms, created_ms)
      VALUES (@endpoint, @payload, @urgency, @attempt, @dueMs, @expiresMs, @createdMs)`),
    retriesDue: db.prepare('SELECT * FROM push_retries WHERE due_ms <= ? ORDER BY due_ms, id LIMIT ?'),
    retryNextDue: db.prepare('SELECT min(due_ms) FROM push_retries').pluck(),
    retryReschedule: db.prepare('UPDATE push_retries SET attempt = ?, due_ms = ? WHERE id = ?'),
    retryRemove: db.prepare('DELETE FROM push_retries WHERE id = ?'),
    retriesOfEndpointRemove: db.prepare('DELETE FROM push_retries WHERE endpoint = ?'),
    retryCount: db.prepare('SELECT count(*) FROM push_retries').pluck(),
  };
  const ensureVapid = db.transaction((candidate: VapidKeyPair, nowMs: number): VapidKeyPair => {
    q.vapidInsert.run(candidate.publicKey, candidate.privateKey, nowMs);
    const row = q.vapidGet.get() as Row;
    return { publicKey: row.public_key as string, privateKey: row.private_key as string };
  });
  const upsert = db.transaction((record: PushSubscriptionRecord): 'created' | 'updated' => {
    const existed = q.exists.get(record.endpoint) !== undefined;
    q.upsert.run({ ...record, regionsJson: JSON.stringify(record.regions) });
    return existed ? 'updated' : 'created';
  });
  const remove = db.transaction((endpoint: string): boolean => {
    q.retriesOfEndpointRemove.run(endpoint);
    return q.remove.run(endpoint).changes > 0;
  });
  return {
    async ensureVapidKeys(candidate, nowMs) {
      return ensureVapid.immediate(candidate, nowMs);
    },
    async upsertPushSubscription(record) {
      return upsert.immediate(record);
    },
    async removePushSubscription(endpoint) {
      return remove.immediate(endpoint);
    },
    async getPushSubscription(endpoint) {
      const row = q.get.get(endpoint) as Row | undefined;
      return row ? subscriptionFromRow(row) : undefined;
    },
    async listPushSubscriptions() {
      return (q.list.all() as Row[]).map(subscriptionFromRow);
    },
    async countPushSubscriptions() {
      return q.count.get() as number;
    },
    async addPushRetry(retry) {
      return Number(q.retryInsert.run(retry).lastInsertRowid);
    },
    async duePushRetries(nowMs, limit) {
      return (q.retriesDue.all(nowMs, limit) as Row[]).map(retryFromRow);
    },
    async nextPushRetryDueMs() {
      return (q.retryNextDue.get() as number | null) ?? undefined;
    },
    async reschedulePushRetry(id, attempt, dueMs) {
      return q.retryReschedule.run(attempt, dueMs, id).changes > 0;
    },
    async removePushRetry(id) {
      return q.retryRemove.run(id).changes > 0;
    },
    async countPushRetries() {
      return q.retryCount.get() as number;
    },
  } satisfies PushStore;
}
