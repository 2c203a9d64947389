// The production store: PostgreSQL through a `pg` pool. Every method is one transaction (or one
// statement; lifecycle changes arriving together share one transaction, each in its own
// savepoint: group-commit.ts). The event seq comes from a one-row counter locked by UPDATE ...
// RETURNING as the last step of each change, so seqs are global and gap-free across every node,
// and commit in order. synchronous_commit is forced on for our sessions: a resolved commit is on disk.
import pg from 'pg';
import type { RegionRecord } from '../../geo/types.ts';
import { type AlertCommit, type EventRecord, type Store, StoreConflictError } from '../store.ts';
import { appendWithClient, createPostgresAuditStore } from './audit.ts';
import { createGroupCommitter } from './group-commit.ts';
import { createPostgresIdentityStore } from './identity.ts';
import { createPostgresIngestStore } from './ingest.ts';
import { appliedMigrationVersions, applyMigrations } from './migrate.ts';
import { POSTGRES_MIGRATIONS } from './migrations.ts';
import { createPostgresPushStore } from './push.ts';
import { alertListSql, SQL } from './queries.ts';
import { alertFromRow, eventFromRow, idempotencyFromRow, incidentFromRow, scheduleFromRow } from './rows.ts';
import { createPostgresWebhooks } from './webhooks.ts';

export interface PostgresStoreOptions {
  /** `postgres://user@host:port/database`. */
  url: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** Give up connecting after this long (default 5 s). */
  connectTimeoutMs?: number;
  /** Errors of idle pooled connections (the server restarted, the network dropped). */
  onError?: (error: unknown) => void;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const IDLE_TIMEOUT_MS = 30_000;
/** A deadlock victim is rolled back by the server and safe to run again. */
const DEADLOCK_DETECTED = '40P01';
const UNIQUE_VIOLATION = '23505';
const MAX_ATTEMPTS = 3;
const INT8_OID = 20;

/** bigint (ms, seq) as a JS number: exact below 2^53, which both stay far beneath. */
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Opens a pool, applies pending migrations, and returns the store. */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    application_name: 'tocsin',
    options: '-c synchronous_commit=on',
    types: typeParsers,
  });
  pool.on('error', (error) => options.onError?.(error));
  try {
    await applyMigrations(pool, POSTGRES_MIGRATIONS);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return createStore(pool);
}

/** Runs `work` in one transaction; a deadlock victim is retried (the server rolled it back whole). */
async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    // A connection lost mid-transaction rejects the running query AND emits 'error' on the
    // client; pg-pool listens only while the client is idle, so listen here or the process dies.
    let broken = false;
    const onLost = (): void => {
      broken = true;
    };
    client.on('error', onLost);
    try {
      await client.query('BEGIN');
      let result: T;
      try {
        result = await work(client);
      } catch (error) {
        if (!broken) await client.query('ROLLBACK').catch(onLost);
        if ((error as { code?: string }).code === DEADLOCK_DETECTED && attempt < MAX_ATTEMPTS && !broken)
          continue;
        throw error;
      }
      // A failed COMMIT may or may not have committed: never retried, the caller sees the error.
      await client.query('COMMIT').catch((error: unknown) => {
        broken = true;
        throw error;
      });
      return result;
    } finally {
      client.removeListener('error', onLost);
      client.release(broken);
    }
  }
}

async function commitChange(client: pg.PoolClient, change: AlertCommit): Promise<EventRecord> {
  const expected = change.expect ?? [];
  if (expected.length > 0) {
    const { rows } = await client.query<{ id: string; state: string }>(SQL.lockAlertStates, [
      expected.map((e) => e.alertId),
    ]);
    const actual = new Map(rows.map((r) => [r.id, r.state]));
    for (const { alertId, state } of expected) {
      const found = actual.get(alertId);
      if (found !== state)
        throw new StoreConflictError('state', `alert ${alertId} is ${found ?? 'missing'}, expected ${state}`);
    }
  }
  const i = change.idempotency;
  if (i && (await client.query(SQL.idempotencyExists, [i.actorId, i.key])).rowCount) {
    throw new StoreConflictError('idempotency', `idempotency key ${i.key} already used`);
  }
  const touched: string[] = [];
  const a = change.insertAlert;
  if (a) {
    await client.query(SQL.insertAlert, [
      a.id,
      a.incidentId,
      a.state,
      a.eventType,
      a.status,
      a.msgType,
      a.sent,
      a.sentMs,
      a.expiresMs,
      a.authorId,
      a.approverId,
      JSON.stringify(a.cap),
      a.xml,
      a.regions.map((r) => r.code),
      a.regions.map((r) => r.coverage),
      a.regions.map((r) => r.whole),
    ]);
    touched.push(a.id);
  }
  for (const s of change.setAlertStates ?? []) {
    await client.query(SQL.setAlertState, [s.alertId, s.state, s.approverId ?? null]);
    touched.push(s.alertId);
  }
  const inc = change.incident;
  if (inc) {
    await client.query(SQL.upsertIncident, [
      inc.id,
      inc.eventType,
      inc.status,
      inc.currentAlertId,
      JSON.stringify(inc.regions),
      inc.since,
      inc.startedMs,
      inc.endedMs,
      inc.endReason,
    ]);
  }
  const removeIds = change.schedule?.removeAlertIds ?? [];
  if (removeIds.length > 0) await client.query(SQL.scheduleRemove, [removeIds]);
  for (const s of change.schedule?.add ?? [])
    await client.query(SQL.scheduleAdd, [s.alertId, s.kind, s.dueMs]);
  if (i)
    await client.query(SQL.idempotencyInsert, [
      i.actorId,
      i.key,
      i.requestHash,
      i.alertId,
      i.outcome,
      i.createdMs,
    ]);

  // From here to COMMIT the counter row is locked: two round trips, then the commit.
  const seqRow = await client.query<{ seq: number }>(SQL.nextSeq);
  const seq = seqRow.rows[0]?.seq;
  if (seq === undefined) throw new Error('event_seq has no row: the schema is damaged');
  const event: EventRecord = { ...change.event(seq), seq };
  await client.query(SQL.stampSeqAndInsertEvent, [
    seq,
    event.id,
    event.type,
    event.timeMs,
    JSON.stringify(event.regions),
    event.json,
    touched,
  ]);
  if (change.audit) await appendWithClient(client, { ...change.audit, eventSeq: seq });
  return event;
}

