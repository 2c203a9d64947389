// Alert commits on SQLite are acknowledged only after the WAL's fsync (wal-sync.ts): a held
// fsync holds the 201, the event stays out of readEvents/latestSeq meanwhile, changes arriving
// during it wait for the next batch, and a failed fsync refuses everything from then on.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import type { EventRecord, Store } from '../store.ts';
import { issuedAlertChange } from '../testing.ts';
import { openSqliteStore } from './sqlite-store.ts';
import { createWalSync, type WalSync } from './wal-sync.ts';

/** A WalSync whose fsyncs the test completes or fails by hand. */
function heldWalSync() {
  const calls: { release: () => void; fail: (error: Error) => void }[] = [];
  let running = false;
  let called: (() => void) | undefined;
  const sync: WalSync = {
    sync() {
      running = true;
      return new Promise<void>((resolve, reject) => {
        calls.push({
          release: () => {
            running = false;
            resolve();
          },
          fail: (error) => {
            running = false;
            reject(error);
          },
        });
        called?.();
      });
    },
    busy: () => running,
    async idle() {},
    close() {},
  };
  return {
    sync,
    calls,
    /** Resolves once sync() has been called `n` times in all. */
    async syncCalls(n: number): Promise<void> {
      while (calls.length < n) await new Promise<void>((resolve) => (called = resolve));
    },
  };
}

async function withStore(
  held: ReturnType<typeof heldWalSync>,
  work: (store: Store, dbFile: string) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-walsync-'));
  const store = await openSqliteStore({ dataDir: dir, walSync: () => held.sync });
  try {
    await work(store, join(dir, 'tocsin.db'));
  } finally {
    for (const call of held.calls) call.release();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Settles `promise` into a visible state without waiting for it. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

test('sqlite: an alert commit is acknowledged only after the WAL fsync, and is not read back before it', async () => {
  const held = heldWalSync();
  await withStore(held, async (store, dbFile) => {
    const first = track(store.commitAlertChange(issuedAlertChange('a-1')));
    await held.syncCalls(1);
    // Committed (another connection sees it) but not acknowledged and not handed out.
    const other = new Database(dbFile, { readonly: true });
    try {
      assert.equal(other.prepare('SELECT count(*) FROM events').pluck().get(), 1);
    } finally {
      other.close();
    }
    assert.equal(first.settled, false);
    assert.equal(await store.latestSeq(), 0);
    assert.deepEqual(await store.readEvents(0, 10), []);

    held.calls[0]?.release();
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(first.settled, true);
    assert.equal((first.value as EventRecord).seq, 1);
    assert.equal(await store.latestSeq(), 1);
    assert.deepEqual(
      (await store.readEvents(0, 10)).map((e) => e.seq),
      [1],
    );
  });
});

test('sqlite: changes arriving during an fsync wait and share the next one', async () => {
  const held = heldWalSync();
  await withStore(held, async (store) => {
    const a = store.commitAlertChange(issuedAlertChange('a-1'));
    await held.syncCalls(1);
    const b = track(store.commitAlertChange(issuedAlertChange('b-1')));
    const c = track(store.commitAlertChange(issuedAlertChange('c-1')));
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.equal(held.calls.length, 1, 'no second commit while the first fsync runs');

    held.calls[0]?.release();
    assert.equal((await a).seq, 1);
    await held.syncCalls(2);
    assert.equal(held.calls.length, 2, 'b and c in one batch, one fsync');
    assert.equal(b.settled || c.settled, false);
    assert.equal(await store.latestSeq(), 1);

    held.calls[1]?.release();
    await new Promise<void>((resolve) => setImmediate(resolve));
    assert.deepEqual([(b.value as EventRecord).seq, (c.value as EventRecord).seq], [2, 3]);
    assert.equal(await store.latestSeq(), 3);
  });
});

test('sqlite: a failed fsync refuses its changes and every later one, and the store reports not ready', async () => {
  const held = heldWalSync();
  await withStore(held, async (store) => {
    const a = store.commitAlertChange(issuedAlertChange('a-1'));
    await held.syncCalls(1);
    const queued = store.commitAlertChange(issuedAlertChange('b-1'));
    held.calls[0]?.fail(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    await assert.rejects(a, /could not flush its log to disk: EIO/);
    await assert.rejects(queued, /could not flush its log to disk/);
    await assert.rejects(
      store.commitAlertChange(issuedAlertChange('c-1')),
      /could not flush its log to disk/,
    );
    await assert.rejects(store.ping(), /could not flush its log to disk/);
    assert.equal(held.calls.length, 1, 'nothing committed after the failure');
  });
});

test('createWalSync: fsyncs the file, follows it when it is replaced, and refuses when it is gone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-walsync-'));
  const path = join(dir, 'x.db-wal');
  const wal = createWalSync(path);
  try {
    writeFileSync(path, 'one');
    await wal.sync();
    assert.equal(wal.busy(), false);
    unlinkSync(path);
    writeFileSync(path, 'two'); // a new file (new inode) under the same name
    await wal.sync();
    unlinkSync(path);
    await assert.rejects(wal.sync(), /ENOENT/);
  } finally {
    wal.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
