import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/postgres.ts';
import { applyMigrations, checkMigrationList, migrationsUpToDate, type PgMigration } from './migrate.ts';

const M1: PgMigration = { version: 1, name: 'things', sql: 'CREATE TABLE things (id int PRIMARY KEY)' };
const M2: PgMigration = { version: 2, name: 'more', sql: 'ALTER TABLE things ADD COLUMN label text' };

describe('postgres migrations', () => {
  let db: TestDatabase;
  const pools: pg.Pool[] = [];
  const pool = (): pg.Pool => {
    const p = new pg.Pool({ connectionString: db.url, max: 2 });
    pools.push(p);
    return p;
  };

  before(async () => {
    db = await createTestDatabase();
  });
  after(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });

  test('applies pending migrations once, then nothing', async () => {
    const p = pool();
    assert.equal(await migrationsUpToDate(p, [M1]), false);
    assert.deepEqual(await applyMigrations(p, [M1]), [1]);
    assert.deepEqual(await applyMigrations(p, [M1]), []);
    assert.equal(await migrationsUpToDate(p, [M1, M2]), false);
    assert.deepEqual(await applyMigrations(p, [M1, M2]), [2]);
    assert.equal(await migrationsUpToDate(p, [M1, M2]), true);
    const cols = await p.query(
      "SELECT column_name FROM information_schema.columns WHERE table_name = 'things' ORDER BY 1",
    );
    assert.deepEqual(
      cols.rows.map((r) => r.column_name),
      ['id', 'label'],
    );
  });

  test('nodes starting together apply each migration exactly once', async () => {
    const fresh = await createTestDatabase();
    const racers = Array.from({ length: 4 }, () => new pg.Pool({ connectionString: fresh.url, max: 1 }));
    try {
      const results = await Promise.all(racers.map((p) => applyMigrations(p, [M1, M2])));
      assert.deepEqual(results.flat().sort(), [1, 2], `applied: ${JSON.stringify(results)}`);
      const rows = await racers[0]!.query('SELECT version FROM schema_migrations ORDER BY version');
      assert.deepEqual(
        rows.rows.map((r) => r.version),
        [1, 2],
      );
    } finally {
      await Promise.all(racers.map((p) => p.end()));
      await fresh.drop();
    }
  });

  test('a failing migration leaves the schema untouched', async () => {
    const fresh = await createTestDatabase();
    const p = new pg.Pool({ connectionString: fresh.url, max: 1 });
    try {
      const broken: PgMigration = { version: 2, name: 'broken', sql: 'ALTER TABLE nowhere ADD COLUMN x int' };
      await assert.rejects(applyMigrations(p, [M1, broken]), /nowhere/);
      const t = await p.query(
        "SELECT to_regclass('things')::text AS t, to_regclass('schema_migrations')::text AS m",
      );
      assert.equal(t.rows[0].t, null);
      assert.equal(t.rows[0].m, null);
    } finally {
      await p.end();
      await fresh.drop();
    }
  });

  test('refuses a database migrated by a newer build', async () => {
    const p = pool();
    await applyMigrations(p, [M1, M2]);
    await assert.rejects(applyMigrations(p, [M1]), /migration 2 \(more\).*newer Tocsin/);
  });

  test('rejects a mis-ordered migration list before touching the database', () => {
    assert.throws(() => checkMigrationList([M2, M1]), /out of order: version 1/);
    assert.throws(() => checkMigrationList([M1, { ...M2, version: 1 }]), /out of order/);
  });
});
