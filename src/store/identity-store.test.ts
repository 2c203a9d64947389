// The identity queries of both engines answer alike: the real SQLite in a temp dir and a fresh
// database on the machine's PostgreSQL.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createTestDatabase } from '../../test/helpers/postgres.ts';
import { IdentityConflictError, type OperatorRecord } from './identity-store.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

const engines: [string, () => Promise<{ store: Store; cleanup: () => Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tocsin-identity-store-'));
      const store = await openSqliteStore({ dataDir: dir });
      return { store, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'postgres',
    async () => {
      const db = await createTestDatabase();
      return { store: await openPostgresStore({ url: db.url }), cleanup: () => db.drop() };
    },
  ],
];

const operator = (id: string, name: string): OperatorRecord => ({
  id,
  name,
  roles: ['author', 'approver'],
  jurisdiction: ['UA-59', 'UA-63'],
  passwordHash: 'scrypt$32768$8$1$salt$hash',
  mustChangePassword: true,
  disabled: false,
  createdMs: 1_700_000_000_000,
  updatedMs: 1_700_000_000_000,
});

for (const [engine, open] of engines) {
  describe(`identity store: ${engine}`, () => {
    test('operators, tokens, sessions and login attempts round-trip', async () => {
      const { store, cleanup } = await open();
      try {
        const ids = store.identity;
        assert.deepEqual(await store.migrationsApplied().then((v) => v.includes(2)), true);
        await ids.createOperator(operator('op_1', 'olena'));
        await assert.rejects(ids.createOperator(operator('op_2', 'olena')), IdentityConflictError);
        assert.deepEqual(await ids.getOperator('op_1'), operator('op_1', 'olena'));
        assert.deepEqual(await ids.getOperatorByName('olena'), operator('op_1', 'olena'));
        assert.equal(await ids.getOperatorByName('OLENA'), undefined, 'names are exact');
        assert.equal(await ids.countOperators(), 1);
        const updated = await ids.updateOperator(
          'op_1',
          { disabled: true, mustChangePassword: false },
          1_700_000_000_500,
        );
        assert.deepEqual(updated, {
          ...operator('op_1', 'olena'),
          disabled: true,
          mustChangePassword: false,
          updatedMs: 1_700_000_000_500,
        });
        assert.equal(await ids.updateOperator('op_x', { disabled: true }, 1), undefined);
        assert.equal((await ids.listOperators()).length, 1);

        const token = {
          id: 'tok_1',
          name: 'siren',
          hash: 'a'.repeat(64),
          operatorId: null,
          roles: ['author' as const],
          jurisdiction: ['UA-59'],
          createdMs: 1_700_000_000_000,
          expiresMs: 1_800_000_000_000,
          revokedMs: null,
        };
        await ids.createToken(token);
        assert.deepEqual(await ids.getTokenByHash('a'.repeat(64)), token);
        assert.deepEqual(await ids.getToken('tok_1'), token);
        assert.equal(await ids.revokeToken('tok_1', 5), true);
        assert.equal(await ids.revokeToken('tok_1', 9), true);
        assert.equal((await ids.getToken('tok_1'))?.revokedMs, 5, 'the first revocation time stays');
        assert.equal(await ids.revokeToken('tok_none', 5), false);
        assert.equal((await ids.listTokens()).length, 1);

        const session = {
          hash: 'b'.repeat(64),
          operatorId: 'op_1',
          csrfHash: 'c'.repeat(64),
          createdMs: 1,
          lastSeenMs: 1,
          expiresMs: 100,
        };
        await ids.createSession(session);
        await ids.createSession({ ...session, hash: 'd'.repeat(64) });
        await ids.touchSession(session.hash, 50);
        assert.deepEqual(await ids.getSession(session.hash), { ...session, lastSeenMs: 50 });
        await ids.deleteSession(session.hash);
        assert.equal(await ids.getSession(session.hash), undefined);
        await ids.deleteOperatorSessions('op_1');
        assert.equal(await ids.getSession('d'.repeat(64)), undefined);

        await ids.putLoginAttempt({ key: 'name:olena', failures: 1, firstFailureMs: 10, lockedUntilMs: 0 });
        await ids.putLoginAttempt({ key: 'name:olena', failures: 2, firstFailureMs: 10, lockedUntilMs: 99 });
        assert.deepEqual(await ids.getLoginAttempt('name:olena'), {
          key: 'name:olena',
          failures: 2,
          firstFailureMs: 10,
          lockedUntilMs: 99,
        });
        await ids.clearLoginAttempt('name:olena');
        assert.equal(await ids.getLoginAttempt('name:olena'), undefined);
      } finally {
        await store.close();
        await cleanup();
      }
    });
  });
}
