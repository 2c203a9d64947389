// One Web Push request (RFC 8030 §5): POST the encrypted payload to the push service with the
// VAPID Authorization header (RFC 8292), TTL and Urgency. The connection is pinned to the address
// the SSRF guard checked; redirects are not followed; the response body is not read beyond 4 KiB.
import http from 'node:http';
import https from 'node:https';
import { createAgents, pinnedLookup, type WebhookAgents } from './webhook-send.ts';
import type { CheckedTarget } from './webhook-target.ts';

export interface PushRequest {
  target: CheckedTarget;
  headers: Record<string, string>;
  body: Buffer;
  timeoutMs: number;
}

export interface PushResponse {
  /** null when no response arrived (network error, timeout). */
  status: number | null;
  error: string | null;
  /** The response's Retry-After in seconds (RFC 9110 §10.2.3, the delta form), when it had one. */
  retryAfterS?: number;
}

const RESPONSE_LIMIT_BYTES = 4096;
export type PushAgents = WebhookAgents;

/** Keep-alive pools for the push services (a handful of origins). */
export function createPushAgents(): PushAgents {
  return createAgents({ keepAlive: true, maxSockets: 64, maxFreeSockets: 16 });
}

/** Sends one push message; never throws. */
export function sendPush(request: PushRequest, agents: PushAgents): Promise<PushResponse> {
  const { url } = request.target;
  const secure = url.protocol === 'https:';
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number | null, error: string | null, retryAfterS?: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(retryAfterS === undefined ? { status, error } : { status, error, retryAfterS });
    };
    const req = (secure ? https : http).request({
      protocol: url.protocol,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      agent: secure ? agents.https : agents.http,
      lookup: pinnedLookup(request.target),
      ...(secure ? { servername: url.hostname } : {}),
      headers: { ...request.headers, 'content-length': String(request.body.length) },
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish(null, `no response within ${request.timeoutMs} ms`);
    }, request.timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish(null, `${error.code ?? 'error'}: ${error.message}`),
    );
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const retryAfter = /^\d{1,9}$/.test(String(res.headers['retry-after'] ?? ''))
        ? Number(res.headers['retry-after'])
        : undefined;
      const chunks: Buffer[] = [];
      let read = 0;
      const done = () => {
        const excerpt = Buffer.concat(chunks).toString('utf8').slice(0, 200).replace(/\s+/g, ' ').trim();
        finish(
          status,
          status >= 200 && status < 300 ? null : `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`,
          retryAfter,
        );
      };
      res.on('data', (chunk: Buffer) => {
        if (read < RESPONSE_LIMIT_BYTES) chunks.push(chunk.subarray(0, RESPONSE_LIMIT_BYTES - read));
        read += chunk.length;
        if (read > RESPONSE_LIMIT_BYTES) {
          res.destroy();
          done();
        }
      });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.end(request.body);
  });
}
