// HTTP hardening: security headers on every response, CORS (the public read API allows any
// origin without credentials; the operator API only the configured origins, with credentials),
// a strict Origin check that refuses operator requests from foreign origins (CSRF defence in
// depth beside SameSite=Strict cookies and the X-CSRF-Token header), and preflight answers.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES } from '../alerts/errors.ts';
import { accessOf } from './access.ts';
import { errorBody } from './errors.ts';

/** The API answers data, never pages: nothing may load, run or frame. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** Pages (the web app, /docs): own-origin assets only, no framing. Inline styles for /docs. */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const HSTS = 'max-age=31536000; includeSubDomains';
const OPERATOR_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
const OPERATOR_HEADERS = 'authorization, content-type, idempotency-key, x-csrf-token';
const PUBLIC_HEADERS = 'accept, last-event-id, content-type';
const PREFLIGHT_MAX_AGE_S = '600';

export interface SecurityOptions {
  /** Origins besides the hub's own allowed to call the operator API from a browser. */
  corsOrigins: readonly string[];
}

/** Parses the comma-separated `auth.corsOrigins` setting. */
export function parseOrigins(setting: string): string[] {
  return setting
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, '').toLowerCase())
    .filter((o) => o !== '');
}

function sameOrigin(request: FastifyRequest, origin: string): boolean {
  return origin === `${request.protocol}://${request.host}`.toLowerCase();
}

/** Adds the hooks and the preflight route to the root instance. */
export function installSecurity(app: FastifyInstance, options: SecurityOptions): void {
  const allowed = new Set(options.corsOrigins.map((o) => o.toLowerCase()));

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    // Set before any handler runs so hijacked streams (which copy these headers) carry them too.
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    reply.header('content-security-policy', API_CSP);
    reply.header('cross-origin-opener-policy', 'same-origin');
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);

    const access = accessOf(request);
    const origin = request.headers.origin?.toLowerCase();
    if (access === 'public') {
      reply.header('access-control-allow-origin', '*');
      return;
    }
    reply.header('vary', 'Origin');
    if (origin === undefined) return;
    if (sameOrigin(request, origin)) return;
    if (!allowed.has(origin)) {
      return reply
        .code(403)
        .send(
          errorBody(
            'AUTH_ORIGIN_FORBIDDEN',
            `${ERROR_CODES.AUTH_ORIGIN_FORBIDDEN} (${origin.slice(0, 100)})`,
          ),
        );
    }
    reply.header('access-control-allow-origin', origin);
    reply.header('access-control-allow-credentials', 'true');
  });

  // Pages get the page policy unless their route set its own.
  app.addHook('onSend', async (_request, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html') && reply.getHeader('content-security-policy') === API_CSP)
      reply.header('content-security-policy', PAGE_CSP);
    return payload;
  });

  // CORS preflight for every path; a foreign origin on the operator API was refused above.
  app.options('*', { schema: { hide: true } }, async (request, reply) => {
    if (accessOf(request) === 'public') {
      reply.header('access-control-allow-methods', 'GET, HEAD');
      reply.header('access-control-allow-headers', PUBLIC_HEADERS);
    } else {
      reply.header('access-control-allow-methods', OPERATOR_METHODS);
      reply.header('access-control-allow-headers', OPERATOR_HEADERS);
    }
    reply.header('access-control-max-age', PREFLIGHT_MAX_AGE_S);
    return reply.code(204).send();
  });
}
