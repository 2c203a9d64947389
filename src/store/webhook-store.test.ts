// The webhook queue contract, run against both engines (temp-dir SQLite, a fresh PostgreSQL
// database): head-of-line per webhook, leases, outcomes, the log, redeliver, cursors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createTestDatabase } from '../../test/helpers/postgres.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';
import type { WebhookRecord } from './webhook-store.ts';

const engines: [string, () => Promise<{ store: Store; cleanup: () => Promise<void> }>][] = [
  [
    'sqlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tocsin-webhook-store-'));
      const store = await openSqliteStore({ dataDir: dir });
      return {
        store,
        cleanup: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'postgres',
    async () => {
      const db = await createTestDatabase();
      const store = await openPostgresStore({ url: db.url });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await db.drop();
        },
      };
    },
  ],
];

const hook = (id: string, extra: Partial<WebhookRecord> = {}): WebhookRecord => ({
  id,
  url: `https://example.org/${id}`,
  regions: ['UA-59'],
  eventTypes: [],
  secret: 'secret-0123456789abcdef',
  ownerId: 'admin',
  afterSeq: 0,
  createdMs: 1_000,
  updatedMs: 1_000,
  ...extra,
});

for (const [engine, open] of engines) {
  describe(`webhook store (${engine})`, () => {
    test('one head per webhook, leased while attempted; outcomes move the head; the log pages newest first', async () => {
      const { store, cleanup } = await open();
      const w = store.webhooks;
      try {
        await w.createWebhook(hook('a'));
        await w.createWebhook(hook('b', { createdMs: 2_000 }));
        assert.equal(await w.countWebhooks(), 2);
        const rows = [1, 2, 3].flatMap((seq) =>
          ['a', 'b'].map((webhookId) => ({ webhookId, eventSeq: seq, eventId: `e${seq}`, createdMs: 10 })),
        );
        assert.equal(await w.enqueueDeliveries(rows), 6);
        assert.equal(await w.enqueueDeliveries(rows.slice(0, 2)), 0, 'a (webhook, event) is queued once');

        const first = await w.claimDue(100, 10, 5_000);
        assert.deepEqual(first.map((d) => [d.webhookId, d.eventSeq]).sort(), [
          ['a', 1],
          ['b', 1],
        ]);
        assert.equal(first[0]?.json, null, 'no such event in the log');
        assert.equal(first[0]?.url.startsWith('https://example.org/'), true);
        assert.deepEqual(
          await w.claimDue(100, 10, 5_000),
          [],
          'leased heads are not claimed twice; later ones wait',
        );
        assert.equal(await w.nextDueMs(), 5_000);

        const a1 = first.find((d) => d.webhookId === 'a') as (typeof first)[number];
        const b1 = first.find((d) => d.webhookId === 'b') as (typeof first)[number];
        await w.recordResults([
          { id: a1.id, outcome: 'delivered', attemptMs: 200, status: 204, error: null, durationMs: 12 },
          {
            id: b1.id,
            outcome: 'retry',
            attemptMs: 200,
            status: 500,
            error: 'HTTP 500',
            durationMs: 3,
            nextAttemptMs: 900,
          },
        ]);
        const second = await w.claimDue(300, 10, 5_000);
        assert.deepEqual(
          second.map((d) => [d.webhookId, d.eventSeq]),
          [['a', 2]],
          'b waits for its retry; a moves on',
        );
        assert.equal(await w.nextDueMs(), 900);
        const retried = await w.claimDue(900, 10, 5_000);
        assert.deepEqual(
          retried.map((d) => [d.webhookId, d.eventSeq, d.attempts]),
          [['b', 1, 1]],
        );
        await w.recordResults([
          {
            id: retried[0]?.id as number,
            outcome: 'dead',
            attemptMs: 950,
            status: null,
            error: 'timeout',
            durationMs: null,
          },
          {
            id: second[0]?.id as number,
            outcome: 'released',
            attemptMs: 950,
            status: null,
            error: null,
            durationMs: null,
          },
        ]);
        const afterDead = await w.claimDue(1_000, 10, 5_000);
        assert.deepEqual(
          afterDead.map((d) => [d.webhookId, d.eventSeq]).sort(),
          [
            ['a', 2],
            ['b', 2],
          ],
          'a dead head lets the next go',
        );
        assert.equal(
          afterDead.find((d) => d.webhookId === 'a')?.attempts,
          0,
          'a released lease counts no attempt',
        );

        const dead = await w.listDeliveries('b', { state: 'dead', limit: 10 });
        assert.equal(dead.length, 1);
        assert.equal(dead[0]?.attempts, 2);
        assert.equal(dead[0]?.lastError, 'timeout');
        const page1 = await w.listDeliveries('a', { limit: 2 });
        assert.deepEqual(
          page1.map((d) => d.eventSeq),
          [3, 2],
        );
        const page2 = await w.listDeliveries('a', { limit: 2, beforeId: page1[1]?.id as number });
        assert.deepEqual(
          page2.map((d) => d.eventSeq),
          [1],
        );
        assert.equal(page2[0]?.state, 'delivered');
        assert.equal(page2[0]?.deliveredMs, 200);
        assert.equal(page2[0]?.durationMs, 12);

        assert.equal(await w.pruneDelivered(200), 0, 'delivered at 200 is kept by a cut at 200');
        assert.equal(await w.pruneDelivered(201), 1, 'only delivered rows older than the cut go');
        assert.equal(
          (await w.listDeliveries('b', { state: 'dead', limit: 10 })).length,
          1,
          'dead letters stay',
        );
        assert.equal(await w.redeliver('b', 2_000, [999]), 0, 'only dead deliveries of this webhook');
        assert.equal(await w.redeliver('b', 2_000), 1);
        assert.equal((await w.getDelivery(dead[0]?.id as number))?.state, 'pending');
        assert.equal(
          (await w.getDelivery(dead[0]?.id as number))?.createdMs,
          2_000,
          'the age counts from the redeliver',
        );

        const updated = await w.updateWebhook(
          'a',
          { regions: ['UA-63'], secret: 'another-secret-0123' },
          3_000,
        );
        assert.deepEqual(updated?.regions, ['UA-63']);
        assert.equal((await w.getWebhook('a'))?.secret, 'another-secret-0123');
        assert.equal(await w.updateWebhook('zzz', { url: 'https://x.org' }, 3_000), undefined);
        assert.equal(await w.deleteWebhook('a'), true);
        assert.equal(await w.deleteWebhook('a'), false);
        assert.deepEqual(await w.listDeliveries('a', { limit: 10 }), [], 'deliveries go with the webhook');
        assert.deepEqual(
          (await w.listWebhooks()).map((x) => x.id),
          ['b'],
        );

        assert.equal(await store.cursors.getCursor('webhooks'), undefined);
        await store.cursors.setCursor('webhooks', 7, 1);
        await store.cursors.setCursor('webhooks', 5, 2);
        assert.equal(await store.cursors.getCursor('webhooks'), 7, 'never backwards');
      } finally {
        await cleanup();
      }
    });
  });
}
