// `tocsin admin create` and `tocsin token create | list | revoke` as real processes on a data
// folder: secrets printed once, stored hashed, usable against a hub on the same data, and
// refused after revocation; usage errors exit 2, refused input exits 1.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from './helpers/cli.ts';
import { makeTempDir, startTestHub } from './helpers/hub.ts';
import { call } from './helpers/operators.ts';

const env = { DATABASE_URL: '' };

test('tocsin admin create prints a one-time password once; the name is unique; no secret is stored in clear', async (t) => {
  const temp = makeTempDir();
  t.after(temp.remove);
  const made = await runCli(['admin', 'create', '--name', 'chief', '--data-dir', temp.dir], { env });
  assert.equal(made.code, 0, made.stderr);
  const password = /one-time password: (\S+)/.exec(made.stdout)?.[1] as string;
  assert.match(password, /^[A-Za-z0-9]{20}$/);
  const again = await runCli(['admin', 'create', '--name', 'chief', '--data-dir', temp.dir], { env });
  assert.equal(again.code, 1);
  assert.match(again.stderr, /OPERATOR_NAME_TAKEN/);
  assert.equal(readFileSync(join(temp.dir, 'tocsin.db')).includes(Buffer.from(password)), false);

  for (const [args, pattern] of [
    [['admin', 'create'], /--name is required/],
    [['admin', 'delete', '--name', 'x'], /unknown action/],
    [['admin', 'create', '--name', 'x', '--colour', 'red'], /colour/],
  ] as const) {
    const result = await runCli([...args, '--data-dir', temp.dir], { env });
    assert.equal(result.code, 2, args.join(' '));
    assert.match(result.stderr, pattern);
  }
  const badName = await runCli(['admin', 'create', '--name', 'no spaces please', '--data-dir', temp.dir], {
    env,
  });
  assert.equal(badName.code, 1);
  assert.match(badName.stderr, /IDENTITY_INPUT_INVALID/);
});

test('tocsin token create → works against the hub → revoke → refused at once', async (t) => {
  const hub = await startTestHub();
  t.after(() => hub.stop());
  const dir = ['--data-dir', hub.dataDir];
  const created = await runCli(
    [
      'token',
      'create',
      '--role',
      'author',
      '--jurisdiction',
      'UA-59,UA-63',
      '--name',
      'sirens',
      '--expires-in',
      '30d',
      ...dir,
      '--json',
    ],
    { env },
  );
  assert.equal(created.code, 0, created.stderr);
  const { token, info } = JSON.parse(created.stdout);
  assert.match(token, /^tocsin_/);
  assert.deepEqual(info.jurisdiction, ['UA-59', 'UA-63']);
  const days = (Date.parse(info.expiresAt) - Date.now()) / 86_400_000;
  assert.ok(days > 29.9 && days <= 30, `expires in ${days} days`);

  const bearer = { authorization: `Bearer ${token}` };
  const issued = await call(hub.url, 'POST', '/v1/alerts', {
    body: { event: 'drone', regions: ['UA-63'] },
    headers: bearer,
  });
  assert.equal(issued.status, 201, issued.text);
  const outside = await call(hub.url, 'POST', '/v1/alerts', {
    body: { event: 'drone', regions: ['UA-30'] },
    headers: bearer,
  });
  assert.equal(outside.status, 403);

  const listed = await runCli(['token', 'list', ...dir, '--json'], { env });
  assert.equal(listed.code, 0);
  assert.ok(JSON.parse(listed.stdout).tokens.some((x: { id: string }) => x.id === info.id));
  assert.doesNotMatch(listed.stdout, new RegExp(token));

  const revoked = await runCli(['token', 'revoke', info.id, ...dir], { env });
  assert.equal(revoked.code, 0, revoked.stderr);
  const refused = await call(hub.url, 'POST', '/v1/alerts', {
    body: { event: 'drone', regions: ['UA-63'] },
    headers: bearer,
  });
  assert.equal(refused.status, 401);
  assert.equal(refused.json.error.code, 'AUTH_TOKEN_INVALID');

  const plain = await runCli(['token', 'create', '--role', 'viewer', '--jurisdiction', 'UA', ...dir], {
    env,
  });
  assert.equal(plain.code, 0);
  assert.match(plain.stdout, /^tocsin_[A-Za-z0-9_-]{43}\n$/, 'only the token on stdout, for scripts');

  for (const [args, code, pattern] of [
    [['token', 'create', '--jurisdiction', 'UA'], 2, /--role is required/],
    [['token', 'create', '--role', 'author'], 2, /--jurisdiction is required/],
    [
      ['token', 'create', '--role', 'author', '--jurisdiction', 'UA', '--expires-in', 'soon'],
      2,
      /--expires-in/,
    ],
    [['token', 'create', '--role', 'king', '--jurisdiction', 'UA'], 1, /IDENTITY_INPUT_INVALID/],
    [['token', 'create', '--role', 'author', '--jurisdiction', 'XX-99'], 1, /unknown region/],
    [['token', 'revoke', 'tok_nothing'], 1, /TOKEN_NOT_FOUND/],
    [['token', 'revoke'], 2, /missing token ID/],
  ] as const) {
    const result = await runCli([...args, ...dir], { env });
    assert.equal(result.code, code, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, pattern);
  }
});
