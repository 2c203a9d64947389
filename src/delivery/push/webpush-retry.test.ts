// Web Push retries against push services of the test's own on loopback: a 503 or a 429 is sent
// again (a 429's Retry-After followed), a 400 is not, and a service that keeps failing gets one
// attempt per configured delay and no more. Retries are rows in the store: one left by a stopped
// channel is sent by the next one started on the same store; one whose subscription is gone is
// dropped unsent.
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { test } from 'node:test';
import type { Harness } from '../../alerts/testing.ts';
import { actor, airRaid, harness, testTree } from '../../alerts/testing.ts';
import { loadVapidKeys, startWebPushChannel, type WebPushChannelDeps } from './webpush.ts';

/** A push service answering the i-th request with `answers[i]` (the last one after that). */
async function pushService(answers: { status: number; headers?: Record<string, string> }[]) {
  const times: number[] = [];
  let waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      times.push(Date.now());
      for (const w of waiters) if (times.length >= w.count) w.resolve();
      waiters = waiters.filter((w) => times.length < w.count);
      const answer = answers[Math.min(times.length - 1, answers.length - 1)] as (typeof answers)[number];
      res.writeHead(answer.status, answer.headers ?? {}).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    endpoint: `http://127.0.0.1:${(server.address() as { port: number }).port}/push/${randomBytes(4).toString('hex')}`,
    times,
    /** Resolves once `count` requests have arrived. */
    requests: (count: number) =>
      times.length >= count
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function keysOfABrowser() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') };
}

test('a 503 and a 429 are sent again (Retry-After followed), a 400 is not, a dead service gets one try per delay', async (t) => {
  const h = await harness();
  t.after(() => h.cleanup());
  const flaky = await pushService([{ status: 503 }, { status: 201 }]);
  const busy = await pushService([{ status: 429, headers: { 'retry-after': '1' } }, { status: 201 }]);
  const refusing = await pushService([{ status: 400 }]);
  const dead = await pushService([{ status: 502 }]);
  t.after(() => Promise.all([flaky, busy, refusing, dead].map((s) => s.close())));
  for (const service of [flaky, busy, refusing, dead]) await subscribe(h, service.endpoint);

  const gaveUp: number[] = [];
  const channel = await startWebPushChannel(
    await channelDeps(h, {
      retryDelaysMs: [20, 20],
      log: {
        info() {},
        warn(obj: { attempt?: number; retryInMs?: number | null }) {
          if (obj.retryInMs === null && obj.attempt !== undefined) gaveUp.push(obj.attempt);
        },
      },
    }),
  );
  t.after(() => channel.stop());

  await h.service.issue(actor('author-1'), airRaid(['UA-59']));
  await channel.caughtUp();
  await channel.retriesSettled();

  assert.equal(flaky.times.length, 2, 'the 503 was sent again, once');
  assert.equal(busy.times.length, 2);
  assert.ok(
    (busy.times[1] as number) - (busy.times[0] as number) >= 900,
    'Retry-After: 1 waited a second, not 20 ms',
  );
  assert.equal(refusing.times.length, 1, 'a 400 is not retried');
  assert.equal(dead.times.length, 3, 'first try and one per delay');
  assert.deepEqual(gaveUp.sort(), [1, 3], 'the 400 gave up at once, the 502 after three attempts');
  const stats = channel.stats();
  assert.equal(stats.sent, 2);
  assert.equal(stats.retried, 4);
  assert.equal(stats.failed, 6);
  assert.equal(await h.store.push.countPushRetries(), 0, 'no retry row left');
});

async function subscribe(h: Harness, endpoint: string) {
  await h.store.push.upsertPushSubscription({
    endpoint,
    ...keysOfABrowser(),
    regions: ['UA-59'],
    createdMs: h.clock.now(),
    updatedMs: h.clock.now(),
  });
}

async function channelDeps(h: Harness, extra: Partial<WebPushChannelDeps> = {}): Promise<WebPushChannelDeps> {
  return {
    store: h.store.push,
    keys: await loadVapidKeys(h.store.push, h.clock.now()),
    subject: 'mailto:ops@example.org',
    tree: testTree(),
    cursors: h.store.cursors,
    events: h.store,
    bus: h.bus,
    allowInsecureEndpoints: true,
    timeoutMs: 5_000,
    now: () => h.clock.now(),
    ...extra,
  };
}

test('a retry stored by a stopped channel is sent by the next one started on the store', async (t) => {
  const h = await harness();
  t.after(() => h.cleanup());
  const flaky = await pushService([{ status: 503 }, { status: 201 }]);
  t.after(() => flaky.close());
  await subscribe(h, flaky.endpoint);

  // The retry is due in 10 s of the (frozen) test clock: the first channel is stopped long before.
  const first = await startWebPushChannel(await channelDeps(h, { retryDelaysMs: [10_000] }));
  await h.service.issue(actor('author-1'), airRaid(['UA-59']));
  await first.caughtUp();
  await first.stop();
  assert.equal(flaky.times.length, 1, 'the first attempt only');
  assert.equal(first.stats().retried, 1);
  const [row] = await h.store.push.duePushRetries(Number.MAX_SAFE_INTEGER, 10);
  assert.equal(row?.endpoint, flaky.endpoint);
  assert.equal(row?.attempt, 1);
  assert.equal(row?.dueMs, h.clock.now() + 10_000);

  h.clock.advance(10_000);
  const second = await startWebPushChannel(await channelDeps(h, { retryDelaysMs: [10_000] }));
  t.after(() => second.stop());
  await flaky.requests(2);
  await second.retriesSettled();
  assert.equal(flaky.times.length, 2, 'the retry, once; the event itself was not sent again');
  assert.deepEqual(second.stats(), { sent: 1, failed: 0, removed: 0, retried: 0 });
  assert.equal(await h.store.push.countPushRetries(), 0, 'the row went with the delivered attempt');
});

test('a retry whose subscription is gone is never sent', async (t) => {
  const h = await harness();
  t.after(() => h.cleanup());
  const flaky = await pushService([{ status: 503 }, { status: 201 }]);
  const other = await pushService([{ status: 201 }]);
  t.after(() => Promise.all([flaky.close(), other.close()]));
  await subscribe(h, flaky.endpoint);

  const first = await startWebPushChannel(await channelDeps(h, { retryDelaysMs: [10_000] }));
  await h.service.issue(actor('author-1'), airRaid(['UA-59']));
  await first.caughtUp();
  await first.stop();
  assert.equal(await h.store.push.countPushRetries(), 1);
  // The browser unsubscribes while the retry waits: its row goes with the subscription.
  assert.equal(await h.store.push.removePushSubscription(flaky.endpoint), true);
  assert.equal(await h.store.push.countPushRetries(), 0);
  // A row stored after its subscription went (a send racing the unsubscription) is dropped unsent.
  await h.store.push.addPushRetry({
    endpoint: other.endpoint,
    payload: '{}',
    urgency: 'high',
    attempt: 1,
    dueMs: h.clock.now() + 10_000,
    expiresMs: h.clock.now() + 60_000,
    createdMs: h.clock.now(),
  });

  h.clock.advance(10_000);
  const second = await startWebPushChannel(await channelDeps(h, { retryDelaysMs: [10_000] }));
  t.after(() => second.stop());
  await second.retriesSettled();
  assert.equal(await h.store.push.countPushRetries(), 0, 'the orphan row was dropped');
  assert.equal(flaky.times.length, 1);
  assert.equal(other.times.length, 0);
  assert.deepEqual(second.stats(), { sent: 0, failed: 0, removed: 0, retried: 0 });
});
