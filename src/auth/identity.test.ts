// The identity rules over a real SQLite store with a hand-driven clock: session idle and
// absolute expiry, token expiry to the millisecond, the lock-out window and its end.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { isTocsinError } from '../alerts/errors.ts';
import { createRegionTree } from '../geo/region-tree.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { createIdentity, type Identity, RetryLaterError } from './identity.ts';

const region = (code: string, parent: string | null) => ({
  code,
  parent,
  level: parent ? 'oblast' : 'country',
  names: { en: code },
});
const tree = createRegionTree([region('UA', null), region('UA-59', 'UA'), region('UA-63', 'UA')]);
const MINUTE = 60_000;

let dir: string;
let store: Store;
let clock = 1_800_000_000_000;
let identity: Identity;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tocsin-identity-'));
  store = await openSqliteStore({ dataDir: dir });
  identity = createIdentity({
    store: store.identity,
    tree,
    now: () => clock,
    sessionIdleMs: 30 * MINUTE,
    sessionMaxMs: 120 * MINUTE,
    loginMaxFailures: 3,
    loginIpMaxFailures: 100,
    lockMs: 15 * MINUTE,
  });
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('operators: names are unique, fields checked, one-time password must be changed', async () => {
  const { operator, password } = await identity.createOperator({
    name: 'iryna',
    roles: ['author'],
    jurisdiction: ['UA-59'],
  });
  assert.equal(operator.mustChangePassword, true);
  assert.doesNotMatch(operator.passwordHash, new RegExp(password));
  await assert.rejects(
    identity.createOperator({ name: 'iryna', roles: ['viewer'], jurisdiction: ['UA'] }),
    (e) => isTocsinError(e) && e.code === 'OPERATOR_NAME_TAKEN',
  );
  for (const [input, path] of [
    [{ name: 'bad name', roles: ['viewer'], jurisdiction: ['UA'] }, '/name'],
    [{ name: 'ok', roles: ['root'], jurisdiction: ['UA'] }, '/roles'],
    [{ name: 'ok', roles: [], jurisdiction: ['UA'] }, '/roles'],
    [{ name: 'ok', roles: ['viewer'], jurisdiction: ['XX-1'] }, '/jurisdiction'],
    [{ name: 'ok', roles: ['viewer'], jurisdiction: [] }, '/jurisdiction'],
  ] as const) {
    await assert.rejects(
      identity.createOperator(input as never),
      (e) => isTocsinError(e) && e.code === 'IDENTITY_INPUT_INVALID' && e.details[0]?.path === path,
      path,
    );
  }
  const logged = await identity.login('iryna', password, '10.0.0.1');
  const changed = await identity.changePassword(logged, password, 'a brand new pass phrase');
  assert.equal(changed.mustChangePassword, false);
  await assert.rejects(
    identity.login('iryna', password, '10.0.0.1'),
    (e) => isTocsinError(e) && e.code === 'AUTH_INVALID_CREDENTIALS',
  );
  assert.equal((await identity.login('iryna', 'a brand new pass phrase', '10.0.0.1')).id, operator.id);
});

test('a session ends after the idle time, and after the absolute time however active', async () => {
  const { operator } = await identity.createOperator({
    name: 'sessions',
    roles: ['viewer'],
    jurisdiction: ['UA'],
  });
  const idle = await identity.openSession(operator);
  clock += 29 * MINUTE;
  assert.ok(await identity.resolveSession(idle.cookie), 'still alive just before the idle limit');
  clock += 29 * MINUTE;
  assert.ok(await identity.resolveSession(idle.cookie), 'the last request renewed it');
  clock += 30 * MINUTE;
  assert.equal(await identity.resolveSession(idle.cookie), undefined, 'idle for 30 minutes');

  const busy = await identity.openSession(operator);
  for (let i = 0; i < 7; i++) {
    clock += 17 * MINUTE;
    assert.ok(await identity.resolveSession(busy.cookie), `active at ${17 * (i + 1)} min`);
  }
  clock += 17 * MINUTE; // 136 min after login
  assert.equal(await identity.resolveSession(busy.cookie), undefined, 'absolute limit of 120 minutes');

  const csrf = await identity.openSession(operator);
  const found = await identity.resolveSession(csrf.cookie);
  assert.ok(found);
  assert.equal(identity.csrfMatches(found.session, csrf.csrf), true);
  assert.equal(identity.csrfMatches(found.session, busy.csrf), false);
  assert.equal(await identity.resolveSession('not-a-cookie'), undefined);
});

