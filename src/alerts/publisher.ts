// Publishes committed events to the bus strictly in seq order, each once. Commits may resolve
// out of order (PostgreSQL, several requests in flight); since seq is assigned under the commit
// lock, every lower seq is already committed when a higher one resolves, so a gap is filled by
// reading the log, never by waiting.
import type { Bus } from '../bus/bus.ts';
import type { EventRecord, Store } from '../store/store.ts';

export interface OrderedPublisher {
  /** Publishes `event` and any committed event before it not yet published. */
  offer(event: EventRecord): Promise<void>;
  /** Publishes everything committed up to the store's latest seq (start-up, after a crash). */
  catchUp(): Promise<void>;
  lastPublished(): number;
}

const GAP_READ_LIMIT = 1000;

export function createOrderedPublisher(store: Store, bus: Bus, startSeq: number): OrderedPublisher {
  let published = startSeq;
  let chain: Promise<void> = Promise.resolve();

  const send = (e: EventRecord) =>
    bus.publish({ seq: e.seq, id: e.id, type: e.type, regions: e.regions, json: e.json });

  async function publishUpTo(target: number, own?: EventRecord): Promise<void> {
    while (published < target) {
      if (own && own.seq === published + 1) {
        await send(own);
        published = own.seq;
        continue;
      }
      const missing = await store.readEvents(published, Math.min(GAP_READ_LIMIT, target - published));
      if (missing.length === 0) return;
      for (const e of missing) {
        if (e.seq !== published + 1) return;
        await send(e);
        published = e.seq;
      }
    }
  }

  // One chain: publishes never interleave.
  const enqueue = (work: () => Promise<void>) => {
    chain = chain.then(work, work);
    return chain;
  };

  return {
    offer: (event) => enqueue(() => publishUpTo(event.seq, event)),
    catchUp: () => enqueue(async () => publishUpTo(await store.latestSeq())),
    lastPublished: () => published,
  };
}
