// The audit chain under concurrency, on both engines: appends from several connections (and,
// on PostgreSQL, several nodes' pools at once) and lifecycle commits carrying an audit record
// interleave into one unbroken chain; a failed commit leaves no record behind.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createTestDatabase } from '../../test/helpers/postgres.ts';
import { createChainVerifier } from '../audit/chain.ts';
import type { AuditEntry } from './audit-store.ts';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import type { AlertCommit, Store } from './store.ts';

const T0 = Date.parse('2026-03-01T10:42:00+02:00');

const entry = (i: number): AuditEntry => ({
  timeMs: T0 + i,
  actor: { id: `op-${i % 3}`, name: 'op', kind: 'operator' },
  action: 'session.login',
  details: { i },
});

/** A lifecycle change with an audit record; `clash` makes it fail (an alert that is not there). */
function change(id: string, clash = false): AlertCommit {
  return {
    ...(clash ? { expect: [{ alertId: 'missing', state: 'issued' as const }] } : {}),
    event: () => ({ id: `ev-${id}`, type: 'alert.test', timeMs: T0, regions: ['UA-59'], json: '{}' }),
    audit: {
      timeMs: T0,
      actor: { id: 'op-1', name: 'op', kind: 'operator' },
      action: 'alert.issued',
      target: { type: 'alert', id },
    },
  };
}

async function verify(store: Store) {
  const verifier = createChainVerifier();
  verifier.add(await store.audit.readRows(0, 100_000));
  return verifier.finish(await store.audit.head());
}

async function exercise(stores: Store[]): Promise<void> {
  const [first] = stores;
  assert.ok(first);
  const work: Promise<unknown>[] = [];
  for (let i = 0; i < 60; i++) {
    const store = stores[i % stores.length] as Store;
    work.push(store.audit.append(entry(i)));
    work.push(store.commitAlertChange(change(`a-${i}`)));
    if (i % 10 === 0) work.push(store.commitAlertChange(change(`bad-${i}`, true)).catch(() => 'refused'));
  }
  await Promise.all(work);
  const verdict = await verify(first);
  assert.equal(verdict.ok, true, JSON.stringify(verdict));
  assert.equal(verdict.checked, 120, 'one record per append and per committed change, none for refused ones');
  const issued = await first.audit.list({ action: 'alert.issued', limit: 1000 });
  assert.equal(issued.length, 60);
  const events = new Map((await first.readEvents(0, 1000)).map((e) => [e.id, e.seq]));
  for (const record of issued) assert.equal(record.eventSeq, events.get(`ev-${record.target?.id}`));
  assert.equal((await first.audit.list({ action: 'alert.issued', targetId: 'bad-0', limit: 5 })).length, 0);
}

describe('audit chain under concurrency', () => {
  test('SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tocsin-audit-'));
    const store = await openSqliteStore({ dataDir: dir });
    try {
      await exercise([store]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('PostgreSQL, two nodes on one database', async () => {
    const db = await createTestDatabase();
    const a = await openPostgresStore({ url: db.url });
    const b = await openPostgresStore({ url: db.url });
    try {
      await exercise([a, b]);
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});
