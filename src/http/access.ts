// Which endpoints are the public read API (any origin, no credentials needed) and which the
// operator API (credentials, strict CORS). Reads are public unless listed below; anything that
// changes state is operator-only. A route may say otherwise with `config: { access }`:
// `open` (no credentials, operator CORS: the login itself), `public` (e.g. a Web Push subscribe).
import type { FastifyRequest } from 'fastify';

export type Access = 'public' | 'operator' | 'open';

/** Reads under these prefixes are for operators only. */
export const OPERATOR_READ_PREFIXES = [
  '/v1/operators',
  '/v1/tokens',
  '/v1/audit',
  '/v1/webhooks',
  '/v1/session',
  '/v1/templates',
];

const READ_METHODS = new Set(['GET', 'HEAD']);

export function accessOf(request: FastifyRequest): Access {
  const declared = (request.routeOptions.config as { access?: Access } | undefined)?.access;
  if (declared) return declared;
  const urlPath = request.url.split('?')[0] as string;
  // A preflight is answered by one catch-all route: judge it by the path it asks about.
  const path = request.method === 'OPTIONS' ? urlPath : (request.routeOptions.url ?? urlPath);
  if (request.method === 'OPTIONS') {
    // A preflight is judged as the request it announces (Fetch standard §4.8).
    const announced = String(request.headers['access-control-request-method'] ?? 'GET').toUpperCase();
    return READ_METHODS.has(announced) && !isOperatorPath(path) ? 'public' : 'operator';
  }
  if (!READ_METHODS.has(request.method)) return 'operator';
  return isOperatorPath(path) ? 'operator' : 'public';
}

export function isOperatorPath(path: string): boolean {
  return OPERATOR_READ_PREFIXES.some(
    (prefix) => path === prefix || path.startsWith(`${prefix}/`) || path.startsWith(`${prefix}.`),
  );
}
