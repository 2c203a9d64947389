// The webhook channel: takes public events from the log through its durable cursor, queues one
// delivery per matching webhook (in the store: a restart loses nothing), and attempts them. At
// most one delivery per webhook is in flight (its head: per-endpoint order), many webhooks at
// once up to `concurrency`; a failing endpoint only delays its own queue. Attempts' outcomes are
// recorded in batches (one transaction for all that finished together).
import { PUBLIC_EVENT_TYPES } from '../../alerts/events.ts';
import type { Bus } from '../../bus/bus.ts';
import type { RegionTree } from '../../geo/types.ts';
import type { EventRecord, Store } from '../../store/store.ts';
import type {
  ClaimedDelivery,
  DeliveryResult,
  NewDelivery,
  WebhookRecord,
} from '../../store/webhook-store.ts';
import { type ChannelCursor, startChannelCursor } from './cursor.ts';
import { nextAttempt, type RetryPolicy } from './webhook-retry.ts';
import { createAgents, sendWebhook } from './webhook-send.ts';
import { type TargetGuard, TargetRefused } from './webhook-target.ts';

export const WEBHOOK_CHANNEL = 'webhooks';
/** How long past the attempt deadline a lease outlives a crashed node. */
const LEASE_MARGIN_MS = 5_000;
/** Wake at least this often (deliveries queued or released by other nodes). */
const MAX_SLEEP_MS = 30_000;
/** Delivered rows stay in the log this long by default (dead and pending ones until acted on). */
export const DEFAULT_LOG_RETENTION_MS = 7 * 86_400_000;
const PRUNE_EVERY_MS = 3_600_000;

export interface WebhookWorkerDeps {
  store: Pick<Store, 'webhooks' | 'cursors' | 'readEvents' | 'latestSeq' | 'oldestRetainedSeq'>;
  bus: Pick<Bus, 'subscribe'>;
  tree: Pick<RegionTree, 'covers'>;
  guard: TargetGuard;
  retry: RetryPolicy;
  /** Attempts in flight at once (each to a different webhook). */
  concurrency: number;
  timeoutMs: number;
  responseLimitBytes: number;
  /** How long delivered rows stay in the delivery log (default 7 days). */
  logRetentionMs?: number;
  now?: () => number;
  random?: () => number;
  onError?: (error: unknown, context: string) => void;
}

export interface WebhookWorker {
  /** Wakes the dispatcher (after a redeliver). */
  poke(): void;
  /** Resolves once every event committed so far has been queued for its webhooks. */
  caughtUp(): Promise<void>;
  /** Calls `listener` after each batch of attempts is recorded; returns the unsubscribe function. */
  onRecorded(listener: (results: readonly DeliveryResult[]) => void): () => void;
  /** Stops taking events and attempts; waits `flushMs` for attempts in flight, then aborts them (they stay queued). */
  stop(flushMs: number): Promise<void>;
}

/** Does a webhook want this event? Regions match up and down the tree; types when listed. */
export function matches(
  tree: Pick<RegionTree, 'covers'>,
  webhook: WebhookRecord,
  eventRegions: readonly string[],
  eventType: string | undefined,
): boolean {
  if (webhook.eventTypes.length > 0 && (eventType === undefined || !webhook.eventTypes.includes(eventType)))
    return false;
  return webhook.regions.some((w) => eventRegions.some((e) => tree.covers(w, e) || tree.covers(e, w)));
}

