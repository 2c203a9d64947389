// One webhook attempt: POST the stored event bytes to the checked address, with the
// Tocsin-Signature header (HMAC-SHA256 over "t.body"). Redirects are not followed (a 3xx is a
// failed attempt), the whole exchange has a deadline, and at most `responseLimitBytes` of the
// response are read (kept for the delivery log's error), then the socket is dropped.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { CheckedTarget } from './webhook-target.ts';

export interface WebhookRequest {
  target: CheckedTarget;
  body: string;
  secret: string;
  eventId: string;
  seq: number;
  deliveryId: number;
  attempt: number;
  timeoutMs: number;
  responseLimitBytes: number;
  /** Aborts the attempt (shutdown). */
  signal?: AbortSignal;
  /** Unix seconds of the signature (default now). */
  timestamp?: number;
}

export interface WebhookResponse {
  ok: boolean;
  /** null when no response arrived. */
  status: number | null;
  /** Why it failed, for the delivery log; null when ok. */
  error: string | null;
  durationMs: number;
}

const USER_AGENT = 'Tocsin-Webhooks/1 (+https://github.com/tocsin)';
const ERROR_EXCERPT_CHARS = 200;

/** `t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>.<body>")>`: the receiver recomputes it to verify. */
export function signatureHeader(secret: string, body: string, timestamp: number): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${mac}`;
}

// Keep-alive pools: a receiver taking many deliveries reuses its connections.
const AGENT_OPTIONS: http.AgentOptions = {
  keepAlive: true,
  maxSockets: 256,
  maxFreeSockets: 64,
  scheduling: 'fifo',
};
export interface WebhookAgents {
  http: http.Agent;
  https: https.Agent;
  destroy(): void;
}
/** An http and an https keep-alive pool (the webhook sizes unless `options` says otherwise). */
export function createAgents(options: http.AgentOptions = AGENT_OPTIONS): WebhookAgents {
  const agents = { http: new http.Agent(options), https: new https.Agent(options) };
  return {
    ...agents,
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** A lookup that answers only the checked address: the socket connects where the guard looked. */
export function pinnedLookup(target: CheckedTarget): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

/** Sends one attempt; never throws (every failure is a WebhookResponse with ok false). */
export function sendWebhook(request: WebhookRequest, agents: WebhookAgents): Promise<WebhookResponse> {
  const started = performance.now();
  const { url } = request.target;
  const secure = url.protocol === 'https:';
  const timestamp = request.timestamp ?? Math.floor(Date.now() / 1000);
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      resolve({ ok: error === null, status, error, durationMs: Math.round(performance.now() - started) });
    };
    const body = Buffer.from(request.body, 'utf8');
    const req = (secure ? https : http).request({
      protocol: url.protocol,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      agent: secure ? agents.https : agents.http,
      lookup: pinnedLookup(request.target),
      ...(secure ? { servername: url.hostname } : {}),
      headers: {
        'content-type': 'application/json',
        'content-length': body.length,
        'user-agent': USER_AGENT,
        'tocsin-event-id': request.eventId,
        'tocsin-seq': String(request.seq),
        'tocsin-delivery': String(request.deliveryId),
        'tocsin-attempt': String(request.attempt),
        'tocsin-signature': signatureHeader(request.secret, request.body, timestamp),
      },
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish(null, `no complete response within ${request.timeoutMs} ms`);
    }, request.timeoutMs);
    const onAbort = () => {
      req.destroy();
      finish(null, 'aborted: the hub is shutting down');
    };
    request.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error: NodeJS.ErrnoException) =>
      finish(null, `${error.code ?? 'error'}: ${error.message}`),
    );
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let read = 0;
      const done = () => {
        const excerpt = Buffer.concat(chunks)
          .toString('utf8')
          .slice(0, ERROR_EXCERPT_CHARS)
          .replace(/\s+/g, ' ')
          .trim();
        if (status >= 200 && status < 300) finish(status, null);
        else if (status >= 300 && status < 400)
          finish(
            status,
            `HTTP ${status}: redirects are not followed${res.headers.location ? ` (to ${String(res.headers.location).slice(0, ERROR_EXCERPT_CHARS)})` : ''}`,
          );
        else finish(status, `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`);
      };
      res.on('data', (chunk: Buffer) => {
        if (read < request.responseLimitBytes)
          chunks.push(chunk.subarray(0, request.responseLimitBytes - read));
        read += chunk.length;
        // Past the limit: stop reading and drop the connection (a hostile receiver cannot make us buffer).
        if (read > request.responseLimitBytes) {
          res.destroy();
          done();
        }
      });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    if (request.signal?.aborted) onAbort();
    else req.end(body);
  });
}
