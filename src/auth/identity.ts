// Operators, machine tokens and console sessions: the rules around the identity store.
// Passwords are scrypt hashes; tokens, session ids and CSRF tokens 256-bit secrets stored as
// SHA-256. Login failures are counted per name and per client address and lock both out.
import { type Actor, ROLES, type Role } from '../alerts/actor.ts';
import { type ErrorCode, TocsinError } from '../alerts/errors.ts';
import type { RegionTree } from '../geo/types.ts';
import type { AuditEntry } from '../store/audit-store.ts';
import {
  IdentityConflictError,
  type IdentityStore,
  type OperatorRecord,
  type SessionRecord,
  type TokenRecord,
} from '../store/identity-store.ts';
import {
  dummyPasswordHash,
  hashPassword,
  oneTimePassword,
  passwordProblem,
  verifyPassword,
} from './password.ts';
import { withinJurisdiction } from './policy.ts';
import { randomId, randomSecret, sameSecret, sha256Hex } from './secrets.ts';
import { storeToken, TOKEN_PATTERN } from './tokens.ts';

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const TOKEN_NAME_MAX = 100;
/** A session's last-seen time is written at most this often. */
const TOUCH_EVERY_MS = 60_000;

export interface IdentityOptions {
  store: IdentityStore;
  tree: RegionTree;
  now?: () => number;
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** Failures per name within `lockMs` that lock the name. */
  loginMaxFailures: number;
  /** Failures per client address within `lockMs` that lock the address. */
  loginIpMaxFailures: number;
  lockMs: number;
  /** Appends an audit record (issue 5 §6): logins, password changes, operators and tokens made or changed. */
  audit?: (entry: AuditEntry) => Promise<unknown>;
}

/** Who acts when the command line changes identities directly on the data. */
export const CLI_ACTOR: Actor = {
  id: 'system:cli',
  name: 'tocsin command line',
  kind: 'system',
  roles: ['admin'],
  jurisdiction: [],
};

