import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../test/helpers/cli.ts';

test('tocsin with no command prints usage on stderr and exits 2', async () => {
  const result = await runCli([]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /Usage: tocsin <command>/);
});

test('an unknown command is a usage error naming it', async () => {
  const result = await runCli(['frobnicate']);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /unknown command 'frobnicate'/);
});
