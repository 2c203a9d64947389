// GET /v1/state and /v1/state/{code} before Fastify: the endpoints every client polls are ready
// bytes in memory, and Fastify's request object, hooks and reply cost more than the answer itself
// (a CPU profile under autocannon: ≈ 60 % of the server's time in the hook chain). The fast path
// answers only the plain case — GET of exactly /v1/state or /v1/state/{a known code in plain
// letters, digits and hyphens}, no query, no credentials, no proxy headers, not TLS — with exactly
// the headers the Fastify route and the security hooks give it (a test compares the two);
// anything else goes to Fastify unchanged.
import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance } from 'fastify';
import type { PreparedJson } from '../alerts/types.ts';
import { API_CSP } from './security.ts';

export const STATE_PATH = '/v1/state';

/** True when the client's cached copy is current (RFC 9110 §13.1.2, §13.1.3). */
export function notModified(headers: IncomingHttpHeaders, prepared: PreparedJson): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) {
    // If-None-Match wins over If-Modified-Since; weak comparison (§8.8.3.2) for GET.
    if (inm.trim() === '*') return true;
    return inm.split(',').some((tag) => tag.trim().replace(/^W\//, '') === prepared.etag);
  }
  const ims = headers['if-modified-since'];
  if (ims !== undefined) {
    // HTTP-dates have one-second resolution and the state can change twice within a second, so
    // an If-Modified-Since equal to Last-Modified cannot prove the copy is current (RFC 9110
    // §8.8.2.2 calls such a date a weak validator): only a strictly later date earns a 304.
    const since = Date.parse(ims);
    return Number.isFinite(since) && Date.parse(prepared.lastModified) < since;
  }
  return false;
}

export interface StateFastPathOptions {
  /** The prepared state now (undefined: not known yet, Fastify answers). */
  state: () => PreparedJson | undefined;
  /** Headers this server adds to every response (a worker's `x-tocsin-worker`). */
  extraHeaders?: Readonly<Record<string, string>>;
  /** One region's prepared state; throws (or undefined) for an unknown code: Fastify answers. */
  stateOf?: (code: string) => PreparedJson | undefined;
  /** Called once per answer, as the Fastify onResponse hook does for the other routes. */
  observe?: (status: number, seconds: number, route: string) => void;
}

/** Headers every /v1/state answer carries, 200 or 304 (the security hooks' and the route's). */
function commonHeaders(
  prepared: PreparedJson,
  extra: Readonly<Record<string, string>>,
): Record<string, string> {
  return {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': API_CSP,
    'cross-origin-opener-policy': 'same-origin',
    'access-control-allow-origin': '*',
    ...extra,
    etag: prepared.etag,
    'last-modified': prepared.lastModified,
    'cache-control': 'no-cache',
  };
}

/** What one prepared document is sent with, built once (the document changes when an event commits). */
interface Ready {
  ok: Record<string, string | number>;
  notModified: Record<string, string>;
  body: Buffer;
}

/** A region code as it can appear in a path without any decoding (`UA-59`). */
const PLAIN_CODE = /^[A-Za-z0-9-]{1,64}$/;
const REGION_PREFIX = `${STATE_PATH}/`;
export const REGION_ROUTE = `${STATE_PATH}/:code`;

/**
 * Returns a handler that answers the plain GET /v1/state (and GET /v1/state/{code} of a known
 * region, when `stateOf` is given) and returns true, or returns false without touching the
 * response (the caller hands the request to Fastify).
 */
export function stateFastPath(
  options: StateFastPathOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const extra = options.extraHeaders ?? {};
  const ready = new WeakMap<PreparedJson, Ready>();
  const readyFor = (prepared: PreparedJson): Ready => {
    let found = ready.get(prepared);
    if (!found) {
      const body = Buffer.from(prepared.body, 'utf8');
      const notModified = commonHeaders(prepared, extra);
      found = {
        body,
        notModified,
        ok: {
          ...notModified,
          'content-type': 'application/json; charset=utf-8',
          'content-length': body.length,
        },
      };
      ready.set(prepared, found);
    }
    return found;
  };
  return (req, res) => {
    if (req.method !== 'GET') return false;
    const url = req.url as string;
    let prepared: PreparedJson | undefined;
    let route: string;
    if (url === STATE_PATH) {
      route = STATE_PATH;
    } else if (
      options.stateOf &&
      url.startsWith(REGION_PREFIX) &&
      PLAIN_CODE.test(url.slice(REGION_PREFIX.length))
    ) {
      route = REGION_ROUTE;
    } else return false;
    const h = req.headers;
    if (
      h.authorization !== undefined ||
      h.cookie !== undefined ||
      h['x-forwarded-proto'] !== undefined ||
      h['x-forwarded-host'] !== undefined ||
      h.forwarded !== undefined ||
      (req.socket as TLSSocket).encrypted === true
    )
      return false;
    const started = options.observe ? performance.now() : 0;
    if (route === STATE_PATH) prepared = options.state();
    else {
      try {
        prepared = options.stateOf?.(url.slice(REGION_PREFIX.length));
      } catch {
        return false; // an unknown region: Fastify answers with the coded 404
      }
    }
    if (prepared === undefined) return false;
    const { ok, notModified: headers304, body } = readyFor(prepared);
    const status = notModified(h, prepared) ? 304 : 200;
    if (status === 304) res.writeHead(304, headers304).end();
    else res.writeHead(200, ok).end(body);
    options.observe?.(status, (performance.now() - started) / 1000, route);
    return true;
  };
}

/**
 * Puts `fast` in front of the request listener Fastify attached to its server; from Fastify's
 * `preClose` on, every request goes to Fastify (which answers 503 while closing).
 */
export function answerBeforeFastify(
  app: FastifyInstance,
  fast: (req: IncomingMessage, res: ServerResponse) => boolean,
): void {
  const listeners = app.server.listeners('request') as RequestListener[];
  if (listeners.length !== 1)
    throw new Error(`expected Fastify's one request listener, found ${listeners.length}`);
  const fastify = listeners[0] as RequestListener;
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.server.removeListener('request', fastify);
  app.server.on('request', (req, res) => {
    if (closing || !fast(req, res)) fastify(req, res);
  });
}
