// The webhook worker on a real SQLite store and bus, with an injected resolver: the connection
// goes to the address the guard checked (pinning), a name re-resolving to loopback at delivery
// (DNS rebinding) is refused, slow receivers time out, shutdown aborts and keeps the delivery.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Receiver, startReceiver } from '../../../test/helpers/webhook-receiver.ts';
import { actor, airRaid, type Harness, harness, testTree } from '../../alerts/testing.ts';
import type { DeliveryResult } from '../../store/webhook-store.ts';
import { createTargetGuard, type Resolve } from './webhook-target.ts';
import { startWebhookWorker, type WebhookWorker, type WebhookWorkerDeps } from './webhook-worker.ts';

const author = actor('author-1');
let receiver: Receiver;
before(async () => {
  receiver = await startReceiver({ jwksUrl: 'http://127.0.0.1:9/unused' });
});
after(() => receiver.close());

async function withWorker(
  resolve: Resolve,
  overrides: Partial<WebhookWorkerDeps>,
  body: (h: Harness, worker: WebhookWorker, port: string) => Promise<void>,
): Promise<void> {
  const h = await harness();
  const worker = await startWebhookWorker({
    store: h.store,
    bus: h.bus,
    tree: testTree(),
    guard: createTargetGuard({ allowPrivateTargets: false, allowCidrs: ['127.0.0.1/32'] }, resolve),
    retry: { baseMs: 5, maxDelayMs: 10, maxAgeMs: 60_000 },
    concurrency: 4,
    timeoutMs: 2_000,
    responseLimitBytes: 1024,
    ...overrides,
  });
  try {
    await body(h, worker, new URL(receiver.url).port);
  } finally {
    await worker.stop(0);
    await h.cleanup();
  }
}

const firstRecorded = (worker: WebhookWorker): Promise<DeliveryResult> =>
  new Promise((resolve) => {
    const off = worker.onRecorded((results) => {
      off();
      resolve(results[0] as DeliveryResult);
    });
  });

const webhook = (id: string, url: string) => ({
  id,
  url,
  regions: ['UA'],
  eventTypes: [],
  secret: 'secret-0123456789abcdef',
  ownerId: 'admin',
  afterSeq: 0,
  createdMs: 0,
  updatedMs: 0,
});

test('the connection goes to the address the guard resolved, not to a second lookup', async () => {
  // receiver.test exists in no DNS: only the injected resolver knows it.
  await withWorker(
    async () => [{ address: '127.0.0.1', family: 4 }],
    {},
    async (h, _worker, port) => {
      await h.store.webhooks.createWebhook(webhook('pinned', `http://receiver.test:${port}/pinned`));
      await h.service.issue(author, airRaid(['UA-59-01']));
      const receipt = await receiver.waitFor((r) => r.path === '/pinned');
      assert.equal(receipt.headers.host, `receiver.test:${port}`);
      assert.equal(receipt.event.type, 'alert.issued');
    },
  );
});

test('DNS rebinding: a name that resolved to a public address at registration and to loopback at delivery is refused', async () => {
  let answers = 0;
  const rebinding: Resolve = async () => [
    { address: answers++ === 0 ? '93.184.216.34' : '127.0.0.2', family: 4 },
  ];
  await withWorker(rebinding, {}, async (h, worker, port) => {
    const guard = createTargetGuard({ allowPrivateTargets: false, allowCidrs: ['127.0.0.1/32'] }, rebinding);
    const url = `http://rebind.test:${port}/rebind`;
    assert.equal((await guard.check(url)).address, '93.184.216.34', 'accepted at registration');
    const attempt = firstRecorded(worker);
    await h.store.webhooks.createWebhook(webhook('rebind', url));
    await h.service.issue(author, airRaid(['UA-59']));
    const result = await attempt;
    assert.equal(result.outcome, 'retry');
    assert.match(result.error ?? '', /refused: rebind\.test resolves to 127\.0\.0\.2, which is loopback/);
    assert.equal(receiver.receipts.filter((r) => r.path === '/rebind').length, 0);
  });
});

test('a receiver that never answers times out; at shutdown an attempt in flight is aborted and stays queued', async () => {
  receiver.respond = (path) => (path.startsWith('/hang') ? 'hang' : { status: 204 });
  try {
    const loopback: Resolve = async () => [{ address: '127.0.0.1', family: 4 }];
    await withWorker(loopback, { timeoutMs: 150 }, async (h, worker, port) => {
      const attempt = firstRecorded(worker);
      await h.store.webhooks.createWebhook(webhook('slow', `http://127.0.0.1:${port}/hang-timeout`));
      await h.service.issue(author, airRaid(['UA-63']));
      const result = await attempt;
      assert.equal(result.outcome, 'retry');
      assert.match(result.error ?? '', /no complete response within 150 ms/);
    });

    const h = await harness();
    const worker = await startWebhookWorker({
      store: h.store,
      bus: h.bus,
      tree: testTree(),
      guard: createTargetGuard({ allowPrivateTargets: true, allowCidrs: [] }),
      retry: { baseMs: 5, maxDelayMs: 10, maxAgeMs: 60_000 },
      concurrency: 4,
      timeoutMs: 60_000,
      responseLimitBytes: 1024,
    });
    try {
      const port = new URL(receiver.url).port;
      await h.store.webhooks.createWebhook(webhook('held', `http://127.0.0.1:${port}/hang-shutdown`));
      const arrived = new Promise<void>((resolve) => {
        const previous = receiver.respond;
        receiver.respond = (path, nth) => {
          if (path === '/hang-shutdown') resolve();
          return previous(path, nth);
        };
      });
      await h.service.issue(author, airRaid(['UA-59']));
      await arrived;
      await worker.stop(20);
      const [delivery] = await h.store.webhooks.listDeliveries('held', { limit: 1 });
      assert.equal(delivery?.state, 'pending', 'still queued for the next start');
      assert.equal(delivery?.attempts, 0, 'an aborted attempt is not counted');
    } finally {
      await h.cleanup();
    }
  } finally {
    receiver.respond = () => ({ status: 204 });
  }
});
