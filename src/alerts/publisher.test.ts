import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMemoryBus } from '../bus/memory.ts';
import type { EventRecord, Store } from '../store/store.ts';
import { createOrderedPublisher } from './publisher.ts';

function ev(seq: number): EventRecord {
  return { seq, id: `e${seq}`, type: 'alert.issued', timeMs: 0, regions: ['UA-59'], json: `{"seq":${seq}}` };
}

/** Only readEvents is used by the publisher; the log here is the committed events 1..n. */
function logOf(n: number): Store {
  const log = Array.from({ length: n }, (_, i) => ev(i + 1));
  return {
    readEvents: async (after: number, limit: number) => log.filter((e) => e.seq > after).slice(0, limit),
    latestSeq: async () => n,
  } as unknown as Store;
}

test('events offered out of order are published in seq order, each once, gaps filled from the log', async () => {
  const bus = createMemoryBus();
  const seen: number[] = [];
  bus.subscribe((e) => seen.push(e.seq));
  const publisher = createOrderedPublisher(logOf(5), bus, 0);
  // Commit 3 resolves first (PostgreSQL, three requests in flight): 1 and 2 come from the log.
  await publisher.offer(ev(3));
  await Promise.all([
    publisher.offer(ev(2)),
    publisher.offer(ev(1)),
    publisher.offer(ev(5)),
    publisher.offer(ev(4)),
  ]);
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.equal(publisher.lastPublished(), 5);
});

test('the publisher starts after the seq it is given and catches up to the latest', async () => {
  const bus = createMemoryBus();
  const seen: number[] = [];
  bus.subscribe((e) => seen.push(e.seq));
  const publisher = createOrderedPublisher(logOf(4), bus, 2);
  await publisher.catchUp();
  assert.deepEqual(seen, [3, 4]);
});

test('a throwing bus subscriber does not stop the others', async () => {
  const errors: unknown[] = [];
  const bus = createMemoryBus({ onError: (e) => errors.push(e) });
  const seen: number[] = [];
  bus.subscribe(() => {
    throw new Error('broken subscriber');
  });
  const unsubscribe = bus.subscribe((e) => seen.push(e.seq));
  await bus.publish({ seq: 1, id: 'a', type: 't', regions: [], json: '{}' });
  unsubscribe();
  await bus.publish({ seq: 2, id: 'b', type: 't', regions: [], json: '{}' });
  assert.deepEqual(seen, [1]);
  assert.equal(errors.length, 2);
});
