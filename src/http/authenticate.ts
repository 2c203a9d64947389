// The one seam where a request becomes an Actor: a bearer token (`Authorization: Bearer
// tocsin_...`) or a console session cookie; no credentials make an anonymous viewer, enough
// for the public read API. The guard (an onRequest hook) refuses operator endpoints without
// credentials (401 AUTH_REQUIRED), session requests that change something without the
// session's X-CSRF-Token (403 AUTH_CSRF), operators who must first change their one-time
// password (403 AUTH_PASSWORD_CHANGE_REQUIRED), and tokens over their rate (429 + Retry-After).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../alerts/actor.ts';
import { ERROR_CODES, type ErrorCode } from '../alerts/errors.ts';
import type { Identified, Identity } from '../auth/identity.ts';
import type { RateLimiter } from '../auth/rate-limit.ts';
import { accessOf } from './access.ts';
import { errorBody } from './errors.ts';

/** Resolves who is acting for a request. */
export type Authenticate = (request: FastifyRequest) => Promise<Actor>;

export const SESSION_COOKIE = 'tocsin_session';
export const CSRF_HEADER = 'x-csrf-token';

/** Who acts without credentials: reads only, no jurisdiction. */
export const ANONYMOUS_ACTOR: Actor = Object.freeze({
  id: 'anonymous',
  name: 'Anonymous',
  kind: 'operator',
  roles: ['viewer'],
  jurisdiction: [],
}) as Actor;

/** Requests allowed while the operator still holds a one-time password. */
const PASSWORD_CHANGE_ALLOWED = new Set([
  'POST /v1/session/password',
  'DELETE /v1/session',
  'GET /v1/session',
]);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Authenticator {
  authenticate: Authenticate;
  /** The identity of a request (after the guard ran), undefined when anonymous. */
  identified(request: FastifyRequest): Identified | undefined;
  /** Adds the guard to the root instance (call once, before the routes). */
  install(app: FastifyInstance): void;
}

export interface AuthenticatorDeps {
  identity: Identity;
  rateLimiter: RateLimiter;
  now?: () => number;
}

/** The cookie value of `name` in a Cookie header (RFC 6265 §5.4), undefined when absent. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function refuse(reply: FastifyReply, code: ErrorCode, message: string = ERROR_CODES[code]) {
  return reply
    .code(code === 'AUTH_REQUIRED' || code === 'AUTH_TOKEN_INVALID' ? 401 : 403)
    .send(errorBody(code, message));
}

export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const { identity, rateLimiter } = deps;
  const now = deps.now ?? Date.now;
  const known = new WeakMap<FastifyRequest, Identified | null>();

  /** Undefined: no credentials; null: credentials that name nothing live. */
  async function identify(request: FastifyRequest): Promise<Identified | undefined | null> {
    const authorization = request.headers.authorization;
    if (authorization !== undefined) {
      const match = /^Bearer +(\S+)$/i.exec(authorization);
      if (!match) return null;
      const found = await identity.resolveToken(match[1] as string);
      if (!found) return null;
      return {
        actor: identity.tokenActor(found.token),
        via: 'token',
        token: found.token,
        ...(found.operator ? { operator: found.operator } : {}),
      };
    }
    const cookie = cookieValue(request.headers.cookie, SESSION_COOKIE);
    if (cookie === undefined) return undefined;
    const found = await identity.resolveSession(cookie);
    if (!found) return null;
    return {
      actor: identity.operatorActor(found.operator),
      via: 'session',
      operator: found.operator,
      session: found.session,
    };
  }

  async function guard(request: FastifyRequest, reply: FastifyReply) {
    // Preflights carry no credentials (Fetch standard §4.8); security.ts answers them.
    if (request.method === 'OPTIONS') return;
    const access = accessOf(request);
    const who = await identify(request);
    if (who === null) {
      // A bearer token that names nothing is always an error; a stale cookie only where credentials are needed.
      if (request.headers.authorization !== undefined || access === 'operator') {
        reply.header('www-authenticate', 'Bearer');
        return refuse(reply, 'AUTH_TOKEN_INVALID');
      }
      known.set(request, null);
      return;
    }
    if (who === undefined) {
      if (access === 'operator') {
        reply.header('www-authenticate', 'Bearer');
        return refuse(reply, 'AUTH_REQUIRED');
      }
      known.set(request, null);
      return;
    }
    if (who.via === 'session' && !SAFE_METHODS.has(request.method) && who.session) {
      const csrf = request.headers[CSRF_HEADER];
      if (typeof csrf !== 'string' || !identity.csrfMatches(who.session, csrf))
        return refuse(reply, 'AUTH_CSRF');
    }
    const route = `${request.method} ${request.routeOptions.url ?? ''}`;
    if (who.operator?.mustChangePassword && access !== 'public' && !PASSWORD_CHANGE_ALLOWED.has(route))
      return refuse(reply, 'AUTH_PASSWORD_CHANGE_REQUIRED');
    const wait = rateLimiter.take(who.token?.id ?? who.session?.hash ?? who.actor.id, now());
    if (wait > 0) {
      return reply
        .code(429)
        .header('retry-after', String(wait))
        .send(errorBody('AUTH_RATE_LIMITED', `${ERROR_CODES.AUTH_RATE_LIMITED} (${wait} s)`));
    }
    known.set(request, who);
  }

  return {
    async authenticate(request) {
      if (!known.has(request)) {
        // Routes served outside the guard (it was not installed): identify on demand.
        const who = await identify(request);
        known.set(request, who ?? null);
      }
      return known.get(request)?.actor ?? ANONYMOUS_ACTOR;
    },
    identified(request) {
      return known.get(request) ?? undefined;
    },
    install(app) {
      app.addHook('onRequest', guard);
    },
  };
}
