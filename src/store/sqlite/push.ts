// SQLite queries of the Web Push store (subscriptions, VAPID keys).
import type Database from 'better-sqlite3';
import type { PushStore, PushSubscriptionRecord, VapidKeyPair } from '../push-store.ts';

type Row = Record<string, unknown>;

function subscriptionFromRow(row: Row): PushSubscriptionRecord {
  return {
    endpoint: row.endpoint as string,
    p256dh: row.p256dh as string,
    auth: row.auth as string,
    regions: JSON.parse(row.regions_json as string) as string[],
    createdMs: row.created_ms as number,
    updatedMs: row.updated_ms as number,
  };
}

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
  return {
    async ensureVapidKeys(candidate, nowMs) {
      return ensureVapid.immediate(candidate, nowMs);
    },
    async upsertPushSubscription(record) {
      return upsert.immediate(record);
    },
    async removePushSubscription(endpoint) {
      return q.remove.run(endpoint).changes > 0;
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
  } satisfies PushStore;
}
