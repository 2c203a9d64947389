// Database rows → identity records: the same columns in both engines (SQLite keeps booleans as
// 0/1, PostgreSQL as booleans).
import type { Role } from '../alerts/actor.ts';
import type { OperatorRecord, SessionRecord, TokenRecord } from './identity-store.ts';

type Row = Record<string, unknown>;

const flag = (value: unknown): boolean => value === true || value === 1;

export function operatorFromRow(row: Row): OperatorRecord {
  return {
    id: row.id as string,
    name: row.name as string,
    roles: JSON.parse(row.roles_json as string) as Role[],
    jurisdiction: JSON.parse(row.jurisdiction_json as string) as string[],
    passwordHash: row.password_hash as string,
    mustChangePassword: flag(row.must_change_password),
    disabled: flag(row.disabled),
    createdMs: row.created_ms as number,
    updatedMs: row.updated_ms as number,
  };
}

export function tokenFromRow(row: Row): TokenRecord {
  return {
    id: row.id as string,
    name: row.name as string,
    hash: row.hash as string,
    operatorId: (row.operator_id as string | null) ?? null,
    roles: JSON.parse(row.roles_json as string) as Role[],
    jurisdiction: JSON.parse(row.jurisdiction_json as string) as string[],
    createdMs: row.created_ms as number,
    expiresMs: (row.expires_ms as number | null) ?? null,
    revokedMs: (row.revoked_ms as number | null) ?? null,
  };
}

export function sessionFromRow(row: Row): SessionRecord {
  return {
    hash: row.hash as string,
    operatorId: row.operator_id as string,
    csrfHash: row.csrf_hash as string,
    createdMs: row.created_ms as number,
    lastSeenMs: row.last_seen_ms as number,
    expiresMs: row.expires_ms as number,
  };
}
