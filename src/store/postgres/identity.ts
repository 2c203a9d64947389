// PostgreSQL queries of the identity store (operators, tokens, sessions, login attempts).
import type pg from 'pg';
import { operatorFromRow, sessionFromRow, tokenFromRow } from '../identity-rows.ts';
import { IdentityConflictError, type IdentityStore } from '../identity-store.ts';

type Row = Record<string, unknown>;
const UNIQUE_VIOLATION = '23505';

/** The identity queries over the store's pool (bigint columns arrive as numbers: see postgres-store.ts). */
export function createPostgresIdentityStore(pool: pg.Pool): IdentityStore {
  const one = async (sql: string, params: unknown[]): Promise<Row | undefined> =>
    (await pool.query<Row>(sql, params)).rows[0];

  return {
    async createOperator(o) {
      try {
        await pool.query(
          `INSERT INTO operators (id, name, roles_json, jurisdiction_json, password_hash, must_change_password,
           disabled, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            o.id,
            o.name,
            JSON.stringify(o.roles),
            JSON.stringify(o.jurisdiction),
            o.passwordHash,
            o.mustChangePassword,
            o.disabled,
            o.createdMs,
            o.updatedMs,
          ],
        );
      } catch (error) {
        if ((error as { code?: string }).code === UNIQUE_VIOLATION)
          throw new IdentityConflictError(`an operator named ${JSON.stringify(o.name)} exists`);
        throw error;
      }
    },
    async getOperator(id) {
      const row = await one('SELECT * FROM operators WHERE id = $1', [id]);
      return row ? operatorFromRow(row) : undefined;
    },
    async getOperatorByName(name) {
      const row = await one('SELECT * FROM operators WHERE name = $1', [name]);
      return row ? operatorFromRow(row) : undefined;
    },
    async listOperators() {
      return (await pool.query<Row>('SELECT * FROM operators ORDER BY name')).rows.map(operatorFromRow);
    },
    async countOperators() {
      return Number((await one('SELECT count(*) AS n FROM operators', []))?.n ?? 0);
    },
    async updateOperator(id, patch, nowMs) {
      // One statement: each column keeps its value unless the patch names it.
      const row = await one(
        `UPDATE operators SET
           roles_json = coalesce($2, roles_json), jurisdiction_json = coalesce($3, jurisdiction_json),
           password_hash = coalesce($4, password_hash), must_change_password = coalesce($5, must_change_password),
           disabled = coalesce($6, disabled), updated_ms = $7
         WHERE id = $1 RETURNING *`,
        [
          id,
          patch.roles ? JSON.stringify(patch.roles) : null,
          patch.jurisdiction ? JSON.stringify(patch.jurisdiction) : null,
          patch.passwordHash ?? null,
          patch.mustChangePassword ?? null,
          patch.disabled ?? null,
          nowMs,
        ],
      );
      return row ? operatorFromRow(row) : undefined;
    },

    async createToken(t) {
      await pool.query(
        `INSERT INTO tokens (id, name, hash, operator_id, roles_json, jurisdiction_json, created_ms, expires_ms,
         revoked_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          t.id,
          t.name,
          t.hash,
          t.operatorId,
          JSON.stringify(t.roles),
          JSON.stringify(t.jurisdiction),
          t.createdMs,
          t.expiresMs,
          t.revokedMs,
        ],
      );
    },
    async getTokenByHash(hash) {
      const row = await one('SELECT * FROM tokens WHERE hash = $1', [hash]);
      return row ? tokenFromRow(row) : undefined;
    },
    async getToken(id) {
      const row = await one('SELECT * FROM tokens WHERE id = $1', [id]);
      return row ? tokenFromRow(row) : undefined;
    },
    async listTokens() {
      return (await pool.query<Row>('SELECT * FROM tokens ORDER BY created_ms, id')).rows.map(tokenFromRow);
    },
    async revokeToken(id, nowMs) {
      const result = await pool.query(
        'UPDATE tokens SET revoked_ms = coalesce(revoked_ms, $2) WHERE id = $1',
        [id, nowMs],
      );
      return (result.rowCount ?? 0) > 0;
    },

    async createSession(s) {
      await pool.query(
        `INSERT INTO sessions (hash, operator_id, csrf_hash, created_ms, last_seen_ms, expires_ms)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [s.hash, s.operatorId, s.csrfHash, s.createdMs, s.lastSeenMs, s.expiresMs],
      );
    },
    async getSession(hash) {
      const row = await one('SELECT * FROM sessions WHERE hash = $1', [hash]);
      return row ? sessionFromRow(row) : undefined;
    },
    async touchSession(hash, nowMs) {
      await pool.query('UPDATE sessions SET last_seen_ms = $2 WHERE hash = $1', [hash, nowMs]);
    },
    async deleteSession(hash) {
      await pool.query('DELETE FROM sessions WHERE hash = $1', [hash]);
    },
    async deleteOperatorSessions(operatorId) {
      await pool.query('DELETE FROM sessions WHERE operator_id = $1', [operatorId]);
    },

    async getLoginAttempt(key) {
      const row = await one('SELECT * FROM login_attempts WHERE key = $1', [key]);
      return row
        ? {
            key,
            failures: row.failures as number,
            firstFailureMs: row.first_failure_ms as number,
            lockedUntilMs: row.locked_until_ms as number,
          }
        : undefined;
    },
    async putLoginAttempt(a) {
      await pool.query(
        `INSERT INTO login_attempts (key, failures, first_failure_ms, locked_until_ms) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, first_failure_ms = excluded.first_failure_ms,
         locked_until_ms = excluded.locked_until_ms`,
        [a.key, a.failures, a.firstFailureMs, a.lockedUntilMs],
      );
    },
    async clearLoginAttempt(key) {
      await pool.query('DELETE FROM login_attempts WHERE key = $1', [key]);
    },
  };
}
