import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actor, airRaid, harness } from '../../alerts/testing.ts';
import type { EventRecord } from '../../store/store.ts';
import { startChannelCursor } from './cursor.ts';

const author = actor('author-1');

test('a channel cursor takes every event once, in order, and resumes after a restart from its stored seq', async () => {
  let h = await harness();
  try {
    await h.service.issue(author, airRaid(['UA-59']));
    const seen: number[] = [];
    const handle = async (events: EventRecord[]) => {
      for (const e of events) seen.push(e.seq);
    };
    // A new channel starts at the log's end: history before it is not replayed.
    const first = await startChannelCursor({
      channel: 'test',
      cursors: h.store.cursors,
      events: h.store,
      bus: h.bus,
      handle,
    });
    assert.equal(first.position(), 1);
    await h.service.issue(author, airRaid(['UA-63']));
    await first.caughtUp();
    assert.deepEqual(seen, [2]);
    await first.stop();

    // Events committed while the channel is stopped are taken after the restart, none twice.
    await h.service.issue(author, airRaid(['UA-59']));
    await h.service.issue(author, airRaid(['UA-63']));
    h = await h.restart();
    assert.equal(await h.store.cursors.getCursor('test'), 2);
    const second = await startChannelCursor({
      channel: 'test',
      cursors: h.store.cursors,
      events: h.store,
      bus: h.bus,
      handle,
    });
    await second.caughtUp(4);
    assert.deepEqual(seen, [2, 3, 4]);
    await second.stop();
  } finally {
    await h.cleanup();
  }
});

test('a failing handler is retried from the same position: an outage delays, never loses', async () => {
  const h = await harness();
  try {
    const seen: number[] = [];
    let failuresLeft = 2;
    const errors: unknown[] = [];
    const cursor = await startChannelCursor({
      channel: 'flaky',
      cursors: h.store.cursors,
      events: h.store,
      bus: h.bus,
      retryMs: 1,
      handle: async (events) => {
        if (failuresLeft-- > 0) throw new Error('broker down');
        for (const e of events) seen.push(e.seq);
      },
      onError: (error) => errors.push(error),
    });
    await h.service.issue(author, airRaid(['UA-59']));
    await h.service.issue(author, airRaid(['UA-63']));
    await cursor.caughtUp(2);
    assert.deepEqual(seen, [1, 2]);
    assert.equal(errors.length, 2);
    assert.equal(await h.store.cursors.getCursor('flaky'), 2);
    await cursor.stop();
  } finally {
    await h.cleanup();
  }
});

test('startFrom beginning replays the whole log; a stored cursor never moves backwards', async () => {
  const h = await harness();
  try {
    await h.service.issue(author, airRaid(['UA-59']));
    const seen: number[] = [];
    const cursor = await startChannelCursor({
      channel: 'replay',
      cursors: h.store.cursors,
      events: h.store,
      startFrom: 'beginning',
      handle: async (events) => {
        for (const e of events) seen.push(e.seq);
      },
    });
    await cursor.caughtUp(1);
    assert.deepEqual(seen, [1]);
    await cursor.stop();
    await h.store.cursors.setCursor('replay', 0, Date.now());
    assert.equal(await h.store.cursors.getCursor('replay'), 1);
  } finally {
    await h.cleanup();
  }
});

test('the events of one group commit reach the channel in one batch (one read, one cursor write)', async () => {
  const h = await harness();
  try {
    const batches: number[][] = [];
    let tookFour: () => void = () => {};
    const fourTaken = new Promise<void>((resolve) => {
      tookFour = resolve;
    });
    let reads = 0;
    let writes = 0;
    const cursor = await startChannelCursor({
      channel: 'grouped',
      cursors: {
        getCursor: (channel) => h.store.cursors.getCursor(channel),
        setCursor: (channel, seq, nowMs) => {
          writes++;
          return h.store.cursors.setCursor(channel, seq, nowMs);
        },
      },
      events: {
        latestSeq: () => h.store.latestSeq(),
        oldestRetainedSeq: () => h.store.oldestRetainedSeq(),
        readEvents: (after, limit) => {
          reads++;
          return h.store.readEvents(after, limit);
        },
      },
      bus: h.bus,
      handle: async (events) => {
        batches.push(events.map((e) => e.seq));
        if (events.some((e) => e.seq === 4)) tookFour();
      },
    });
    await cursor.caughtUp();
    [reads, writes] = [0, 0];
    // Issued in the same turn: committed together, published together.
    await Promise.all(['UA-59', 'UA-63', 'UA-59', 'UA-63'].map((r) => h.service.issue(author, airRaid([r]))));
    await fourTaken;
    assert.deepEqual(batches, [[1, 2, 3, 4]]);
    // One wake-up for the four events: one read that finds them, one cursor write.
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    assert.equal(reads, 1);
    assert.equal(writes, 1);
    await cursor.stop();
  } finally {
    await h.cleanup();
  }
});
