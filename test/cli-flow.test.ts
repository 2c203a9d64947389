// The new-user flow through the real command line, as child processes: `tocsin serve --port 0`
// prints its URL, `tocsin alert issue` issues, /v1/state/UA-59 shows the alert with its start
// time, `tocsin alert all-clear` clears it, /v1/stats counts it — on SQLite and on PostgreSQL.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyEvent } from '../src/alerts/event-signing.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { runCli } from './helpers/cli.ts';
import { makeTempDir, mintServeToken, spawnServe } from './helpers/hub.ts';
import { createTestDatabase } from './helpers/postgres.ts';

// biome-ignore lint/suspicious/noExplicitAny: test replies are checked field by field
async function getJson(url: string): Promise<any> {
  const response = await fetch(url);
  assert.equal(response.status, 200, url);
  return response.json();
}

async function newUserFlow(
  t: { after: (fn: () => Promise<void> | void) => void },
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const temp = makeTempDir();
  t.after(temp.remove);
  const token = await mintServeToken({ dataDir: temp.dir, databaseUrl: env.DATABASE_URL ?? '' });
  const serve = await spawnServe(['--port', '0', '--data-dir', temp.dir], env);
  t.after(async () => {
    if (serve.child.exitCode === null) {
      serve.child.kill('SIGKILL');
      await serve.exited;
    }
  });
  const cli = (args: string[]) => runCli([...args, '--server', serve.url], { env: { TOCSIN_TOKEN: token } });

  const issued = await cli(['alert', 'issue', '--event', 'air_raid', '--region', 'UA-59', '--json']);
  assert.equal(issued.code, 0, issued.stderr);
  const alert = JSON.parse(issued.stdout).alert;

  const state = await getJson(`${serve.url}/v1/state/UA-59`);
  assert.equal(state.alerts.length, 1);
  assert.equal(state.alerts[0].event, 'air_raid');
  assert.equal(state.alerts[0].since, alert.sent);

  const listed = await cli(['alert', 'list', '--active']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(alert.id));

  const cleared = await cli(['alert', 'all-clear', alert.id]);
  assert.equal(cleared.code, 0, cleared.stderr);
  assert.match(cleared.stdout, /all-clear done/);
  assert.equal((await getJson(`${serve.url}/v1/state/UA-59`)).alerts.length, 0);

  const stats = await getJson(`${serve.url}/v1/stats?region=UA-59`);
  const row = stats.rows.find((r: { event: string }) => r.event === 'air_raid');
  assert.equal(row?.count, 1);

  const again = await cli(['alert', 'all-clear', alert.id]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /ALERT_ALREADY_ENDED/);

  serve.child.kill('SIGTERM');
  const exit = await serve.exited;
  assert.equal(exit.code, 0, serve.output().stderr);
}

describe('the new-user flow through the real CLI', () => {
  test('on SQLite', async (t) => {
    await newUserFlow(t, { DATABASE_URL: '' });
  });

  test('on PostgreSQL', async (t) => {
    const database = await createTestDatabase();
    t.after(() => database.drop());
    await newUserFlow(t, { DATABASE_URL: database.url });
  });
});

