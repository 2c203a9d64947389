// The embedded store: one SQLite file in the data dir, one writer connection (better-sqlite3 is
// synchronous, so every method below runs as one uninterrupted transaction). WAL with
// synchronous=FULL: when a commit returns, it is on disk. Alert commits are the exception that
// keeps the rule: they commit with NORMAL and resolve only after an fsync of the WAL on the thread
// pool (wal-sync.ts), so a 201 is never lost in a crash and the loop never waits for the disk.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RegionRecord } from '../../geo/types.ts';
import {
  type AlertCommit,
  type AlertQuery,
  type AlertRecord,
  type EventRecord,
  type IdempotencyRecord,
  type ScheduleEntry,
  type Store,
  StoreConflictError,
} from '../store.ts';
import { createSqliteAudit } from './audit.ts';
import { createSqliteIdentityStore } from './identity.ts';
import { createSqliteIngestStore } from './ingest.ts';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import { createSqlitePushStore } from './push.ts';
import { alertFromRow, eventFromRow, incidentFromRow } from './rows.ts';
import { createWalSync, type WalSync } from './wal-sync.ts';
import { createSqliteWebhooks } from './webhooks.ts';

const BUSY_TIMEOUT_MS = 5_000;

export interface SqliteStoreOptions {
  /** Created if missing; the database is `tocsin.db` inside it. */
  dataDir: string;
  /** How alert commits reach the disk (tests hold or fail the fsync); default: `createWalSync`. */
  walSync?: (walPath: string) => WalSync;
}

