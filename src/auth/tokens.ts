// Machine tokens: `tocsin_` + 256 random bits (base64url). Shown once; stored as SHA-256.
import type { Role } from '../alerts/actor.ts';
import type { IdentityStore, TokenRecord } from '../store/identity-store.ts';
import { randomId, randomSecret, sha256Hex } from './secrets.ts';

/** Every machine token starts with this, so it can be recognised (secret scanners, logs). */
export const TOKEN_PREFIX = 'tocsin_';
export const TOKEN_PATTERN = /^tocsin_[A-Za-z0-9_-]{43}$/;

export interface TokenSpec {
  name: string;
  roles: Role[];
  jurisdiction: string[];
  /** null: never expires. */
  expiresMs: number | null;
  operatorId: string | null;
}

/** Stores a new token (the caller has checked the spec); returns it and its secret, shown once. */
export async function storeToken(
  store: IdentityStore,
  spec: TokenSpec,
  nowMs: number,
): Promise<{ token: TokenRecord; secret: string }> {
  const secret = `${TOKEN_PREFIX}${randomSecret()}`;
  const token: TokenRecord = {
    id: randomId('tok_'),
    name: spec.name,
    hash: sha256Hex(secret),
    operatorId: spec.operatorId,
    roles: spec.roles,
    jurisdiction: spec.jurisdiction,
    createdMs: nowMs,
    expiresMs: spec.expiresMs,
    revokedMs: null,
  };
  await store.createToken(token);
  return { token, secret };
}

/** The JSON a token is shown as (never its hash). */
export function tokenView(token: TokenRecord) {
  return {
    id: token.id,
    name: token.name,
    operatorId: token.operatorId,
    roles: token.roles,
    jurisdiction: token.jurisdiction,
    createdAt: new Date(token.createdMs).toISOString(),
    expiresAt: token.expiresMs === null ? null : new Date(token.expiresMs).toISOString(),
    revokedAt: token.revokedMs === null ? null : new Date(token.revokedMs).toISOString(),
  };
}
