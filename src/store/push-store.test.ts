// The Web Push store on both engines: VAPID keys are generated once (first writer wins, kept across
// reopen), subscriptions are upserted by endpoint, listed, counted and removed; pending retries
// are handed out due first, rescheduled, removed, kept across a reopen and dropped with their
// subscription.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTestDatabase } from '../../test/helpers/postgres.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

interface Opened {
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

const engines: Record<string, () => Promise<Opened>> = {
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-push-'));
    return {
      open: () => openSqliteStore({ dataDir: dir }),
      cleanup: async () => rmSync(dir, { recursive: true }),
    };
  },
  postgres: async () => {
    const db = await createTestDatabase();
    return { open: () => openPostgresStore({ url: db.url }), cleanup: () => db.drop() };
  },
};

const sub = (endpoint: string, regions: string[], ms: number) => ({
  endpoint,
  p256dh: 'BPp256dh',
  auth: 'auth-secret',
  regions,
  createdMs: ms,
  updatedMs: ms,
});

const retry = (endpoint: string, dueMs: number, attempt = 1) => ({
  endpoint,
  payload: `{"for":"${endpoint}","due":${dueMs}}`,
  urgency: 'high' as const,
  attempt,
  dueMs,
  expiresMs: dueMs + 60_000,
  createdMs: 1,
});

for (const [engine, make] of Object.entries(engines)) {
  describe(`push store (${engine})`, () => {
    it('keeps the first VAPID key pair, also after a reopen', async () => {
      const opened = await make();
      try {
        let store = await opened.open();
        const first = await store.push.ensureVapidKeys({ publicKey: 'pub-1', privateKey: 'priv-1' }, 1);
        assert.deepEqual(first, { publicKey: 'pub-1', privateKey: 'priv-1' });
        const second = await store.push.ensureVapidKeys({ publicKey: 'pub-2', privateKey: 'priv-2' }, 2);
        assert.deepEqual(second, first);
        await store.close();
        store = await opened.open();
        assert.deepEqual(
          await store.push.ensureVapidKeys({ publicKey: 'pub-3', privateKey: 'priv-3' }, 3),
          first,
        );
        await store.close();
      } finally {
        await opened.cleanup();
      }
    });

    it('upserts by endpoint, keeps createdMs, lists oldest first, removes', async () => {
      const opened = await make();
      const store = await opened.open();
      try {
        assert.equal(
          await store.push.upsertPushSubscription(sub('https://push.example/b', ['UA-59'], 10)),
          'created',
        );
        assert.equal(
          await store.push.upsertPushSubscription(sub('https://push.example/a', ['UA-63'], 20)),
          'created',
        );
        assert.equal(
          await store.push.upsertPushSubscription({
            ...sub('https://push.example/b', ['UA-32', 'UA-59'], 30),
            auth: 'new',
          }),
          'updated',
        );
        const b = await store.push.getPushSubscription('https://push.example/b');
        assert.deepEqual(b, {
          ...sub('https://push.example/b', ['UA-32', 'UA-59'], 10),
          auth: 'new',
          updatedMs: 30,
        });
        assert.deepEqual(
          (await store.push.listPushSubscriptions()).map((s) => s.endpoint),
          ['https://push.example/b', 'https://push.example/a'],
        );
        assert.equal(await store.push.countPushSubscriptions(), 2);
        assert.equal(await store.push.removePushSubscription('https://push.example/b'), true);
        assert.equal(await store.push.removePushSubscription('https://push.example/b'), false);
        assert.equal(await store.push.getPushSubscription('https://push.example/b'), undefined);
        assert.equal(await store.push.countPushSubscriptions(), 1);
      } finally {
        await store.close();
        await opened.cleanup();
      }
    });

    it('hands out due retries earliest first, not those not yet due; reschedules and removes', async () => {
      const opened = await make();
      const store = await opened.open();
      try {
        const p = store.push;
        assert.equal(await p.nextPushRetryDueMs(), undefined);
        assert.equal(await p.countPushRetries(), 0);
        const late = await p.addPushRetry(retry('https://push.example/a', 300));
        const early = await p.addPushRetry(retry('https://push.example/b', 100, 2));
        const middle = await p.addPushRetry(retry('https://push.example/a', 200));
        assert.equal(new Set([late, early, middle]).size, 3, 'distinct ids');
        assert.equal(await p.countPushRetries(), 3);
        assert.equal(await p.nextPushRetryDueMs(), 100);
        assert.deepEqual(await p.duePushRetries(250, 10), [
          { id: early, ...retry('https://push.example/b', 100, 2) },
          { id: middle, ...retry('https://push.example/a', 200) },
        ]);
        assert.deepEqual(
          (await p.duePushRetries(1_000, 2)).map((r) => r.id),
          [early, middle],
          'bounded by the limit',
        );
        assert.deepEqual(await p.duePushRetries(99, 10), [], 'nothing due yet');
        assert.equal(await p.reschedulePushRetry(early, 3, 400), true);
        assert.equal(await p.nextPushRetryDueMs(), 200);
        assert.deepEqual(
          (await p.duePushRetries(1_000, 10)).map((r) => [r.id, r.attempt, r.dueMs]),
          [
            [middle, 1, 200],
            [late, 1, 300],
            [early, 3, 400],
          ],
        );
        assert.equal(await p.removePushRetry(middle), true);
        assert.equal(await p.removePushRetry(middle), false);
        assert.equal(await p.reschedulePushRetry(middle, 2, 500), false);
        assert.equal(await p.countPushRetries(), 2);
        assert.equal(await p.nextPushRetryDueMs(), 300);
      } finally {
        await store.close();
        await opened.cleanup();
      }
    });

    it('drops the retries of a removed subscription, and only those', async () => {
      const opened = await make();
      const store = await opened.open();
      try {
        const p = store.push;
        await p.upsertPushSubscription(sub('https://push.example/a', ['UA-59'], 10));
        await p.upsertPushSubscription(sub('https://push.example/b', ['UA-59'], 10));
        await p.addPushRetry(retry('https://push.example/a', 100));
        await p.addPushRetry(retry('https://push.example/a', 200));
        const kept = await p.addPushRetry(retry('https://push.example/b', 300));
        assert.equal(await p.removePushSubscription('https://push.example/a'), true);
        assert.deepEqual(
          (await p.duePushRetries(1_000, 10)).map((r) => r.id),
          [kept],
        );
        assert.equal(await p.countPushRetries(), 1);
      } finally {
        await store.close();
        await opened.cleanup();
      }
    });

    it('keeps pending retries across a reopen', async () => {
      const opened = await make();
      try {
        let store = await opened.open();
        const id = await store.push.addPushRetry(retry('https://push.example/a', 100));
        await store.close();
        store = await opened.open();
        assert.deepEqual(await store.push.duePushRetries(100, 10), [
          { id, ...retry('https://push.example/a', 100) },
        ]);
        await store.close();
      } finally {
        await opened.cleanup();
      }
    });
  });
}
