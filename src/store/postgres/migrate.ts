// Applies the numbered PostgreSQL migrations at open. Every pending migration runs in ONE
// transaction (PostgreSQL DDL is transactional: a failure leaves the schema as it was) under a
// transaction-scoped advisory lock, so several nodes starting together apply each migration once.
import type pg from 'pg';
import type { Migration } from '../store.ts';

export type PgMigration = Migration;

/** Advisory lock key shared by every Tocsin node on a database ("TOCSINMG" as a bigint). */
const MIGRATION_LOCK_KEY = '6075727633573332295';

const SQL = {
  lock: 'SELECT pg_advisory_xact_lock($1::bigint)',
  createTable: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`,
  applied: 'SELECT version, name FROM schema_migrations ORDER BY version',
  record: 'INSERT INTO schema_migrations (version, name) VALUES ($1, $2)',
} as const;

/** Checks that versions are positive, unique and ascending (a packaging mistake otherwise). */
export function checkMigrationList(migrations: readonly PgMigration[]): void {
  let previous = 0;
  for (const m of migrations) {
    if (!Number.isInteger(m.version) || m.version <= previous) {
      throw new Error(`migration list out of order: version ${m.version} (${m.name}) follows ${previous}`);
    }
    previous = m.version;
  }
}

/**
 * Brings the database up to the shipped migrations; returns the versions applied now.
 * Refuses a database migrated by a newer Tocsin (a version this build does not know).
 */
export async function applyMigrations(pool: pg.Pool, migrations: readonly PgMigration[]): Promise<number[]> {
  checkMigrationList(migrations);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      await client.query(SQL.lock, [MIGRATION_LOCK_KEY]);
      await client.query(SQL.createTable);
      const { rows } = await client.query<{ version: number; name: string }>(SQL.applied);
      const known = new Map(migrations.map((m) => [m.version, m]));
      for (const row of rows) {
        const shipped = known.get(row.version);
        if (shipped === undefined) {
          throw new Error(
            `database has migration ${row.version} (${row.name}) that this build does not ship: ` +
              'it was migrated by a newer Tocsin',
          );
        }
      }
      const done = new Set(rows.map((r) => r.version));
      const applied: number[] = [];
      for (const m of migrations) {
        if (done.has(m.version)) continue;
        await client.query(m.sql);
        await client.query(SQL.record, [m.version, m.name]);
        applied.push(m.version);
      }
      await client.query('COMMIT');
      return applied;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    }
  } finally {
    client.release();
  }
}

/** Versions recorded as applied, ascending; empty for a database never migrated. */
export async function appliedMigrationVersions(pool: pg.Pool): Promise<number[]> {
  const exists = await pool.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (exists.rows[0]?.t == null) return [];
  const { rows } = await pool.query<{ version: number }>(SQL.applied);
  return rows.map((r) => r.version);
}

/** True when every shipped migration is recorded as applied (for `/readyz`). */
export async function migrationsUpToDate(
  pool: pg.Pool,
  migrations: readonly PgMigration[],
): Promise<boolean> {
  const done = new Set(await appliedMigrationVersions(pool));
  return migrations.every((m) => done.has(m.version));
}