/** Opens (creating if needed) the SQLite store and applies pending migrations. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const db = new Database(join(options.dataDir, 'tocsin.db'));
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (error) {
    db.close();
    throw error;
  }
  return createStore(db, (options.walSync ?? createWalSync)(`${db.name}-wal`));
}

function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ms INTEGER NOT NULL) STRICT',
  );
  const applied = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
  for (const migration of SQLITE_MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_ms) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        Date.now(),
      );
    }).immediate();
  }
}

function createStore(db: Database.Database, wal: WalSync): Store {
  const audit = createSqliteAudit(db);
  const q = {
    alertById: db.prepare('SELECT * FROM alerts WHERE id = ?'),
    alertRegions: db.prepare(
      'SELECT region_code, coverage, whole FROM alert_regions WHERE alert_id = ? ORDER BY position',
    ),
    alertState: db.prepare('SELECT state FROM alerts WHERE id = ?').pluck(),
    insertAlert:
      db.prepare(`INSERT INTO alerts (id, incident_id, state, event_type, status, msg_type, sent, sent_ms,
      expires_ms, author_id, approver_id, cap_json, xml, created_seq, updated_seq)
      VALUES (@id, @incidentId, @state, @eventType, @status, @msgType, @sent, @sentMs, @expiresMs, @authorId,
      @approverId, @capJson, @xml, @seq, @seq)`),
    insertRegion: db.prepare(
      'INSERT INTO alert_regions (alert_id, region_code, coverage, whole, position) VALUES (?, ?, ?, ?, ?)',
    ),
    setState: db.prepare(
      'UPDATE alerts SET state = ?, approver_id = coalesce(?, approver_id), updated_seq = ? WHERE id = ?',
    ),
    upsertIncident:
      db.prepare(`INSERT INTO incidents (id, event_type, status, current_alert_id, regions_json, since, started_ms, ended_ms, end_reason)
      VALUES (@id, @eventType, @status, @currentAlertId, @regionsJson, @since, @startedMs, @endedMs, @endReason)
      ON CONFLICT (id) DO UPDATE SET current_alert_id = excluded.current_alert_id, regions_json = excluded.regions_json,
      ended_ms = excluded.ended_ms, end_reason = excluded.end_reason`),
    incidentById: db.prepare('SELECT * FROM incidents WHERE id = ?'),
    activeIncidents: db.prepare('SELECT * FROM incidents WHERE ended_ms IS NULL ORDER BY started_ms, id'),
    scheduleAdd: db.prepare('INSERT OR REPLACE INTO schedule (alert_id, kind, due_ms) VALUES (?, ?, ?)'),
    scheduleRemove: db.prepare('DELETE FROM schedule WHERE alert_id = ?'),
    scheduleDue: db.prepare(
      'SELECT alert_id, kind, due_ms FROM schedule WHERE due_ms <= ? ORDER BY due_ms, alert_id LIMIT ?',
    ),
    scheduleNext: db.prepare('SELECT alert_id, kind, due_ms FROM schedule ORDER BY due_ms, alert_id LIMIT 1'),
    idempotencyGet: db.prepare('SELECT * FROM idempotency WHERE actor_id = ? AND key = ?'),
    idempotencyInsert:
      db.prepare(`INSERT INTO idempotency (actor_id, key, request_hash, alert_id, outcome, created_ms)
      VALUES (?, ?, ?, ?, ?, ?)`),
    nextSeq: db.prepare('SELECT coalesce(max(seq), 0) + 1 FROM events').pluck(),
    insertEvent: db.prepare(
      'INSERT INTO events (seq, id, type, time_ms, regions_json, json) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    readEvents: db.prepare('SELECT * FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?'),
    latestSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM events').pluck(),
    oldestSeq: db.prepare('SELECT min(seq) FROM events').pluck(),
    regions: db.prepare('SELECT record_json FROM regions ORDER BY code').pluck(),
    deleteLevel: db.prepare('DELETE FROM regions WHERE level = ?'),
    insertRegionRecord: db.prepare(
      'INSERT OR REPLACE INTO regions (code, parent, level, record_json) VALUES (?, ?, ?, ?)',
    ),
    migrations: db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck(),
  };

  const readAlert = (id: string): AlertRecord | undefined => {
    const row = q.alertById.get(id) as Record<string, unknown> | undefined;
    return row ? alertFromRow(row, q.alertRegions.all(id) as Record<string, unknown>[]) : undefined;
  };

  // Every check that can refuse a change (StoreConflictError) runs before its first write.
  const commit = (change: AlertCommit): EventRecord => {
    for (const { alertId, state } of change.expect ?? []) {
      const actual = q.alertState.get(alertId) as string | undefined;
      if (actual !== state)
        throw new StoreConflictError(
          'state',
          `alert ${alertId} is ${actual ?? 'missing'}, expected ${state}`,
        );
    }
    if (change.idempotency && q.idempotencyGet.get(change.idempotency.actorId, change.idempotency.key)) {
      throw new StoreConflictError('idempotency', `idempotency key ${change.idempotency.key} already used`);
    }
    const seq = q.nextSeq.get() as number;
    const a = change.insertAlert;
    if (a) {
      if (q.alertState.get(a.id) !== undefined)
        throw new StoreConflictError('duplicate_alert', `alert ${a.id} already exists`);
      q.insertAlert.run({ ...a, capJson: JSON.stringify(a.cap), seq });
      a.regions.forEach((r, i) => {
        q.insertRegion.run(a.id, r.code, r.coverage, r.whole ? 1 : 0, i);
      });
    }
    for (const s of change.setAlertStates ?? [])
      q.setState.run(s.state, s.approverId ?? null, seq, s.alertId);
    const inc = change.incident;
    if (inc) q.upsertIncident.run({ ...inc, regionsJson: JSON.stringify(inc.regions) });
    for (const id of change.schedule?.removeAlertIds ?? []) q.scheduleRemove.run(id);
    for (const s of change.schedule?.add ?? []) q.scheduleAdd.run(s.alertId, s.kind, s.dueMs);
    const i = change.idempotency;
    if (i) q.idempotencyInsert.run(i.actorId, i.key, i.requestHash, i.alertId, i.outcome, i.createdMs);
    const event = { ...change.event(seq), seq };
    q.insertEvent.run(seq, event.id, event.type, event.timeMs, JSON.stringify(event.regions), event.json);
    if (change.audit) audit.appendInTransaction({ ...change.audit, eventSeq: seq });
    return event;
  };

  const groupCommit = createGroupCommit(db, commit, wal);

  return {
    engine: 'sqlite',
    identity: createSqliteIdentityStore(db),
    audit: audit.store,
    ...createSqliteWebhooks(db),
    push: createSqlitePushStore(db),
    ingest: createSqliteIngestStore(db),
    commitAlertChange: (change) => groupCommit.submit(change),
    async getAlert(id) {
      return readAlert(id);
    },
    async listAlerts(query) {
      const { sql, params } = alertListSql(query);
      const ids = db.prepare(sql).pluck().all(params) as string[];
      return ids.map((id) => readAlert(id)).filter((a): a is AlertRecord => a !== undefined);
    },
    async getIncident(id) {
      const row = q.incidentById.get(id) as Record<string, unknown> | undefined;
      return row ? incidentFromRow(row) : undefined;
    },
    async listActiveIncidents() {
      return (q.activeIncidents.all() as Record<string, unknown>[]).map(incidentFromRow);
    },
    async listIncidents(query) {
      const rows = db
        .prepare(`SELECT * FROM incidents WHERE started_ms < @toMs AND (ended_ms IS NULL OR ended_ms > @fromMs)
          ${query.eventType === undefined ? '' : 'AND event_type = @eventType'} ORDER BY started_ms, id`)
        .all({ fromMs: query.fromMs, toMs: query.toMs, eventType: query.eventType ?? null }) as Record<
        string,
        unknown
      >[];
      return rows.map(incidentFromRow);
    },
    async getIdempotency(actorId, key) {
      const row = q.idempotencyGet.get(actorId, key) as Record<string, unknown> | undefined;
      if (!row) return undefined;
      return {
        actorId: row.actor_id as string,
        key: row.key as string,
        requestHash: row.request_hash as string,
        alertId: row.alert_id as string,
        outcome: row.outcome as IdempotencyRecord['outcome'],
        createdMs: row.created_ms as number,
      };
    },
    async dueSchedule(dueMs, limit) {
      return (q.scheduleDue.all(dueMs, limit) as Record<string, unknown>[]).map(scheduleFromRow);
    },
    async nextScheduled() {
      const row = q.scheduleNext.get() as Record<string, unknown> | undefined;
      return row ? scheduleFromRow(row) : undefined;
    },
    // Events of a commit still waiting for its fsync are not read back (a replay or a channel
    // never hands out an event that a power loss could take back).
    async readEvents(afterSeq, limit) {
      return (q.readEvents.all(afterSeq, groupCommit.visibleUpTo(), limit) as Record<string, unknown>[]).map(
        eventFromRow,
      );
    },
    async latestSeq() {
      return Math.min(q.latestSeq.get() as number, groupCommit.visibleUpTo());
    },
    async oldestRetainedSeq() {
      const oldest = q.oldestSeq.get() as number | null;
      return oldest ?? (q.latestSeq.get() as number) + 1;
    },
    async listRegions() {
      return (q.regions.all() as string[]).map((json) => JSON.parse(json) as RegionRecord);
    },
    async replaceRegionLevel(level, records) {
      db.transaction(() => {
        q.deleteLevel.run(level);
        for (const r of records)
          q.insertRegionRecord.run(r.code, r.parent, level, JSON.stringify({ ...r, level }));
      }).immediate();
    },
    async ping() {
      groupCommit.check();
      db.prepare('SELECT 1').get();
    },
    async migrationsApplied() {
      return q.migrations.all() as number[];
    },
    async close() {
      await groupCommit.close();
      if (db.open) db.close();
    },
  } satisfies Store;
}

/**
 * Group commit: changes submitted in the same turn of the event loop are applied in one
 * transaction and share a single fsync. A change refused by its own checks (StoreConflictError)
 * is refused before it writes anything, so it fails alone. Any other error may leave a change
 * half-written: the whole batch rolls back and each change is retried in a transaction of its
 * own, so one bad change never takes the others down and never lands half.
 * No SAVEPOINT per change: each one journals every page it touches into a temporary file
 * (measured: 159 → 69 KB written per issue, 69 → 30 write calls).
 * The transaction commits with synchronous=NORMAL and its changes resolve after `wal.sync()`:
 * the fsync runs on the thread pool while the loop takes the next batch (docs/bench.md). A failed
 * fsync leaves nothing certain on disk: every change waiting for it is refused, and so is every
 * later one (PostgreSQL stops on a failed flush for the same reason); /readyz then fails.
 */
