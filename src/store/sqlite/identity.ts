// SQLite queries of the identity store (operators, tokens, sessions, login attempts).
import type Database from 'better-sqlite3';
import { operatorFromRow, sessionFromRow, tokenFromRow } from '../identity-rows.ts';
import { IdentityConflictError, type IdentityStore, type LoginAttemptRecord } from '../identity-store.ts';

type Row = Record<string, unknown>;

/** The identity queries over the store's one SQLite connection. */
export function createSqliteIdentityStore(db: Database.Database): IdentityStore {
  const q = {
    insertOperator: db.prepare(`INSERT INTO operators (id, name, roles_json, jurisdiction_json, password_hash,
      must_change_password, disabled, created_ms, updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    operatorById: db.prepare('SELECT * FROM operators WHERE id = ?'),
    operatorByName: db.prepare('SELECT * FROM operators WHERE name = ?'),
    operators: db.prepare('SELECT * FROM operators ORDER BY name'),
    countOperators: db.prepare('SELECT count(*) FROM operators').pluck(),
    updateOperator: db.prepare(`UPDATE operators SET roles_json = ?, jurisdiction_json = ?, password_hash = ?,
      must_change_password = ?, disabled = ?, updated_ms = ? WHERE id = ?`),
    insertToken: db.prepare(`INSERT INTO tokens (id, name, hash, operator_id, roles_json, jurisdiction_json,
      created_ms, expires_ms, revoked_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    tokenByHash: db.prepare('SELECT * FROM tokens WHERE hash = ?'),
    tokenById: db.prepare('SELECT * FROM tokens WHERE id = ?'),
    tokens: db.prepare('SELECT * FROM tokens ORDER BY created_ms, id'),
    revokeToken: db.prepare('UPDATE tokens SET revoked_ms = coalesce(revoked_ms, ?) WHERE id = ?'),
    insertSession: db.prepare(`INSERT INTO sessions (hash, operator_id, csrf_hash, created_ms, last_seen_ms,
      expires_ms) VALUES (?, ?, ?, ?, ?, ?)`),
    sessionByHash: db.prepare('SELECT * FROM sessions WHERE hash = ?'),
    touchSession: db.prepare('UPDATE sessions SET last_seen_ms = ? WHERE hash = ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE hash = ?'),
    deleteOperatorSessions: db.prepare('DELETE FROM sessions WHERE operator_id = ?'),
    attempt: db.prepare('SELECT * FROM login_attempts WHERE key = ?'),
    putAttempt: db.prepare(`INSERT INTO login_attempts (key, failures, first_failure_ms, locked_until_ms)
      VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures,
      first_failure_ms = excluded.first_failure_ms, locked_until_ms = excluded.locked_until_ms`),
    clearAttempt: db.prepare('DELETE FROM login_attempts WHERE key = ?'),
  };

  const readOperator = (id: string) => {
    const row = q.operatorById.get(id) as Row | undefined;
    return row ? operatorFromRow(row) : undefined;
  };

  return {
    async createOperator(o) {
      try {
        q.insertOperator.run(
          o.id,
          o.name,
          JSON.stringify(o.roles),
          JSON.stringify(o.jurisdiction),
          o.passwordHash,
          o.mustChangePassword ? 1 : 0,
          o.disabled ? 1 : 0,
          o.createdMs,
          o.updatedMs,
        );
      } catch (error) {
        if ((error as { code?: string }).code?.startsWith('SQLITE_CONSTRAINT'))
          throw new IdentityConflictError(`an operator named ${JSON.stringify(o.name)} exists`);
        throw error;
      }
    },
    async getOperator(id) {
      return readOperator(id);
    },
    async getOperatorByName(name) {
      const row = q.operatorByName.get(name) as Row | undefined;
      return row ? operatorFromRow(row) : undefined;
    },
    async listOperators() {
      return (q.operators.all() as Row[]).map(operatorFromRow);
    },
    async countOperators() {
      return q.countOperators.get() as number;
    },
    async updateOperator(id, patch, nowMs) {
      return db
        .transaction(() => {
          const current = readOperator(id);
          if (!current) return undefined;
          const next = { ...current, ...patch, updatedMs: nowMs };
          q.updateOperator.run(
            JSON.stringify(next.roles),
            JSON.stringify(next.jurisdiction),
            next.passwordHash,
            next.mustChangePassword ? 1 : 0,
            next.disabled ? 1 : 0,
            nowMs,
            id,
          );
          return next;
        })
        .immediate();
    },

    async createToken(t) {
      q.insertToken.run(
        t.id,
        t.name,
        t.hash,
        t.operatorId,
        JSON.stringify(t.roles),
        JSON.stringify(t.jurisdiction),
        t.createdMs,
        t.expiresMs,
        t.revokedMs,
      );
    },
    async getTokenByHash(hash) {
      const row = q.tokenByHash.get(hash) as Row | undefined;
      return row ? tokenFromRow(row) : undefined;
    },
    async getToken(id) {
      const row = q.tokenById.get(id) as Row | undefined;
      return row ? tokenFromRow(row) : undefined;
    },
    async listTokens() {
      return (q.tokens.all() as Row[]).map(tokenFromRow);
    },
    async revokeToken(id, nowMs) {
      return q.revokeToken.run(nowMs, id).changes > 0;
    },

    async createSession(s) {
      q.insertSession.run(s.hash, s.operatorId, s.csrfHash, s.createdMs, s.lastSeenMs, s.expiresMs);
    },
    async getSession(hash) {
      const row = q.sessionByHash.get(hash) as Row | undefined;
      return row ? sessionFromRow(row) : undefined;
    },
    async touchSession(hash, nowMs) {
      q.touchSession.run(nowMs, hash);
    },
    async deleteSession(hash) {
      q.deleteSession.run(hash);
    },
    async deleteOperatorSessions(operatorId) {
      q.deleteOperatorSessions.run(operatorId);
    },

    async getLoginAttempt(key) {
      const row = q.attempt.get(key) as Row | undefined;
      return row
        ? {
            key,
            failures: row.failures as number,
            firstFailureMs: row.first_failure_ms as number,
            lockedUntilMs: row.locked_until_ms as number,
          }
        : undefined;
    },
    async putLoginAttempt(a: LoginAttemptRecord) {
      q.putAttempt.run(a.key, a.failures, a.firstFailureMs, a.lockedUntilMs);
    },
    async clearLoginAttempt(key) {
      q.clearAttempt.run(key);
    },
  };
}
