// The worker's proxy to the hub, against a real upstream server and real sockets (port 0).
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { createProxy, type WorkerProxy } from './proxy.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** An upstream that records each request and answers with `answer`. */
async function upstream(answer: (seen: Seen, res: import('node:http').ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      seen.push(entry);
      answer(entry, res);
    });
  });
  return { seen, server, port: await listen(server) };
}

async function front(proxy: WorkerProxy): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => proxy.handle(req, res));
  return { server, port: await listen(server) };
}

/** A raw request from a chosen source address, so X-Forwarded-For can be checked. */
function send(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string; from?: string },
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers ?? {},
        localAddress: options.from ?? '127.0.0.1',
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('worker proxy', () => {
  const closers: (() => void)[] = [];
  after(() => {
    for (const close of closers) close();
  });

  it('passes method, path, query and body through, and the answer back with its status and headers', async () => {
    const up = await upstream((_seen, res) => {
      res.writeHead(201, { 'content-type': 'application/json', etag: '"x"', 'set-cookie': ['a=1', 'b=2'] });
      res.end('{"ok":true}');
    });
    const proxy = createProxy({ upstream: `http://127.0.0.1:${up.port}`, trustForwarded: false });
    const f = await front(proxy);
    closers.push(
      () => up.server.close(),
      () => f.server.close(),
      () => proxy.close(),
    );
    const body = JSON.stringify({ event: 'air_raid', regions: ['UA-59'], pad: 'я'.repeat(100_000) });
    const answer = await send(f.port, {
      method: 'POST',
      path: '/v1/alerts?x=1',
      headers: { 'content-type': 'application/json', 'idempotency-key': 'k1' },
      body,
    });
    assert.equal(answer.status, 201);
    assert.equal(answer.body, '{"ok":true}');
    assert.equal(answer.headers.etag, '"x"');
    assert.deepEqual(answer.headers['set-cookie'], ['a=1', 'b=2']);
    const seen = up.seen[0] as Seen;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/v1/alerts?x=1');
    assert.equal(seen.body, body);
    assert.equal(seen.headers['idempotency-key'], 'k1');
  });

  it("replaces the client's X-Forwarded-* with its real address and drops hop-by-hop fields", async () => {
    const up = await upstream((_seen, res) => res.end('ok'));
    const proxy = createProxy({ upstream: `http://127.0.0.1:${up.port}`, trustForwarded: false });
    const f = await front(proxy);
    closers.push(
      () => up.server.close(),
      () => f.server.close(),
      () => proxy.close(),
    );
    await send(f.port, {
      from: '127.0.0.9',
      headers: {
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-host': 'evil.example',
        forwarded: 'for=6.6.6.6',
        connection: 'keep-alive, x-secret',
        'x-secret': 'only for the next hop',
      },
    });
    const headers = (up.seen[0] as Seen).headers;
    assert.equal(headers['x-forwarded-for'], '127.0.0.9');
    assert.equal(headers['x-forwarded-host'], undefined);
    assert.equal(headers.forwarded, undefined);
    assert.equal(headers['x-secret'], undefined);
  });

  it('appends to X-Forwarded-For behind a trusted proxy', async () => {
    const up = await upstream((_seen, res) => res.end('ok'));
    const proxy = createProxy({ upstream: `http://127.0.0.1:${up.port}`, trustForwarded: true });
    const f = await front(proxy);
    closers.push(
      () => up.server.close(),
      () => f.server.close(),
      () => proxy.close(),
    );
    await send(f.port, { from: '127.0.0.7', headers: { 'x-forwarded-for': '203.0.113.5' } });
    assert.equal((up.seen[0] as Seen).headers['x-forwarded-for'], '203.0.113.5, 127.0.0.7');
  });

  it('answers 503 UNAVAILABLE when the hub refuses the connection (the request never reached it)', async () => {
    const gone = await upstream((_seen, res) => res.end());
    await new Promise((resolve) => gone.server.close(resolve));
    const proxy = createProxy({ upstream: `http://127.0.0.1:${gone.port}`, trustForwarded: false });
    const f = await front(proxy);
    closers.push(
      () => f.server.close(),
      () => proxy.close(),
    );
    const answer = await send(f.port, { method: 'POST', path: '/v1/alerts', body: '{}' });
    assert.equal(answer.status, 503);
    assert.equal((JSON.parse(answer.body) as { error: { code: string } }).error.code, 'UNAVAILABLE');
  });

  it('resets the client when the hub dies mid-request (the outcome is unknown: never a retryable 503)', async () => {
    const up = await upstream((_seen, res) => res.socket?.destroy());
    const proxy = createProxy({ upstream: `http://127.0.0.1:${up.port}`, trustForwarded: false });
    const f = await front(proxy);
    closers.push(
      () => up.server.close(),
      () => f.server.close(),
      () => proxy.close(),
    );
    await assert.rejects(send(f.port, { method: 'POST', path: '/v1/alerts', body: '{}' }), (error: Error) =>
      /socket hang up|ECONNRESET/.test(error.message),
    );
    assert.equal(up.seen.length, 1, 'the hub did receive the request');
  });
});
