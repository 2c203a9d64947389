// The ingest store on both engines: a source's validators saved and read back (kept across
// reopen), a message recorded once per source (a second record is ignored), provenance by alert.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTestDatabase } from '../../test/helpers/postgres.ts';
import type { IngestRecord } from './ingest-store.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './store.ts';

const engines: Record<string, () => Promise<{ open(): Promise<Store>; cleanup(): Promise<void> }>> = {
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-ingest-'));
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

const record = (identifier: string, outcome: IngestRecord['outcome'], seenMs: number): IngestRecord => ({
  source: 'dsns',
  sender: 'dsns@example.gov.ua',
  identifier,
  sent: '2026-11-26T12:00:00+02:00',
  outcome,
  alertId: outcome === 'issued' ? identifier : null,
  code: outcome === 'refused' ? 'AUTH_JURISDICTION' : null,
  message: outcome === 'refused' ? 'UA-46 is outside the jurisdiction' : null,
  seenMs,
});

for (const [engine, make] of Object.entries(engines)) {
  describe(`ingest store (${engine})`, () => {
    it('keeps validators across reopen, records each message once, finds the source of an alert', async () => {
      const opened = await make();
      try {
        let store = await opened.open();
        assert.equal(await store.ingest.getSource('dsns'), undefined);
        const state = {
          name: 'dsns',
          url: 'http://127.0.0.1:1/feed',
          etag: '"v1"',
          lastModified: 'Thu, 01 Jan 2026 00:00:01 GMT',
          lastPollMs: 1_700_000_000_000,
          lastStatus: 200,
          lastError: null,
        };
        await store.ingest.saveSource(state);
        await store.ingest.saveSource({ ...state, lastStatus: 304 });
        await store.ingest.record(record('a', 'issued', 1));
        await store.ingest.record(record('b', 'refused', 2));
        await store.ingest.record(record('a', 'invalid', 3)); // ignored: judged before
        await store.close();

        store = await opened.open();
        assert.deepEqual(await store.ingest.getSource('dsns'), { ...state, lastStatus: 304 });
        assert.equal(
          (await store.ingest.seen('dsns', 'dsns@example.gov.ua', 'a', '2026-11-26T12:00:00+02:00'))?.outcome,
          'issued',
        );
        assert.equal(
          await store.ingest.seen('other', 'dsns@example.gov.ua', 'a', '2026-11-26T12:00:00+02:00'),
          undefined,
        );
        assert.equal(
          await store.ingest.seen('dsns', 'dsns@example.gov.ua', 'a', '2026-11-26T12:00:01+02:00'),
          undefined,
        );
        assert.deepEqual(await store.ingest.sourceOfAlert('a'), record('a', 'issued', 1));
        assert.deepEqual(
          (await store.ingest.list('dsns', 10)).map((r) => r.identifier),
          ['b', 'a'],
        );
        assert.equal((await store.ingest.list('dsns', 10))[0]?.code, 'AUTH_JURISDICTION');
        await store.close();
      } finally {
        await opened.cleanup();
      }
    });
  });
}
