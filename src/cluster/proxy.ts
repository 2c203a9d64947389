// A worker's way to the API: every request that is not a live stream is passed, bytes as they
// come, to the primary's internal listener over kept-alive loopback connections. The primary
// trusts exactly one hop of X-Forwarded-For (the worker's), so it sees the real client address.
import {
  Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';

/** RFC 9110 §7.6.1: connection-specific fields are never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const FORWARDED = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
];

export interface ProxyOptions {
  /** The primary's internal URL (`http://127.0.0.1:PORT`). */
  upstream: string;
  /** server.trustProxy: keep the client's X-Forwarded-* and append to them; else replace them. */
  trustForwarded: boolean;
  onError?: (error: Error) => void;
}

export interface WorkerProxy {
  handle(req: IncomingMessage, res: ServerResponse): void;
  close(): void;
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase());
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.includes(name)) continue;
    out[name] = value;
  }
  return out;
}

const UNAVAILABLE = JSON.stringify({
  error: {
    code: 'UNAVAILABLE',
    message: 'The hub is not reachable from this worker; retry shortly',
    details: [],
  },
});

export function createProxy(options: ProxyOptions): WorkerProxy {
  const target = new URL(options.upstream);
  // Enough kept-alive connections for a burst of API calls; more queue in the agent.
  const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const headers = withoutHopByHop(req.headers);
    const prior = headers['x-forwarded-for'];
    if (!options.trustForwarded) for (const name of FORWARDED) delete headers[name];
    const peer = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = options.trustForwarded && prior ? `${String(prior)}, ${peer}` : peer;

    const upstream = request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers,
      agent,
    });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, withoutHopByHop(answer.headers));
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', (error) => {
      options.onError?.(error);
      // Only a refused connection proves the hub never saw the request. Any later failure (the
      // hub died mid-request) leaves its outcome unknown — it may have committed — so the client
      // gets what a crashed single process gives it, a reset, never a "retry" that could issue twice.
      if (res.headersSent || (error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') {
        res.destroy();
        return;
      }
      res.writeHead(503, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(UNAVAILABLE),
        'retry-after': '1',
        'cache-control': 'no-store',
      });
      res.end(UNAVAILABLE);
    });
    // A client that goes away mid-request takes its upstream request with it.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  return { handle, close: () => agent.destroy() };
}