function createGroupCommit(db: Database.Database, apply: (change: AlertCommit) => EventRecord, wal: WalSync) {
  type Waiter = { change: AlertCommit; resolve: (e: EventRecord) => void; reject: (e: unknown) => void };
  type Outcome = { ok: true; event: EventRecord } | { ok: false; error: unknown };
  let queue: Waiter[] = [];
  let failed: Error | undefined;
  /** The first seq of the committed batch whose fsync runs. */
  let syncingFrom: number | undefined;
  const inBatch = (batch: Waiter[]): Outcome[] =>
    batch.map((waiter) => {
      try {
        return { ok: true, event: apply(waiter.change) };
      } catch (error) {
        if (error instanceof StoreConflictError) return { ok: false, error };
        throw error;
      }
    });
  const alone = (waiter: Waiter): Outcome => {
    try {
      return { ok: true, event: runOne.immediate(waiter.change) };
    } catch (error) {
      return { ok: false, error };
    }
  };
  const runBatch = db.transaction(inBatch);
  const runOne = db.transaction(apply);
  const commit = (batch: Waiter[]): Outcome[] => {
    db.pragma('synchronous = NORMAL');
    try {
      try {
        return runBatch.immediate(batch);
      } catch (error) {
        if (batch.length === 1) return [{ ok: false, error }];
        // Only now, one transaction per change.
        return batch.map(alone);
      }
    } finally {
      db.pragma('synchronous = FULL');
    }
  };
  let scheduled = false;
  /** One commit per fsync: changes that arrive while the WAL syncs wait and go in the next batch. */
  const schedule = () => {
    if (scheduled || wal.busy() || queue.length === 0) return;
    scheduled = true;
    setImmediate(flush);
  };
  const flush = () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    const refused = failed ?? (db.open ? undefined : new TypeError('The database connection is not open'));
    if (refused) {
      for (const waiter of batch) waiter.reject(refused);
      return;
    }
    const outcomes = commit(batch);
    const settle = () =>
      batch.forEach((waiter, i) => {
        const outcome = outcomes[i] as Outcome;
        if (outcome.ok) waiter.resolve(outcome.event);
        else waiter.reject(outcome.error);
      });
    const seqs = outcomes.flatMap((o) => (o.ok ? [o.event.seq] : []));
    if (seqs.length === 0) {
      settle();
      schedule();
      return;
    }
    syncingFrom = Math.min(...seqs);
    wal.sync().then(
      () => {
        // Only now is every change of the batch on disk.
        syncingFrom = undefined;
        settle();
        schedule();
      },
      (error: unknown) => {
        failed = new Error(`the store could not flush its log to disk: ${(error as Error).message}`, {
          cause: error,
        });
        for (const waiter of [...batch, ...queue]) waiter.reject(failed);
        queue = [];
      },
    );
  };
  return {
    submit(change: AlertCommit): Promise<EventRecord> {
      return new Promise((resolve, reject) => {
        queue.push({ change, resolve, reject });
        schedule();
      });
    },
    /** The highest seq that may be read back: everything below the batch still syncing. */
    visibleUpTo(): number {
      return syncingFrom === undefined ? Number.MAX_SAFE_INTEGER : syncingFrom - 1;
    },
    /** Throws once an fsync has failed. */
    check(): void {
      if (failed) throw failed;
    },
    async close(): Promise<void> {
      await wal.idle();
      wal.close();
    },
  };
}

