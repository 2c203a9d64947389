// The outbox relay: publishes committed events from the store's event log to a stream, in seq
// order, exactly once. The log IS the outbox: the relay keeps no cursor of its own but reads the
// stream's tail on start (and after any conflict), so a crash between commit and publish loses
// nothing and a restart beyond the de-duplication window repeats nothing. Each append names the
// stream position it must follow (an optimistic precondition checked by the stream), so relays
// on several nodes can run at once: one wins each append, the others see a duplicate or a
// conflict and re-read the tail.
import type { EventRecord, Store } from '../store/store.ts';

/** Where the stream ends: its own last sequence, and the last event of ours it holds (none when empty or aged out). */
export interface StreamTail {
  streamSeq: number;
  last: { seq: number; id: string } | null;
}

export type AppendOutcome =
  /** Stored; `streamSeq` is its position. */
  | { kind: 'appended'; streamSeq: number }
  /** The stream already holds this event id (another relay, or a retry): nothing stored. */
  | { kind: 'duplicate' }
  /** The stream no longer ends at `after`: re-read the tail. */
  | { kind: 'conflict' };

/** Where the relay appends. nats.ts implements it over JetStream. */
export interface RelaySink {
  tail(): Promise<StreamTail>;
  /** Appends `event` only if the stream still ends at `after.streamSeq`. */
  append(event: EventRecord, after: StreamTail): Promise<AppendOutcome>;
}

export interface OutboxRelayOptions {
  source: Pick<Store, 'readEvents'>;
  sink: RelaySink;
  /** Events read from the log per round trip. */
  batchSize?: number;
  /** How often the log is checked without a wake-up (events another node committed and never published). */
  pollMs?: number;
  /** Pause after a failure (store or stream unreachable) before trying again. */
  retryMs?: number;
  onError?: (error: unknown) => void;
}

export interface OutboxRelay {
  /** Starts the loop; resolves once the first tail was read and the backlog published. */
  start(): Promise<void>;
  /** Asks the relay to look for new events now (called after each commit). */
  wake(): void;
  /** Highest seq known to be in the stream (0 before start). */
  publishedSeq(): number;
  /** Resolves true once `seq` is in the stream, false if `timeoutMs` passes or the relay stops first. */
  waitFor(seq: number, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

const DEFAULT_BATCH = 256;
const DEFAULT_POLL_MS = 1_000;
const DEFAULT_RETRY_MS = 500;

/** Creates a relay; nothing runs until `start()`. */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const retryMs = options.retryMs ?? DEFAULT_RETRY_MS;
  let tail: StreamTail | undefined;
  let published = 0;
  let stopped = false;
  let woken = false;
  let wakeUp: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  const waiters = new Set<{ seq: number; resolve: (ok: boolean) => void }>();

  function advance(seq: number): void {
    if (seq <= published) return;
    published = seq;
    for (const w of waiters) {
      if (w.seq <= seq) {
        waiters.delete(w);
        w.resolve(true);
      }
    }
  }

  /** Waits for a wake-up or `ms`, whichever comes first. */
  function pause(ms: number): Promise<void> {
    if (woken || stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  /** Publishes everything after the tail; returns when the log has nothing more. */
  async function drain(): Promise<void> {
    for (;;) {
      woken = false;
      if (tail === undefined) {
        tail = await options.sink.tail();
        if (tail.last) advance(tail.last.seq);
      }
      const events = await options.source.readEvents(tail.last?.seq ?? 0, batchSize);
      if (events.length === 0) return;
      for (const event of events) {
        if (stopped) return;
        const outcome = await options.sink.append(event, tail);
        if (outcome.kind === 'conflict') {
          tail = undefined; // another relay moved the stream on: re-read where it ends
          break;
        }
        const streamSeq: number = outcome.kind === 'appended' ? outcome.streamSeq : tail.streamSeq;
        tail = { streamSeq, last: { seq: event.seq, id: event.id } };
        advance(event.seq);
      }
    }
  }

  async function run(firstPass: () => void): Promise<void> {
    let first = true;
    while (!stopped) {
      let failed = false;
      try {
        await drain();
      } catch (error) {
        failed = true;
        tail = undefined;
        options.onError?.(error);
      }
      if (first) {
        first = false;
        firstPass();
      }
      await pause(failed ? retryMs : pollMs);
    }
  }

  return {
    start() {
      if (loop) return Promise.resolve();
      return new Promise((resolve) => {
        loop = run(resolve);
      });
    },
    wake() {
      woken = true;
      wakeUp?.();
    },
    publishedSeq: () => published,
    waitFor(seq, timeoutMs) {
      if (seq <= published) return Promise.resolve(true);
      if (stopped) return Promise.resolve(false);
      return new Promise((resolve) => {
        const waiter = {
          seq,
          resolve: (ok: boolean) => {
            clearTimeout(timer);
            resolve(ok);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          resolve(false);
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async stop() {
      stopped = true;
      wakeUp?.();
      for (const w of waiters) w.resolve(false);
      waiters.clear();
      await loop;
    },
  };
}