function eventTypeOf(event: EventRecord): string | undefined {
  try {
    const parsed = JSON.parse(event.json) as { alert?: { event?: unknown } };
    return typeof parsed.alert?.event === 'string' ? parsed.alert.event : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the webhook channel from its stored cursor. */
export async function startWebhookWorker(deps: WebhookWorkerDeps): Promise<WebhookWorker> {
  const { store, guard } = deps;
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const report = deps.onError ?? (() => {});
  const agents = createAgents();
  const listeners = new Set<(results: readonly DeliveryResult[]) => void>();
  const inFlight = new Map<number, AbortController>();
  const attempts = new Set<Promise<void>>();
  let results: DeliveryResult[] = [];
  let stopping = false;
  let pumping: Promise<void> | undefined;
  let pumpAgain = false;
  let flushing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const enqueue = async (events: EventRecord[]): Promise<void> => {
    const wanted = events.filter((e) => PUBLIC_EVENT_TYPES.has(e.type));
    if (wanted.length === 0) return;
    const webhooks = await store.webhooks.listWebhooks();
    if (webhooks.length === 0) return;
    const rows: NewDelivery[] = [];
    const queuedMs = now();
    for (const event of wanted) {
      const type = eventTypeOf(event);
      for (const webhook of webhooks)
        if (event.seq > webhook.afterSeq && matches(deps.tree, webhook, event.regions, type))
          rows.push({ webhookId: webhook.id, eventSeq: event.seq, eventId: event.id, createdMs: queuedMs });
    }
    // Nothing queued, nothing to claim: the due timer already covers retries.
    if (rows.length === 0) return;
    await store.webhooks.enqueueDeliveries(rows);
    pump();
  };

  const attempt = async (delivery: ClaimedDelivery, abort: AbortController): Promise<DeliveryResult> => {
    const attemptMs = now();
    const base = { id: delivery.id, attemptMs };
    if (delivery.json === null)
      return {
        ...base,
        outcome: 'dead',
        status: null,
        error: 'the event is no longer in the log',
        durationMs: null,
      };
    let status: number | null = null;
    let error: string;
    let durationMs: number | null = null;
    try {
      const target = await guard.check(delivery.url);
      const response = await sendWebhook(
        {
          target,
          body: delivery.json,
          secret: delivery.secret,
          eventId: delivery.eventId,
          seq: delivery.eventSeq,
          deliveryId: delivery.id,
          attempt: delivery.attempts + 1,
          timeoutMs: deps.timeoutMs,
          responseLimitBytes: deps.responseLimitBytes,
          signal: abort.signal,
        },
        agents,
      );
      if (abort.signal.aborted)
        return { ...base, outcome: 'released', status: null, error: null, durationMs: null };
      if (response.ok)
        return {
          ...base,
          outcome: 'delivered',
          status: response.status,
          error: null,
          durationMs: response.durationMs,
        };
      status = response.status;
      error = response.error ?? 'failed';
      durationMs = response.durationMs;
    } catch (thrown) {
      if (!(thrown instanceof TargetRefused)) throw thrown;
      error = `refused: ${thrown.message}`;
    }
    const decision = nextAttempt(deps.retry, delivery.attempts + 1, delivery.createdMs, attemptMs, random);
    return decision.dead
      ? { ...base, outcome: 'dead', status, error, durationMs }
      : { ...base, outcome: 'retry', status, error, durationMs, nextAttemptMs: decision.atMs };
  };

  // One commit for every attempt that finished in the same turn of the event loop: the first
  // completion schedules the flush (setImmediate), the others of that I/O phase join it. An
  // immediate flush per completion cost one fsync (5 ms here) per delivery.
  const flush = (): void => {
    if (flushing) return;
    flushing = (async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (results.length > 0) {
        const batch = results;
        results = [];
        try {
          await store.webhooks.recordResults(batch);
        } catch (error) {
          // The leases run out and the deliveries are attempted again: at-least-once.
          report(error, 'recording webhook attempts failed');
        }
        for (const result of batch) inFlight.delete(result.id);
        for (const listener of listeners) listener(batch);
      }
    })().finally(() => {
      flushing = undefined;
      if (results.length > 0) flush();
      else pump();
    });
  };

  const launch = (delivery: ClaimedDelivery): void => {
    const abort = new AbortController();
    inFlight.set(delivery.id, abort);
    const running: Promise<void> = attempt(delivery, abort)
      .catch((error: unknown): DeliveryResult => {
        report(error, 'webhook attempt failed unexpectedly');
        return {
          id: delivery.id,
          outcome: 'released',
          attemptMs: now(),
          status: null,
          error: null,
          durationMs: null,
        };
      })
      .then((result) => {
        results.push(result);
        attempts.delete(running);
        flush();
      });
    attempts.add(running);
  };

  const dispatch = async (): Promise<void> => {
    while (!stopping && inFlight.size < deps.concurrency) {
      const nowMs = now();
      const wanted = deps.concurrency - inFlight.size;
      const claimed = await store.webhooks.claimDue(nowMs, wanted, nowMs + deps.timeoutMs + LEASE_MARGIN_MS);
      for (const delivery of claimed) launch(delivery);
      if (claimed.length < wanted) break;
    }
    // Every slot busy: a finishing attempt pumps again, no timer needed.
    if (stopping || inFlight.size >= deps.concurrency) return;
    const due = await store.webhooks.nextDueMs();
    clearTimeout(timer);
    const wait = due === undefined ? MAX_SLEEP_MS : Math.min(MAX_SLEEP_MS, Math.max(0, due - now()));
    timer = setTimeout(pump, wait);
    timer.unref();
  };

  function pump(): void {
    if (stopping) return;
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = dispatch()
      .catch((error: unknown) => {
        report(error, 'webhook dispatch failed');
        clearTimeout(timer);
        timer = setTimeout(pump, 1_000);
        timer.unref();
      })
      .finally(() => {
        pumping = undefined;
        if (pumpAgain) {
          pumpAgain = false;
          pump();
        }
      });
  }

  const cursor: ChannelCursor = await startChannelCursor({
    channel: WEBHOOK_CHANNEL,
    cursors: store.cursors,
    events: store,
    bus: deps.bus,
    handle: enqueue,
    now,
    onError: (error) => report(error, 'queueing webhook deliveries failed'),
    onGap: (gap) =>
      report(
        new Error(`events ${gap.fromSeq}..${gap.toSeq} left the log before the webhook channel took them`),
        'gap',
      ),
  });
  pump();
  const prune = () =>
    store.webhooks
      .pruneDelivered(now() - (deps.logRetentionMs ?? DEFAULT_LOG_RETENTION_MS))
      .catch((error: unknown) => report(error, 'pruning the webhook delivery log failed'));
  void prune();
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
  pruneTimer.unref();

  return {
    poke: pump,
    caughtUp: () => cursor.caughtUp(),
    onRecorded(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async stop(flushMs) {
      clearInterval(pruneTimer);
      await cursor.stop();
      stopping = true;
      clearTimeout(timer);
      await pumping;
      let deadline: NodeJS.Timeout | undefined;
      const allDone = Promise.all([...attempts]).then(() => 'done' as const);
      const expired = new Promise<'expired'>((resolve) => {
        deadline = setTimeout(() => resolve('expired'), flushMs);
      });
      if ((await Promise.race([allDone, expired])) === 'expired')
        for (const abort of inFlight.values()) abort.abort();
      clearTimeout(deadline);
      await allDone;
      while (flushing || results.length > 0) {
        flush();
        await flushing;
      }
      agents.destroy();
    },
  };
}
