// The durable-channel cursor (issue 8: "each durable channel keeps its own cursor into the event
// log"). A channel (webhooks, MQTT, Web Push) stores the seq of the last event it has taken into
// its own durable state (`store.cursors`). `startChannelCursor` reads the event log after that seq
// in batches, hands each batch to `handle`, and advances the stored cursor only after `handle`
// resolved: a crash in between hands the batch over again (at-least-once; make `handle`
// idempotent by seq). It wakes once per turn that brought bus events, and on `poke()`; a failing `handle` (a broker
// outage) is retried with backoff from the same position, so an outage delays and never loses.
// A restart resumes from the stored seq.
import type { Bus } from '../../bus/bus.ts';
import type { CursorStore } from '../../store/cursor-store.ts';
import type { EventRecord, Store } from '../../store/store.ts';

export type EventLog = Pick<Store, 'readEvents' | 'latestSeq' | 'oldestRetainedSeq'>;

export interface ChannelCursorOptions {
  /** The cursor's row name: one per channel (`webhooks`, `mqtt`, `webpush`). */
  channel: string;
  cursors: CursorStore;
  events: EventLog;
  /** Wakes the reader on every committed event; without it, only `poke()` does. */
  bus?: Pick<Bus, 'subscribe'>;
  /** Takes events (seq ascending) into the channel's durable state; reject to retry them later. */
  handle: (events: EventRecord[]) => Promise<void>;
  /** Where a channel without a stored cursor starts: `latest` (default: events from now on) or `beginning`. */
  startFrom?: 'latest' | 'beginning';
  batchSize?: number;
  /** First retry delay after a failing `handle` (doubles up to 30 s). */
  retryMs?: number;
  now?: () => number;
  onError?: (error: unknown, context: { channel: string; afterSeq: number }) => void;
  /** Events were pruned from the log before the channel took them (a gap it cannot fill). */
  onGap?: (gap: { channel: string; fromSeq: number; toSeq: number }) => void;
}

export interface ChannelCursor {
  /** Seq of the last event handled (and stored). */
  position(): number;
  /** Wakes the reader (after a reconnect, or when events were committed elsewhere). */
  poke(): void;
  /** Resolves once every event up to `seq` (default: the log's latest now) has been handled. */
  caughtUp(seq?: number): Promise<void>;
  /** Stops reading; resolves after the batch in hand (if any) has been handled and stored. */
  stop(): Promise<void>;
}

const DEFAULT_BATCH = 500;
const DEFAULT_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

/** Starts reading the event log for one channel from its stored cursor. */
export async function startChannelCursor(options: ChannelCursorOptions): Promise<ChannelCursor> {
  const { channel, cursors, events } = options;
  const now = options.now ?? Date.now;
  const batchSize = options.batchSize ?? DEFAULT_BATCH;
  const retryBaseMs = options.retryMs ?? DEFAULT_RETRY_MS;

  const stored = await cursors.getCursor(channel);
  let position = stored ?? (options.startFrom === 'beginning' ? 0 : await events.latestSeq());
  if (stored === undefined) await cursors.setCursor(channel, position, now());

  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let failures = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  const waiters: { seq: number; resolve: () => void }[] = [];

  const settleWaiters = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const waiter = waiters[i] as (typeof waiters)[number];
      if (waiter.seq <= position || stopped) {
        waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  };

  const drain = async (): Promise<void> => {
    while (!stopped) {
      const after = position;
      const oldest = await events.oldestRetainedSeq();
      if (oldest > after + 1) {
        options.onGap?.({ channel, fromSeq: after + 1, toSeq: oldest - 1 });
        position = oldest - 1;
        await cursors.setCursor(channel, position, now());
      }
      const batch = await events.readEvents(position, batchSize);
      if (batch.length === 0) return;
      await options.handle(batch);
      position = (batch[batch.length - 1] as EventRecord).seq;
      await cursors.setCursor(channel, position, now());
      failures = 0;
      settleWaiters();
      if (batch.length < batchSize) return;
    }
  };

  const run = (): void => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(retryTimer);
    retryTimer = undefined;
    running = drain()
      .catch((error: unknown) => {
        failures++;
        options.onError?.(error, { channel, afterSeq: position });
        const delay = Math.min(MAX_RETRY_MS, retryBaseMs * 2 ** (failures - 1));
        retryTimer = setTimeout(run, delay);
        retryTimer.unref();
      })
      .finally(() => {
        running = undefined;
        settleWaiters();
        if (again && !stopped) {
          again = false;
          run();
        }
      });
  };

  // The events of one group commit arrive in one turn: one read of the log takes them all.
  let wakeScheduled = false;
  const wake = (): void => {
    if (wakeScheduled) return;
    wakeScheduled = true;
    setImmediate(() => {
      wakeScheduled = false;
      run();
    });
  };
  const unsubscribe = options.bus?.subscribe(wake);
  run();

  return {
    position: () => position,
    poke: run,
    async caughtUp(seq) {
      const target = seq ?? (await events.latestSeq());
      if (target <= position || stopped) return;
      await new Promise<void>((resolve) => {
        waiters.push({ seq: target, resolve });
        run();
      });
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      clearTimeout(retryTimer);
      await running;
      settleWaiters();
    },
  };
}