function scheduleFromRow(row: Record<string, unknown>): ScheduleEntry {
  return {
    alertId: row.alert_id as string,
    kind: row.kind as ScheduleEntry['kind'],
    dueMs: row.due_ms as number,
  };
}

/** The history query: newest first by createdSeq, which is unique and never reused. */
function alertListSql(query: AlertQuery): { sql: string; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: query.limit };
  const list = (prefix: string, values: readonly string[]): string => {
    values.forEach((value, i) => {
      params[`${prefix}${i}`] = value;
    });
    return values.map((_, i) => `@${prefix}${i}`).join(', ') || 'NULL';
  };
  const add = (clause: string, name?: string, value?: unknown) => {
    where.push(clause);
    if (name !== undefined) params[name] = value;
  };
  add(`state IN (${list('state', query.states ?? ['issued', 'superseded', 'ended'])})`);
  if (query.regions)
    add(`id IN (SELECT alert_id FROM alert_regions WHERE region_code IN (${list('region', query.regions)}))`);
  if (query.eventType !== undefined) add('event_type = @eventType', 'eventType', query.eventType);
  if (query.fromMs !== undefined) add('sent_ms >= @fromMs', 'fromMs', query.fromMs);
  if (query.toMs !== undefined) add('sent_ms < @toMs', 'toMs', query.toMs);
  if (query.active === true) add("state = 'issued'");
  if (query.active === false) add("state <> 'issued'");
  if (query.beforeSeq !== undefined) add('created_seq < @beforeSeq', 'beforeSeq', query.beforeSeq);
  return {
    sql: `SELECT id FROM alerts WHERE ${where.join(' AND ')} ORDER BY created_seq DESC LIMIT @limit`,
    params,
  };
}
