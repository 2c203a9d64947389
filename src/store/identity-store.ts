// Persistence of identities: operators (people with a password), machine tokens, console
// sessions and login attempts. Secrets are never stored: tokens and session ids as SHA-256
// hashes, passwords as scrypt hashes (src/auth/password.ts). Each method is one transaction.
import type { Role } from '../alerts/actor.ts';

export interface OperatorRecord {
  id: string;
  /** Unique login name. */
  name: string;
  roles: Role[];
  /** Region codes, descendants included. */
  jurisdiction: string[];
  /** `scrypt$N$r$p$salt$hash` (src/auth/password.ts). */
  passwordHash: string;
  /** A one-time password was set (by `tocsin admin create` or an admin): change it before anything else. */
  mustChangePassword: boolean;
  disabled: boolean;
  createdMs: number;
  updatedMs: number;
}

export interface TokenRecord {
  id: string;
  name: string;
  /** SHA-256 (hex) of the secret; the secret itself is shown once and never stored. */
  hash: string;
  /** The operator who minted it (null for CLI bootstrap tokens). */
  operatorId: string | null;
  roles: Role[];
  jurisdiction: string[];
  createdMs: number;
  /** null: does not expire. */
  expiresMs: number | null;
  revokedMs: number | null;
}

export interface SessionRecord {
  /** SHA-256 (hex) of the cookie value. */
  hash: string;
  operatorId: string;
  /** SHA-256 (hex) of the CSRF token handed out with the session. */
  csrfHash: string;
  createdMs: number;
  lastSeenMs: number;
  /** Absolute expiry; the idle expiry is lastSeenMs + the configured idle time. */
  expiresMs: number;
}

/** Failed logins counted for one key (`name:<name>` or `ip:<address>`). */
export interface LoginAttemptRecord {
  key: string;
  failures: number;
  firstFailureMs: number;
  /** 0 when not locked. */
  lockedUntilMs: number;
}

export type OperatorPatch = Partial<
  Pick<OperatorRecord, 'roles' | 'jurisdiction' | 'passwordHash' | 'mustChangePassword' | 'disabled'>
>;

/** A unique name (operator) was taken. */
export class IdentityConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentityConflictError';
  }
}

export interface IdentityStore {
  /** Throws IdentityConflictError when the name is taken. */
  createOperator(operator: OperatorRecord): Promise<void>;
  getOperator(id: string): Promise<OperatorRecord | undefined>;
  getOperatorByName(name: string): Promise<OperatorRecord | undefined>;
  listOperators(): Promise<OperatorRecord[]>;
  /** Returns the updated record, undefined when there is no such operator. */
  updateOperator(id: string, patch: OperatorPatch, nowMs: number): Promise<OperatorRecord | undefined>;
  countOperators(): Promise<number>;

  createToken(token: TokenRecord): Promise<void>;
  getTokenByHash(hash: string): Promise<TokenRecord | undefined>;
  getToken(id: string): Promise<TokenRecord | undefined>;
  listTokens(): Promise<TokenRecord[]>;
  /** Returns false when there is no such token; revoking twice keeps the first time. */
  revokeToken(id: string, nowMs: number): Promise<boolean>;

  createSession(session: SessionRecord): Promise<void>;
  getSession(hash: string): Promise<SessionRecord | undefined>;
  touchSession(hash: string, nowMs: number): Promise<void>;
  deleteSession(hash: string): Promise<void>;
  /** Ends every session of an operator (password changed, disabled). */
  deleteOperatorSessions(operatorId: string): Promise<void>;

  getLoginAttempt(key: string): Promise<LoginAttemptRecord | undefined>;
  putLoginAttempt(attempt: LoginAttemptRecord): Promise<void>;
  clearLoginAttempt(key: string): Promise<void>;
}