/** A refusal with the seconds after which a retry may succeed. */
export class RetryLaterError extends TocsinError {
  readonly retryAfterSeconds: number;
  constructor(code: ErrorCode, message: string, retryAfterSeconds: number) {
    super(code, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface NewOperator {
  name: string;
  roles: Role[];
  jurisdiction: string[];
}

export interface NewToken {
  name: string;
  roles: Role[];
  jurisdiction: string[];
  /** null: never expires. */
  expiresMs: number | null;
  operatorId: string | null;
}

/** Who a request is: the actor, and how it proved it. */
export interface Identified {
  actor: Actor;
  via: 'session' | 'token';
  operator?: OperatorRecord;
  session?: SessionRecord;
  token?: TokenRecord;
}

export type Identity = ReturnType<typeof createIdentity>;

const ANONYMOUS = { id: 'anonymous', name: 'Anonymous', kind: 'operator' } as const;

function invalid(message: string, path: string): TocsinError {
  return new TocsinError('IDENTITY_INPUT_INVALID', message, [{ path, message }]);
}

export function operatorActor(operator: OperatorRecord): Actor {
  return {
    id: operator.id,
    name: operator.name,
    kind: 'operator',
    roles: [...operator.roles],
    jurisdiction: [...operator.jurisdiction],
  };
}

/** A token acts with its own roles and jurisdiction; one minted by an operator acts as that operator (no self-approval through a token). */
export function tokenActor(token: TokenRecord): Actor {
  return {
    id: token.operatorId ?? token.id,
    name: token.name,
    kind: 'token',
    roles: [...token.roles],
    jurisdiction: [...token.jurisdiction],
  };
}

export function createIdentity(options: IdentityOptions) {
  const { store, tree } = options;
  const now = options.now ?? Date.now;

  async function record(
    by: Pick<Actor, 'id' | 'name' | 'kind'>,
    action: string,
    target?: { type: string; id: string },
    extra: { regions?: string[]; details?: Record<string, unknown> } = {},
  ): Promise<void> {
    if (!options.audit) return;
    await options.audit({
      timeMs: now(),
      actor: { id: by.id, name: by.name, kind: by.kind },
      action,
      ...(target ? { target } : {}),
      ...extra,
    });
  }

  function checkRoles(roles: unknown, path: string): Role[] {
    if (!Array.isArray(roles) || roles.length === 0) throw invalid('at least one role', path);
    for (const role of roles) {
      if (!ROLES.includes(role as Role))
        throw invalid(`unknown role ${JSON.stringify(role)}; one of ${ROLES.join(', ')}`, path);
    }
    return [...new Set(roles as Role[])];
  }

  function checkJurisdiction(codes: unknown, path: string): string[] {
    if (!Array.isArray(codes) || codes.length === 0) throw invalid('at least one region code', path);
    if (codes.length > 500) throw invalid('at most 500 region codes', path);
    for (const code of codes) {
      if (typeof code !== 'string' || !tree.has(code))
        throw invalid(`unknown region ${JSON.stringify(code).slice(0, 80)}`, path);
    }
    return [...new Set(codes as string[])];
  }

  function checkName(name: unknown): string {
    if (typeof name !== 'string' || !NAME_PATTERN.test(name))
      throw invalid('1 to 64 letters, digits, . _ @ or -, starting with a letter or digit', '/name');
    return name;
  }

  async function lockState(keys: string[], nowMs: number): Promise<number> {
    let until = 0;
    for (const key of keys) until = Math.max(until, (await store.getLoginAttempt(key))?.lockedUntilMs ?? 0);
    return until > nowMs ? until : 0;
  }

  async function countFailure(key: string, max: number, nowMs: number): Promise<void> {
    const previous = await store.getLoginAttempt(key);
    const fresh = !previous || nowMs - previous.firstFailureMs >= options.lockMs;
    const failures = fresh ? 1 : previous.failures + 1;
    await store.putLoginAttempt({
      key,
      failures,
      firstFailureMs: fresh ? nowMs : previous.firstFailureMs,
      lockedUntilMs: failures >= max ? nowMs + options.lockMs : 0,
    });
  }

  return {
    checkRoles,
    checkJurisdiction,

    /** Creates an operator with a one-time password (returned once, never stored). */
    async createOperator(
      input: NewOperator,
      by: Actor = CLI_ACTOR,
    ): Promise<{ operator: OperatorRecord; password: string }> {
      const name = checkName(input.name);
      const roles = checkRoles(input.roles, '/roles');
      const jurisdiction = checkJurisdiction(input.jurisdiction, '/jurisdiction');
      const password = oneTimePassword();
      const nowMs = now();
      const operator: OperatorRecord = {
        id: randomId('op_'),
        name,
        roles,
        jurisdiction,
        passwordHash: await hashPassword(password),
        mustChangePassword: true,
        disabled: false,
        createdMs: nowMs,
        updatedMs: nowMs,
      };
      try {
        await store.createOperator(operator);
      } catch (error) {
        if (error instanceof IdentityConflictError)
          throw new TocsinError('OPERATOR_NAME_TAKEN', error.message);
        throw error;
      }
      await record(
        by,
        'operator.created',
        { type: 'operator', id: operator.id },
        {
          regions: jurisdiction,
          details: { name, roles },
        },
      );
      return { operator, password };
    },

    /** Changes roles, jurisdiction or disabled; a disabled operator's sessions end at once. */
    async updateOperator(
      id: string,
      patch: { roles?: unknown; jurisdiction?: unknown; disabled?: unknown; resetPassword?: unknown },
      by: Actor = CLI_ACTOR,
    ): Promise<{ operator: OperatorRecord; password?: string }> {
      const changes: Parameters<IdentityStore['updateOperator']>[1] = {};
      if (patch.roles !== undefined) changes.roles = checkRoles(patch.roles, '/roles');
      if (patch.jurisdiction !== undefined)
        changes.jurisdiction = checkJurisdiction(patch.jurisdiction, '/jurisdiction');
      if (patch.disabled !== undefined) {
        if (typeof patch.disabled !== 'boolean') throw invalid('true or false', '/disabled');
        changes.disabled = patch.disabled;
      }
      let password: string | undefined;
      if (patch.resetPassword === true) {
        password = oneTimePassword();
        changes.passwordHash = await hashPassword(password);
        changes.mustChangePassword = true;
      }
      const operator = await store.updateOperator(id, changes, now());
      if (!operator)
        throw new TocsinError('OPERATOR_NOT_FOUND', `No operator ${JSON.stringify(id.slice(0, 100))}`);
      if (operator.disabled || password !== undefined || changes.roles || changes.jurisdiction)
        await store.deleteOperatorSessions(id);
      await record(
        by,
        'operator.updated',
        { type: 'operator', id },
        {
          regions: operator.jurisdiction,
          details: {
            ...(changes.roles ? { roles: changes.roles } : {}),
            ...(changes.jurisdiction ? { jurisdiction: changes.jurisdiction } : {}),
            ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
            ...(password !== undefined ? { passwordReset: true } : {}),
          },
        },
      );
      return password === undefined ? { operator } : { operator, password };
    },

    /** Checks a name and password; counts failures and locks out per name and per address. */
    async login(name: string, password: string, address: string): Promise<OperatorRecord> {
      const nowMs = now();
      const keys = [`name:${name.toLowerCase().slice(0, 64)}`, `ip:${address}`];
      const lockedUntil = await lockState(keys, nowMs);
      if (lockedUntil > 0) {
        await record(ANONYMOUS, 'session.login_refused', undefined, {
          details: { name: name.slice(0, 64), address, reason: 'locked' },
        });
        throw new RetryLaterError(
          'AUTH_LOCKED',
          'Too many failed logins: locked for now; try again later',
          Math.ceil((lockedUntil - nowMs) / 1000),
        );
      }
      const operator = await store.getOperatorByName(name);
      const ok = await verifyPassword(password, operator?.passwordHash ?? (await dummyPasswordHash()));
      if (!ok || !operator || operator.disabled) {
        await countFailure(keys[0] as string, options.loginMaxFailures, nowMs);
        await countFailure(keys[1] as string, options.loginIpMaxFailures, nowMs);
        await record(ANONYMOUS, 'session.login_failed', undefined, {
          details: { name: name.slice(0, 64), address },
        });
        throw new TocsinError('AUTH_INVALID_CREDENTIALS');
      }
      await store.clearLoginAttempt(keys[0] as string);
      await record(
        operatorActor(operator),
        'session.login',
        { type: 'operator', id: operator.id },
        {
          details: { address },
        },
      );
      return operator;
    },

    /** Sets a new password after checking the current one; ends the operator's other sessions. */
    async changePassword(operator: OperatorRecord, current: string, next: string): Promise<OperatorRecord> {
      if (!(await verifyPassword(current, operator.passwordHash)))
        throw new TocsinError('AUTH_INVALID_CREDENTIALS');
      const problem = passwordProblem(next, operator.name);
      if (problem)
        throw new TocsinError('AUTH_PASSWORD_WEAK', `The new password is too weak: ${problem}`, [
          { path: '/newPassword', message: problem },
        ]);
      if (next === current)
        throw new TocsinError('AUTH_PASSWORD_WEAK', 'The new password must differ from the current one', [
          { path: '/newPassword', message: 'same as the current one' },
        ]);
      await store.deleteOperatorSessions(operator.id);
      const updated = await store.updateOperator(
        operator.id,
        { passwordHash: await hashPassword(next), mustChangePassword: false },
        now(),
      );
      if (!updated) throw new TocsinError('OPERATOR_NOT_FOUND');
      await record(operatorActor(updated), 'password.changed', { type: 'operator', id: updated.id });
      return updated;
    },

    /** Mints a token; the secret is returned once. A token minted by someone holds at most their roles and jurisdiction. */
    async mintToken(input: NewToken, minter?: Actor): Promise<{ token: TokenRecord; secret: string }> {
      const roles = checkRoles(input.roles, '/roles');
      const jurisdiction = checkJurisdiction(input.jurisdiction, '/jurisdiction');
      if (
        typeof input.name !== 'string' ||
        input.name.length > TOKEN_NAME_MAX ||
        /[\p{Cc}]/u.test(input.name)
      )
        throw invalid(`at most ${TOKEN_NAME_MAX} characters, no control characters`, '/name');
      if (minter && minter.kind !== 'system' && !minter.roles.includes('admin')) {
        const extra = roles.filter((r) => !minter.roles.includes(r));
        if (extra.length > 0)
          throw new TocsinError(
            'AUTH_FORBIDDEN',
            `A token cannot hold roles its minter lacks: ${extra.join(', ')}`,
            [{ code: 'AUTH_ROLE', path: '/roles', message: `not yours: ${extra.join(', ')}` }],
          );
      }
      if (minter && minter.kind !== 'system' && !withinJurisdiction(tree, minter.jurisdiction, jurisdiction))
        throw new TocsinError('AUTH_FORBIDDEN', "A token cannot reach beyond its minter's jurisdiction", [
          {
            code: 'AUTH_JURISDICTION',
            path: '/jurisdiction',
            message: `outside ${minter.jurisdiction.join(', ')}`,
          },
        ]);
      const minted = await storeToken(store, { ...input, roles, jurisdiction }, now());
      await record(
        minter ?? CLI_ACTOR,
        'token.created',
        { type: 'token', id: minted.token.id },
        {
          regions: jurisdiction,
          details: { name: input.name, roles, expiresMs: input.expiresMs, operatorId: input.operatorId },
        },
      );
      return minted;
    },

    /** The token a bearer secret names, if it is live; undefined for unknown, revoked or expired. */
    async resolveToken(
      secret: string,
    ): Promise<{ token: TokenRecord; operator?: OperatorRecord } | undefined> {
      if (!TOKEN_PATTERN.test(secret)) return undefined;
      const token = await store.getTokenByHash(sha256Hex(secret));
      if (!token || token.revokedMs !== null) return undefined;
      if (token.expiresMs !== null && token.expiresMs <= now()) return undefined;
      if (token.operatorId === null) return { token };
      const operator = await store.getOperator(token.operatorId);
      if (!operator || operator.disabled) return undefined;
      // An operator's token never holds more than the operator holds now (roles or jurisdiction narrowed since).
      const clamped: TokenRecord = {
        ...token,
        roles: token.roles.filter((role) => operator.roles.includes(role)),
        jurisdiction: token.jurisdiction.filter((code) =>
          withinJurisdiction(tree, operator.jurisdiction, [code]),
        ),
      };
      return { token: clamped, operator };
    },

    async revokeToken(id: string, by: Actor = CLI_ACTOR): Promise<void> {
      if (!(await store.revokeToken(id, now())))
        throw new TocsinError('TOKEN_NOT_FOUND', `No token ${JSON.stringify(id.slice(0, 100))}`);
      await record(by, 'token.revoked', { type: 'token', id });
    },

    /** Opens a console session: the cookie value and the CSRF token (each returned once). */
    async openSession(
      operator: OperatorRecord,
    ): Promise<{ cookie: string; csrf: string; session: SessionRecord }> {
      const cookie = randomSecret();
      const csrf = randomSecret();
      const nowMs = now();
      const session: SessionRecord = {
        hash: sha256Hex(cookie),
        operatorId: operator.id,
        csrfHash: sha256Hex(csrf),
        createdMs: nowMs,
        lastSeenMs: nowMs,
        expiresMs: nowMs + options.sessionMaxMs,
      };
      await store.createSession(session);
      return { cookie, csrf, session };
    },

    /** The live session a cookie names (idle and absolute expiry enforced), and its operator. */
    async resolveSession(
      cookie: string,
    ): Promise<{ session: SessionRecord; operator: OperatorRecord } | undefined> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(cookie)) return undefined;
      const session = await store.getSession(sha256Hex(cookie));
      if (!session) return undefined;
      const nowMs = now();
      if (nowMs >= session.expiresMs || nowMs - session.lastSeenMs >= options.sessionIdleMs) {
        await store.deleteSession(session.hash);
        return undefined;
      }
      const operator = await store.getOperator(session.operatorId);
      if (!operator || operator.disabled) return undefined;
      if (nowMs - session.lastSeenMs >= TOUCH_EVERY_MS) await store.touchSession(session.hash, nowMs);
      return { session, operator };
    },

    /** True when `csrf` is the token handed out with `session`. */
    csrfMatches(session: SessionRecord, csrf: string): boolean {
      return sameSecret(sha256Hex(csrf), session.csrfHash);
    },

    async closeSession(cookie: string): Promise<void> {
      await store.deleteSession(sha256Hex(cookie));
    },

    operatorActor,
    tokenActor,
  };
}
