import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { storeContract } from '../store.contract.ts';
import type { Store } from '../store.ts';
import { SQLITE_MIGRATIONS } from './migrations.ts';
import { openSqliteStore } from './sqlite-store.ts';

storeContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-sqlite-'));
  const dataDir = join(dir, 'data');
  const h = {
    store: (await openSqliteStore({ dataDir })) as Store,
    async reopen() {
      await h.store.close();
      h.store = await openSqliteStore({ dataDir });
      return h.store;
    },
    async cleanup() {
      await h.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return h;
});

test('sqlite: the data dir is created, WAL with synchronous=FULL, migrations applied once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-sqlite-'));
  try {
    const dataDir = join(dir, 'nested', 'data');
    const store = await openSqliteStore({ dataDir });
    assert.ok(statSync(dataDir).isDirectory());
    await store.close();
    const again = await openSqliteStore({ dataDir });
    assert.deepEqual(
      await again.migrationsApplied(),
      SQLITE_MIGRATIONS.map((m) => m.version),
    );
    await again.close();
    const db = new Database(join(dataDir, 'tocsin.db'));
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('sqlite: a file that is not a database is refused at open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-sqlite-'));
  try {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'tocsin.db'), 'not a database at all, just text '.repeat(200));
    await assert.rejects(openSqliteStore({ dataDir: dir }), /not a database|file is not/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