describe('command-line errors', () => {
  test('an invalid configuration reports every violation at once and exits 2', async () => {
    const temp = makeTempDir();
    try {
      const file = join(temp.dir, 'tocsin.json');
      writeFileSync(file, JSON.stringify({ server: { bodyLimitBytes: 1 }, nonsense: true }));
      const result = await runCli(['serve', '--config', file, '--port', 'abc'], {
        env: { DATABASE_URL: 'mysql://x', LOG_LEVEL: 'chatty' },
      });
      assert.equal(result.code, 2);
      for (const piece of [
        'server.port [flag --port]',
        'database.url [env DATABASE_URL]',
        'log.level [env LOG_LEVEL]',
        'server.bodyLimitBytes',
        'nonsense',
      ]) {
        assert.ok(result.stderr.includes(piece), `${piece} missing in:\n${result.stderr}`);
      }
      assert.match(result.stderr, /5 problems/);
    } finally {
      temp.remove();
    }
  });

  test('tocsin config sample prints a file that tocsin config check accepts', async () => {
    const temp = makeTempDir();
    try {
      const sample = await runCli(['config', 'sample']);
      assert.equal(sample.code, 0);
      assert.match(sample.stdout, /DATABASE_URL/);
      const file = join(temp.dir, 'tocsin.json');
      writeFileSync(file, sample.stdout);
      const check = await runCli(['config', 'check', '--config', file], { env: { PORT: '9999' } });
      assert.equal(check.code, 0, check.stderr);
      assert.equal(JSON.parse(check.stdout).server.port, 9999);
    } finally {
      temp.remove();
    }
  });

  test('alert usage errors exit 2; an unreachable hub exits 2; --help prints the usage', async () => {
    const missing = await runCli(['alert', 'issue', '--region', 'UA-59']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /needs --event/);
    const unknown = await runCli([
      'alert',
      'issue',
      '--event',
      'air_raid',
      '--region',
      'UA-59',
      '--colour',
      'red',
    ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /--colour/);
    const down = await runCli(['alert', 'list', '--server', 'http://127.0.0.1:1']);
    assert.equal(down.code, 2);
    assert.match(down.stderr, /cannot reach/);
    for (const verb of ['serve', 'alert', 'config', 'keys']) {
      const help = await runCli([verb, '--help']);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /^Usage: tocsin /);
    }
  });

  test('tocsin keys rotate makes a new current key and keeps the old one listed', async () => {
    const temp = makeTempDir();
    try {
      const first = await runCli(['keys', 'list', '--data-dir', temp.dir, '--json']);
      assert.equal(first.code, 0, first.stderr);
      const [original] = JSON.parse(first.stdout).keys;
      const rotated = await runCli(['keys', 'rotate', '--data-dir', temp.dir, '--json']);
      assert.equal(rotated.code, 0, rotated.stderr);
      const { current, previous } = JSON.parse(rotated.stdout);
      assert.equal(previous, original);
      const after = await runCli(['keys', 'list', '--data-dir', temp.dir, '--json']);
      assert.deepEqual(JSON.parse(after.stdout).keys, [current, original]);
    } finally {
      temp.remove();
    }
  });
});

test('after tocsin keys rotate and SIGHUP, new events carry the new key; old ones still verify', async (t) => {
  const temp = makeTempDir();
  t.after(temp.remove);
  const token = await mintServeToken({ dataDir: temp.dir });
  const serve = await spawnServe(['--port', '0', '--data-dir', temp.dir], {
    DATABASE_URL: '',
    LOG_LEVEL: 'info',
  });
  t.after(() => {
    if (serve.child.exitCode === null && serve.child.signalCode === null) serve.child.kill('SIGKILL');
  });
  const issue = (region: string) =>
    fetch(`${serve.url}/v1/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'drone', regions: [region] }),
    });
  assert.equal((await issue('UA-59')).status, 201);
  const rotated = await runCli(['keys', 'rotate', '--data-dir', temp.dir, '--json']);
  assert.equal(rotated.code, 0, rotated.stderr);
  const { current, previous } = JSON.parse(rotated.stdout) as { current: string; previous: string };
  serve.child.kill('SIGHUP');
  await serve.waitForStdout(new RegExp(`"kid":"${current}"[^\\n]*signing keys reloaded`));
  assert.equal((await issue('UA-63')).status, 201);
  const jwks = (await (await fetch(`${serve.url}/.well-known/tocsin/keys.json`)).json()) as {
    keys: { kid: string }[];
  };
  assert.deepEqual(
    jwks.keys.map((k) => k.kid),
    [current, previous],
  );
  serve.child.kill('SIGTERM');
  assert.equal((await serve.exited).code, 0);

  const keys = new Map(jwks.keys.map((k) => [k.kid, createPublicKey({ key: k as never, format: 'jwk' })]));
  const store = await openSqliteStore({ dataDir: temp.dir });
  t.after(() => store.close());
  const events = (await store.readEvents(0, 10)).map((e) => JSON.parse(e.json) as { kid: string });
  assert.deepEqual(
    events.map((e) => e.kid),
    [previous, current],
  );
  for (const event of events) assert.equal(verifyEvent(event, keys), true);
});