test('a token stops working at its expiry, to the millisecond, and when revoked', async () => {
  const { token, secret } = await identity.mintToken({
    name: 't',
    roles: ['author'],
    jurisdiction: ['UA-59'],
    expiresMs: clock + 1000,
    operatorId: null,
  });
  assert.equal(token.hash.length, 64);
  assert.ok(await identity.resolveToken(secret));
  clock += 999;
  assert.ok(await identity.resolveToken(secret));
  clock += 1;
  assert.equal(await identity.resolveToken(secret), undefined);
  const live = await identity.mintToken({
    name: 'u',
    roles: ['viewer'],
    jurisdiction: ['UA'],
    expiresMs: null,
    operatorId: null,
  });
  await identity.revokeToken(live.token.id);
  assert.equal(await identity.resolveToken(live.secret), undefined);
  await assert.rejects(
    identity.revokeToken('tok_nope'),
    (e) => isTocsinError(e) && e.code === 'TOKEN_NOT_FOUND',
  );
  // A token cannot exceed its minter.
  const minter = {
    id: 'op',
    name: 'op',
    kind: 'operator' as const,
    roles: ['author' as const],
    jurisdiction: ['UA-59'],
  };
  await assert.rejects(
    identity.mintToken(
      { name: 'x', roles: ['approver'], jurisdiction: ['UA-59'], expiresMs: null, operatorId: 'op' },
      minter,
    ),
    (e) => isTocsinError(e) && e.details[0]?.code === 'AUTH_ROLE',
  );
  await assert.rejects(
    identity.mintToken(
      { name: 'x', roles: ['author'], jurisdiction: ['UA'], expiresMs: null, operatorId: 'op' },
      minter,
    ),
    (e) => isTocsinError(e) && e.details[0]?.code === 'AUTH_JURISDICTION',
  );
});

test("an operator's token shrinks with the operator's roles and jurisdiction", async () => {
  const { operator } = await identity.createOperator({
    name: 'shrink',
    roles: ['author', 'approver'],
    jurisdiction: ['UA-59', 'UA-63'],
  });
  const { secret } = await identity.mintToken({
    name: 'm',
    roles: ['author', 'approver'],
    jurisdiction: ['UA-59', 'UA-63'],
    expiresMs: null,
    operatorId: operator.id,
  });
  await identity.updateOperator(operator.id, { roles: ['author'], jurisdiction: ['UA-63'] });
  const found = await identity.resolveToken(secret);
  assert.deepEqual(found?.token.roles, ['author']);
  assert.deepEqual(found?.token.jurisdiction, ['UA-63']);
  await identity.updateOperator(operator.id, { disabled: true });
  assert.equal(await identity.resolveToken(secret), undefined, 'a disabled operator’s tokens stop at once');
});

test('lock-out: failures within the window lock the name for lockMs; then it opens again', async () => {
  const { operator, password } = await identity.createOperator({
    name: 'lock',
    roles: ['viewer'],
    jurisdiction: ['UA'],
  });
  const fail = () => identity.login('lock', 'wrong', '10.0.0.2');
  await assert.rejects(fail());
  clock += 16 * MINUTE; // the first failure left the window
  await assert.rejects(fail());
  await assert.rejects(fail());
  assert.equal(
    (await identity.login('lock', password, '10.0.0.2')).id,
    operator.id,
    'only 2 failures in the window',
  );
  for (let i = 0; i < 3; i++) await assert.rejects(fail());
  await assert.rejects(
    identity.login('lock', password, '10.0.0.2'),
    (e) => e instanceof RetryLaterError && e.code === 'AUTH_LOCKED' && e.retryAfterSeconds === 900,
  );
  clock += 15 * MINUTE - 1000;
  await assert.rejects(
    identity.login('lock', password, '10.0.0.3'),
    (e) => e instanceof RetryLaterError && e.retryAfterSeconds === 1,
  );
  clock += 1000;
  assert.equal((await identity.login('lock', password, '10.0.0.2')).id, operator.id);
});