/** Maps the unique constraints a racing writer can hit to the store's conflicts. */
function asConflict(error: unknown): unknown {
  const e = error as { code?: string; constraint?: string };
  if (e.code !== UNIQUE_VIOLATION) return error;
  if (e.constraint === 'alerts_pkey')
    return new StoreConflictError('duplicate_alert', 'alert already exists');
  if (e.constraint === 'idempotency_pkey')
    return new StoreConflictError('idempotency', 'idempotency key already used');
  return error;
}

function createStore(pool: pg.Pool): Store {
  let closed: Promise<void> | undefined;
  const groupCommit = createGroupCommitter(pool, commitChange);
  const rows = async (text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> =>
    (await pool.query(text, values)).rows as Record<string, unknown>[];
  const latestSeq = async (): Promise<number> => {
    const [row] = await rows(SQL.latestSeq);
    return row?.seq as number;
  };

  return {
    engine: 'postgres',
    identity: createPostgresIdentityStore(pool),
    audit: createPostgresAuditStore(pool),
    ...createPostgresWebhooks(pool),
    push: createPostgresPushStore(pool),
    ingest: createPostgresIngestStore(pool),
    async commitAlertChange(change) {
      try {
        return await groupCommit(change);
      } catch (error) {
        throw asConflict(error);
      }
    },
    async getAlert(id) {
      const [row] = await rows(SQL.alertById, [id]);
      return row ? alertFromRow(row) : undefined;
    },
    async listAlerts(query) {
      const { text, values } = alertListSql(query);
      return (await rows(text, values)).map(alertFromRow);
    },
    async getIncident(id) {
      const [row] = await rows(SQL.incidentById, [id]);
      return row ? incidentFromRow(row) : undefined;
    },
    async listActiveIncidents() {
      return (await rows(SQL.activeIncidents)).map(incidentFromRow);
    },
    async listIncidents(query) {
      return (await rows(SQL.incidentsOverlapping, [query.fromMs, query.toMs, query.eventType ?? null])).map(
        incidentFromRow,
      );
    },
    async getIdempotency(actorId, key) {
      const [row] = await rows(SQL.idempotencyGet, [actorId, key]);
      return row ? idempotencyFromRow(row) : undefined;
    },
    async dueSchedule(dueMs, limit) {
      return (await rows(SQL.scheduleDue, [dueMs, limit])).map(scheduleFromRow);
    },
    async nextScheduled() {
      const [row] = await rows(SQL.scheduleNext);
      return row ? scheduleFromRow(row) : undefined;
    },
    async readEvents(afterSeq, limit) {
      return (await rows(SQL.readEvents, [afterSeq, limit])).map(eventFromRow);
    },
    latestSeq,
    async oldestRetainedSeq() {
      const [row] = await rows(SQL.oldestSeq);
      const oldest = row?.seq as number | null;
      return oldest ?? (await latestSeq()) + 1;
    },
    async listRegions() {
      return (await rows(SQL.regions)).map((r) => JSON.parse(r.record_json as string) as RegionRecord);
    },
    async replaceRegionLevel(level, records) {
      // Last record wins for a repeated code, as a row-by-row upsert would.
      const byCode = new Map(records.map((r) => [r.code, r]));
      const list = [...byCode.values()];
      await inTransaction(pool, async (client) => {
        await client.query(SQL.deleteRegionLevel, [level]);
        if (list.length === 0) return;
        await client.query(SQL.insertRegions, [
          level,
          list.map((r) => r.code),
          list.map((r) => r.parent),
          list.map((r) => JSON.stringify({ ...r, level })),
        ]);
      });
    },
    async ping() {
      await pool.query(SQL.ping);
    },
    migrationsApplied() {
      return appliedMigrationVersions(pool);
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
  } satisfies Store;
}
