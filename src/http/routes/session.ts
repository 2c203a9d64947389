// /v1/session: log in (a console session cookie with its CSRF token, or a short-lived bearer
// token for scripts), who am I, log out, change one's password.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { TocsinError } from '../../alerts/errors.ts';
import { type Identity, RetryLaterError } from '../../auth/identity.ts';
import { operatorView } from '../../auth/views.ts';
import type { OperatorRecord } from '../../store/identity-store.ts';
import { type Authenticator, cookieValue, SESSION_COOKIE } from '../authenticate.ts';
import { LoginBodySchema, LoginResultSchema, PasswordBodySchema, WhoAmISchema } from '../identity-schemas.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

export const CSRF_COOKIE = 'tocsin_csrf';
/** Names of bearer tokens handed out by a login; DELETE /v1/session revokes them. */
const LOGIN_TOKEN_NAME = 'login';

export interface SessionRoutesDeps {
  identity: Identity;
  authenticator: Authenticator;
  sessionMaxMs: number;
  loginTokenTtlMs: number;
  now?: () => number;
}

const tags = ['session'];

/** Session cookie: HttpOnly, SameSite=Strict, Secure over TLS; the CSRF cookie is readable by the page (double submit). */
function setSessionCookies(
  reply: FastifyReply,
  request: FastifyRequest,
  cookie: string,
  csrf: string,
  maxAgeS: number,
) {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', [
    `${SESSION_COOKIE}=${cookie}; Path=/; Max-Age=${maxAgeS}; HttpOnly; SameSite=Strict${secure}`,
    `${CSRF_COOKIE}=${csrf}; Path=/; Max-Age=${maxAgeS}; SameSite=Strict${secure}`,
  ]);
}

function clearSessionCookies(reply: FastifyReply, request: FastifyRequest) {
  setSessionCookies(reply, request, '', '', 0);
}

export function sessionRoutes(deps: SessionRoutesDeps): FastifyPluginAsyncTypebox {
  const { identity, authenticator } = deps;
  const now = deps.now ?? Date.now;
  const maxAgeS = Math.floor(deps.sessionMaxMs / 1000);

  async function openCookieSession(request: FastifyRequest, reply: FastifyReply, operator: OperatorRecord) {
    const { cookie, csrf, session } = await identity.openSession(operator);
    setSessionCookies(reply, request, cookie, csrf, maxAgeS);
    return { csrfToken: csrf, expiresAt: new Date(session.expiresMs).toISOString() };
  }

  return async (app) => {
    app.post(
      '/v1/session',
      {
        config: { access: 'open' },
        schema: {
          tags,
          summary:
            'Log in: a console session cookie (+ CSRF token) or, with "as":"token", a short-lived bearer token',
          body: LoginBodySchema,
          response: { 201: LoginResultSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { name, password } = request.body;
        let operator: OperatorRecord;
        try {
          operator = await identity.login(name, password, request.ip);
        } catch (error) {
          if (error instanceof RetryLaterError) reply.header('retry-after', String(error.retryAfterSeconds));
          throw error;
        }
        reply.header('cache-control', 'no-store').code(201);
        const base = { operator: operatorView(operator), mustChangePassword: operator.mustChangePassword };
        if (request.body.as === 'token') {
          const expiresMs = now() + deps.loginTokenTtlMs;
          const { secret } = await identity.mintToken({
            name: LOGIN_TOKEN_NAME,
            roles: operator.roles,
            jurisdiction: operator.jurisdiction,
            expiresMs,
            operatorId: operator.id,
          });
          return { ...base, token: secret, expiresAt: new Date(expiresMs).toISOString() };
        }
        return { ...base, ...(await openCookieSession(request, reply, operator)) };
      },
    );

    app.get(
      '/v1/session',
      { schema: { tags, summary: 'Who is acting', response: { 200: WhoAmISchema, ...ERROR_RESPONSES } } },
      async (request) => {
        const who = authenticator.identified(request);
        if (!who) throw new TocsinError('AUTH_REQUIRED');
        return {
          actor: who.actor,
          via: who.via,
          mustChangePassword: who.operator?.mustChangePassword ?? false,
        };
      },
    );

    app.delete(
      '/v1/session',
      {
        schema: {
          tags,
          summary: 'Log out (ends the session; revokes a login token)',
          response: { 204: Type.Null(), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const who = authenticator.identified(request);
        const cookie = cookieValue(request.headers.cookie, SESSION_COOKIE);
        if (who?.via === 'session' && cookie) await identity.closeSession(cookie);
        if (who?.via === 'token' && who.token?.name === LOGIN_TOKEN_NAME)
          await identity.revokeToken(who.token.id, who.actor);
        clearSessionCookies(reply, request);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/v1/session/password',
      {
        schema: {
          tags,
          summary: "Change one's password (required first after a one-time password); ends other sessions",
          body: PasswordBodySchema,
          response: { 200: LoginResultSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const who = authenticator.identified(request);
        if (!who?.operator)
          throw new TocsinError(
            'AUTH_FORBIDDEN',
            'Only an operator (a session or a login token) has a password',
          );
        const operator = await identity.changePassword(
          who.operator,
          request.body.currentPassword,
          request.body.newPassword,
        );
        reply.header('cache-control', 'no-store');
        const base = { operator: operatorView(operator), mustChangePassword: false };
        if (who.via === 'session') return { ...base, ...(await openCookieSession(request, reply, operator)) };
        return { ...base, expiresAt: new Date(who.token?.expiresMs ?? now()).toISOString() };
      },
    );
  };
}
