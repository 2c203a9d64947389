// `tocsin audit verify` (the real CLI process) against a hub's database after someone changed,
// removed or forged audit records directly in it: SQLite file and PostgreSQL.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { runCli } from './helpers/cli.ts';
import { makeTempDir, startTestHub, type TestHub } from './helpers/hub.ts';
import { createTestDatabase } from './helpers/postgres.ts';

/** Three lifecycle actions through the API: issue, issue, correct (cancel without a body). */
async function someActions(hub: TestHub): Promise<void> {
  const post = async (path: string, body?: unknown) => {
    const response = await fetch(`${hub.url}${path}`, {
      method: 'POST',
      headers: { ...hub.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.ok(response.status < 300, `${path}: ${response.status} ${await response.clone().text()}`);
    return (await response.json()) as { alert: { id: string } };
  };
  const first = await post('/v1/alerts', { event: 'air_raid', regions: ['UA-59'] });
  await post('/v1/alerts', { event: 'drone', regions: ['UA-63'] });
  await post(`/v1/alerts/${first.alert.id}/cancel`);
}

describe('tocsin audit verify on SQLite', () => {
  const temp = makeTempDir();
  after(() => temp.remove());
  const db = () => new Database(`${temp.dir}/tocsin.db`);

  test('an intact chain verifies (exit 0)', async () => {
    const hub = await startTestHub({ dataDir: temp.dir });
    try {
      await someActions(hub);
    } finally {
      await hub.stop();
    }
    const result = await runCli(['audit', 'verify', '--data-dir', temp.dir]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /audit log intact: \d+ records/);
  });

  test('the database refuses to change a record (append-only trigger)', () => {
    const conn = db();
    try {
      assert.throws(
        () => conn.prepare("UPDATE audit_log SET action = 'x' WHERE seq = 2").run(),
        /append-only/,
      );
      assert.throws(() => conn.prepare('DELETE FROM audit_log WHERE seq = 2').run(), /append-only/);
    } finally {
      conn.close();
    }
  });

  // The drone alert's record (after config.loaded and the first alert's).
  let tampered = 0;

  test('one changed byte in one record is named (exit 1), with the reason', async () => {
    const conn = db();
    try {
      tampered = conn
        .prepare("SELECT seq FROM audit_log WHERE action = 'alert.issued' AND record_json LIKE '%UA-63%'")
        .pluck()
        .get() as number;
      assert.ok(tampered > 1);
      // An attacker with write access to the file can drop the trigger first; the chain still tells.
      conn.exec('DROP TRIGGER audit_log_no_update');
      const json = conn
        .prepare('SELECT record_json FROM audit_log WHERE seq = ?')
        .pluck()
        .get(tampered) as string;
      conn
        .prepare('UPDATE audit_log SET record_json = ? WHERE seq = ?')
        .run(json.replace('UA-63', 'UA-64'), tampered);
    } finally {
      conn.close();
    }
    const result = await runCli(['audit', 'verify', '--data-dir', temp.dir]);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      new RegExp(`BROKEN at record ${tampered}: its content does not match its hash`),
    );
    const json = await runCli(['audit', 'verify', '--json', '--data-dir', temp.dir]);
    assert.equal(json.code, 1);
    assert.deepEqual(
      { ...JSON.parse(json.stdout), reason: undefined },
      { ok: false, checked: tampered - 1, seq: tampered, reason: undefined },
    );
  });

  test('a record rehashed to hide the change is still named: the next record no longer links to it', async () => {
    const { createHash } = await import('node:crypto');
    const conn = db();
    try {
      const json = conn
        .prepare('SELECT record_json FROM audit_log WHERE seq = ?')
        .pluck()
        .get(tampered) as string;
      conn
        .prepare('UPDATE audit_log SET hash = ? WHERE seq = ?')
        .run(createHash('sha256').update(json).digest('hex'), tampered);
    } finally {
      conn.close();
    }
    const result = await runCli(['audit', 'verify', '--data-dir', temp.dir]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      new RegExp(`BROKEN at record ${tampered + 1}: its prevHash is not the hash of the record before`),
    );
  });

  test('usage and I/O errors exit 2', async () => {
    const empty = makeTempDir();
    try {
      const missing = await runCli(['audit', 'verify', '--data-dir', empty.dir]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /no Tocsin database/);
      const wrong = await runCli(['audit', 'check']);
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /unknown action 'check'/);
    } finally {
      empty.remove();
    }
  });
});

describe('tocsin audit verify on PostgreSQL', () => {
  test('a deleted record in the middle is named; an intact chain exits 0', async () => {
    const database = await createTestDatabase();
    const temp = makeTempDir();
    try {
      const hub = await startTestHub({ dataDir: temp.dir, databaseUrl: database.url });
      try {
        await someActions(hub);
      } finally {
        await hub.stop();
      }
      const env = { DATABASE_URL: database.url };
      const intact = await runCli(['audit', 'verify', '--data-dir', temp.dir], { env });
      assert.equal(intact.code, 0, intact.stdout + intact.stderr);

      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await assert.rejects(client.query('DELETE FROM audit_log WHERE seq = 2'), /append-only/);
        await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change');
        await client.query('DELETE FROM audit_log WHERE seq = 2');
      } finally {
        await client.end();
      }
      const broken = await runCli(['audit', 'verify', '--data-dir', temp.dir], { env });
      assert.equal(broken.code, 1, broken.stdout + broken.stderr);
      assert.match(broken.stdout, /BROKEN at record 3: records 2\.\.2 are missing \(deleted\)/);
    } finally {
      temp.remove();
      await database.drop();
    }
  });

  test('a changed actor column is named even though the hashed JSON is intact', async () => {
    const database = await createTestDatabase();
    const temp = makeTempDir();
    try {
      const hub = await startTestHub({ dataDir: temp.dir, databaseUrl: database.url });
      try {
        await someActions(hub);
      } finally {
        await hub.stop();
      }
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await client.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change');
        await client.query("UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 1");
      } finally {
        await client.end();
      }
      const broken = await runCli(['audit', 'verify'], { env: { DATABASE_URL: database.url } });
      assert.equal(broken.code, 1, broken.stdout + broken.stderr);
      assert.match(broken.stdout, /BROKEN at record 1: its indexed columns/);
    } finally {
      temp.remove();
      await database.drop();
    }
  });
});
