// A webhook receiver for tests: a real HTTP server on 127.0.0.1 that verifies BOTH signatures of
// every delivery on its own (the HMAC of Tocsin-Signature with the webhook's secret, and the
// event's Ed25519 signature with the hub's JWKS, through node:crypto and RFC 8785 directly, not
// the hub's code), records it, and answers as the test says. Tests wait on receipts, never on time.
import { createHmac, createPublicKey, type KeyObject, timingSafeEqual, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import canonicalize from 'canonicalize';

export interface Receipt {
  path: string;
  body: string;
  event: {
    seq: number;
    id: string;
    type: string;
    alert: { event: string; status: string };
    [key: string]: unknown;
  };
  headers: IncomingMessage['headers'];
  /** The HMAC over "t.body" matches (with the secret the test gave for this path). */
  hmacOk: boolean;
  /** The event's Ed25519 signature verifies with the hub's published key. */
  ed25519Ok: boolean;
  /** The status answered. */
  status: number;
}

/** Answers a request: a status, optionally headers and a body (or `hang` to never answer). */
export type Responder = (
  path: string,
  nth: number,
) => { status: number; headers?: Record<string, string>; body?: string | Buffer } | 'hang';

export interface Receiver {
  /** `http://127.0.0.1:<port>` */
  url: string;
  receipts: Receipt[];
  /** Secrets by path, for the HMAC check. */
  secrets: Map<string, string>;
  respond: Responder;
  /** Resolves with the first receipt (from now on, or already) matching `predicate`. */
  waitFor(predicate: (r: Receipt) => boolean): Promise<Receipt>;
  close(): Promise<void>;
}

export async function startReceiver(options: { jwksUrl: string; host?: string }): Promise<Receiver> {
  const keys = new Map<string, KeyObject>();
  const loadKeys = async () => {
    const jwks = (await (await fetch(options.jwksUrl)).json()) as { keys: { kid: string; x: string }[] };
    for (const jwk of jwks.keys)
      keys.set(jwk.kid, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }));
  };
  const waiters: { predicate: (r: Receipt) => boolean; resolve: (r: Receipt) => void }[] = [];
  const counts = new Map<string, number>();
  const hanging = new Set<ServerResponse>();

  const verifyEd25519 = async (event: Record<string, unknown>): Promise<boolean> => {
    const { sig, ...rest } = event;
    if (typeof sig !== 'string' || typeof rest.kid !== 'string') return false;
    if (!keys.has(rest.kid)) await loadKeys().catch(() => undefined);
    const key = keys.get(rest.kid);
    return (
      key !== undefined &&
      verify(null, Buffer.from(canonicalize(rest) as string), key, Buffer.from(sig, 'base64url'))
    );
  };
  const verifyHmac = (path: string, header: string | undefined, body: string): boolean => {
    const secret = receiver.secrets.get(path);
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header ?? '');
    if (!secret || !match) return false;
    const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
    return timingSafeEqual(expected, Buffer.from(match[2] as string, 'hex'));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const path = req.url ?? '/';
      const nth = (counts.get(path) ?? 0) + 1;
      counts.set(path, nth);
      const body = Buffer.concat(chunks).toString('utf8');
      const answer = receiver.respond(path, nth);
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      const event = JSON.parse(body) as Receipt['event'];
      const receipt: Receipt = {
        path,
        body,
        event,
        headers: req.headers,
        hmacOk: verifyHmac(path, req.headers['tocsin-signature'] as string | undefined, body),
        ed25519Ok: await verifyEd25519(event),
        status: answer.status,
      };
      receiver.receipts.push(receipt);
      res.writeHead(answer.status, answer.headers).end(answer.body);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const waiter = waiters[i] as (typeof waiters)[number];
        if (waiter.predicate(receipt)) {
          waiters.splice(i, 1);
          waiter.resolve(receipt);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const receiver: Receiver = {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    receipts: [],
    secrets: new Map(),
    respond: () => ({ status: 204 }),
    waitFor(predicate) {
      const found = receiver.receipts.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}
