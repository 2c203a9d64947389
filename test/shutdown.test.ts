// Graceful shutdown: a request in flight when close() starts still completes; readiness turns
// 503 at once; new connections are refused once the listener closed; then the store is closed.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { test } from 'node:test';
import type { FastifyPluginAsync } from 'fastify';
import { startTestHub } from './helpers/hub.ts';

/** A route that answers only when the test lets it, and says when a request has arrived. */
function gate() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const entered = new Promise<void>((resolve) => (arrived = resolve));
  const plugin: FastifyPluginAsync = async (app) => {
    app.get('/test/slow', async () => {
      arrived();
      await released;
      return { done: true };
    });
  };
  return { plugin, entered, release };
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('close() lets in-flight requests finish, then closes the store; new requests are not served', async () => {
  const slow = gate();
  const hub = await startTestHub({ plugins: [slow.plugin] });
  try {
    const inFlight = get(`${hub.url}/test/slow`);
    await slow.entered;
    const closing = hub.close();
    let closed = false;
    void closing.then(() => (closed = true));

    // New requests are not served while the slow one is still running: the connection is
    // refused or reset (listener closing), or answered 503 (Fastify while closing).
    const late = await get(`${hub.url}/healthz`).then(
      (reply) => String(reply.status),
      (error: NodeJS.ErrnoException) => error.code ?? 'error',
    );
    assert.ok(
      ['ECONNREFUSED', 'ECONNRESET', '503'].includes(late),
      `a new request during shutdown got ${late}`,
    );
    assert.equal(closed, false, 'close() must wait for the request in flight');
    await hub.store.ping(); // the store stays open until HTTP is done

    slow.release();
    const reply = await inFlight;
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), { done: true });
    assert.deepEqual(await closing, { timedOut: false });
    await assert.rejects(hub.store.ping());
  } finally {
    slow.release();
    await hub.stop();
  }
});

test('a shutdown that cannot finish within its deadline reports timedOut', async () => {
  const slow = gate();
  const hub = await startTestHub({
    plugins: [slow.plugin],
    configure: (config) => {
      config.server.shutdownTimeoutMs = 200;
    },
  });
  try {
    const inFlight = get(`${hub.url}/test/slow`).catch(() => undefined);
    await slow.entered;
    assert.deepEqual(await hub.close(), { timedOut: true });
    slow.release();
    await inFlight;
  } finally {
    slow.release();
    await hub.stop();
  }
});
