import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from '../../../test/helpers/postgres.ts';
import { storeContract } from '../store.contract.ts';
import type { AlertCommit, Store } from '../store.ts';
import { issuedAlertChange } from '../testing.ts';
import { openPostgresStore } from './postgres-store.ts';

storeContract('postgres', async () => {
  const db = await createTestDatabase();
  const h = {
    store: (await openPostgresStore({ url: db.url })) as Store,
    async reopen() {
      await h.store.close();
      h.store = await openPostgresStore({ url: db.url });
      return h.store;
    },
    async cleanup() {
      await h.store.close();
      await db.drop();
    },
  };
  return h;
});

function issueChange(id: string, region = 'UA-59'): AlertCommit {
  return issuedAlertChange(id, { regions: [region] });
}

test('postgres: two nodes (two pools) writing at once share one gap-free seq, in commit order', async () => {
  const db = await createTestDatabase();
  const a = await openPostgresStore({ url: db.url, poolSize: 4 });
  const b = await openPostgresStore({ url: db.url, poolSize: 4 });
  try {
    const writes = Array.from({ length: 60 }, (_, i) =>
      (i % 2 === 0 ? a : b).commitAlertChange(issueChange(`node-${i}`)),
    );
    const events = await Promise.all(writes);
    assert.deepEqual(
      events.map((e) => e.seq).sort((x, y) => x - y),
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    const log = await b.readEvents(0, 1000);
    assert.deepEqual(
      log.map((e) => e.seq),
      Array.from({ length: 60 }, (_, i) => i + 1),
    );
    for (const e of log) assert.equal(JSON.parse(e.json).seq, e.seq);
  } finally {
    await a.close();
    await b.close();
    await db.drop();
  }
});

test('postgres: a commit rolled back by the server (killed session) burns no seq', async () => {
  const db = await createTestDatabase();
  const store = await openPostgresStore({ url: db.url, poolSize: 2 });
  const admin = new pg.Client({ connectionString: db.url });
  const watcher = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await watcher.connect();
  try {
    await store.commitAlertChange(issueChange('before'));
    // Hold the counter's row lock from another session so the next commit waits inside its
    // transaction, then terminate that commit's backend: the server rolls it back.
    await admin.query('BEGIN');
    await admin.query('UPDATE event_seq SET seq = seq');
    const doomed = assert.rejects(store.commitAlertChange(issueChange('doomed')), /terminat/);
    let victim: number | undefined;
    while (victim === undefined) {
      // Wait on the server's own view: the commit's backend shows up blocked on the lock. (Asked
      // outside admin's transaction: pg_stat_activity is read once per transaction.)
      const r = await watcher.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE event_seq%'",
      );
      victim = r.rows[0]?.pid;
    }
    await admin.query('SELECT pg_terminate_backend($1)', [victim]);
    await admin.query('ROLLBACK');
    await doomed;
    assert.equal(await store.getAlert('doomed'), undefined);
    const next = await store.commitAlertChange(issueChange('after'));
    assert.equal(next.seq, 2);
  } finally {
    await admin.end();
    await watcher.end();
    await store.close();
    await db.drop();
  }
});

test('postgres: an unreachable server fails open clearly', async () => {
  await assert.rejects(
    openPostgresStore({ url: 'postgres://postgres@127.0.0.1:1/none', connectTimeoutMs: 1_000 }),
    /ECONNREFUSED/,
  );
});

test('postgres: a database migrated by a newer Tocsin is refused at open', async () => {
  const db = await createTestDatabase();
  try {
    const store = await openPostgresStore({ url: db.url });
    await store.close();
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'from the future')");
    await admin.end();
    await assert.rejects(openPostgresStore({ url: db.url }), /migration 999 \(from the future\)/);
  } finally {
    await db.drop();
  }
});
