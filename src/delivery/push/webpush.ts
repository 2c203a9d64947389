// The Web Push channel (issue 8 §3). VAPID keys are made on first start and kept in the store
// (every node signs with the key browsers subscribed with). The channel reads the event log from
// its durable cursor; each public event becomes one compact payload (webpush-payload.ts),
// encrypted per subscription (RFC 8291 aes128gcm) and sent to every subscription whose regions
// the event concerns (the region, an ancestor or a descendant). A push service answering 404 or
// 410 says the subscription is gone: it is removed (with its pending retries). One that is
// overloaded or failing (429, 5xx, no answer) gets the message again later (`retryDelaysMs`, or
// its Retry-After when longer), while the message's TTL lasts: the retry is a row in the store
// beside the cursor (payload, attempt, due time, end of TTL), and one timer is armed for the
// earliest due row. One dead service never holds back every other subscriber, and a restart (or
// another node taking the lease) sends the rows a previous run left, at start. A row goes once
// its attempt finished (sent, gone, refused, or moved to its next attempt); a crash mid-send
// sends that attempt again. Other failures (400, 413, ...) are logged. The cursor advances once
// every first send of a batch has finished.
import webpush from 'web-push';
import { PUBLIC_EVENT_TYPES } from '../../alerts/events.ts';
import type { Bus } from '../../bus/bus.ts';
import type { RegionTree } from '../../geo/types.ts';
import type { CursorStore } from '../../store/cursor-store.ts';
import type {
  PushRetryRecord,
  PushStore,
  PushSubscriptionRecord,
  VapidKeyPair,
} from '../../store/push-store.ts';
import type { EventRecord } from '../../store/store.ts';
import { type ChannelCursor, type EventLog, startChannelCursor } from './cursor.ts';
import { createTargetGuard, type Resolve, TargetRefused } from './webhook-target.ts';
import { pushMessageOf } from './webpush-payload.ts';
import { createPushAgents, sendPush } from './webpush-send.ts';

export interface WebPushLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface WebPushChannelDeps {
  store: PushStore;
  keys: VapidKeyPair;
  /** VAPID `sub` claim: mailto: or https: (RFC 8292 §2.1). */
  subject: string;
  tree: RegionTree;
  cursors: CursorStore;
  events: EventLog;
  bus: Pick<Bus, 'subscribe'>;
  allowInsecureEndpoints: boolean;
  timeoutMs: number;
  /** Sends in flight at once. */
  concurrency?: number;
  channel?: string;
  log?: WebPushLog;
  now?: () => number;
  resolve?: Resolve;
  /** Waits before the 2nd, 3rd, ... attempt of a send that failed for a while (default 2 s, 10 s, 60 s). */
  retryDelaysMs?: readonly number[];
}

export interface WebPushStats {
  sent: number;
  /** Attempts that failed (a retried send counts each failed attempt). */
  failed: number;
  removed: number;
  /** Attempts scheduled again after a 429, 5xx or no answer. */
  retried: number;
}

export interface WebPushChannel {
  /** Resolves once every event up to `seq` (default: the log's latest now) has been sent. */
  caughtUp(seq?: number): Promise<void>;
  stats(): WebPushStats;
  /** Resolves once no retry is stored or being sent (or the channel stopped; its rows stay stored). */
  retriesSettled(): Promise<void>;
  stop(): Promise<void>;
}

const DEFAULT_CONCURRENCY = 32;
const GONE = new Set([404, 410]);
const DEFAULT_RETRY_DELAYS_MS = [2_000, 10_000, 60_000];
/** A push service's Retry-After is followed up to this long. */
const MAX_RETRY_AFTER_MS = 300_000;
/** Retries stored at once: beyond this a failed send is logged and dropped (a push service down for everyone). */
const MAX_PENDING_RETRIES = 10_000;
/** Due retries taken from the store per timer run. */
const RETRY_BATCH = 256;
/** Wait before the timer tries again after the store failed it. */
const RETRY_STORE_BACKOFF_MS = 5_000;

/** RFC 8030 §5 / RFC 9110: worth another try — too many requests, a server error, or no answer. */
function transient(status: number | null): boolean {
  return status === null || status === 429 || status >= 500;
}
/** JWT lifetime: RFC 8292 §2 allows at most 24 hours. */
const VAPID_JWT_TTL_S = 12 * 3600;
const VAPID_REUSE_MS = 3_600_000;
/** Push services are a handful of origins; the bound only matters against hostile registrations. */
const VAPID_CACHE_MAX = 1_000;

/** The VAPID key pair in force: the stored one, or a new pair stored now (first start). */
export async function loadVapidKeys(store: PushStore, nowMs: number): Promise<VapidKeyPair> {
  return store.ensureVapidKeys(webpush.generateVAPIDKeys(), nowMs);
}

/** True when a subscription to `subscribed` hears an event on `regions` (same, ancestor or descendant). */
export function concerns(
  tree: RegionTree,
  subscribed: readonly string[],
  regions: readonly string[],
): boolean {
  return subscribed.some((s) => regions.some((r) => tree.covers(r, s) || tree.covers(s, r)));
}

export async function startWebPushChannel(deps: WebPushChannelDeps): Promise<WebPushChannel> {
  const now = deps.now ?? Date.now;
  const agents = createPushAgents();
  const guard = createTargetGuard(
    { allowPrivateTargets: deps.allowInsecureEndpoints, allowCidrs: [] },
    deps.resolve,
  );
  // The VAPID JWT (RFC 8292 §2) is signed once per push service and reused for an hour, not per
  // send: signing took 3.3 of the 4.0 ms web-push spent preparing one request (measured here).
  const vapidCache = new Map<string, { headers: Record<string, string>; untilMs: number }>();
  const vapidHeadersFor = (audience: string): Record<string, string> => {
    const at = now();
    const cached = vapidCache.get(audience);
    if (cached && cached.untilMs > at) return cached.headers;
    if (vapidCache.size >= VAPID_CACHE_MAX) vapidCache.clear();
    const expiration = Math.floor(at / 1000) + VAPID_JWT_TTL_S;
    const headers = webpush.getVapidHeaders(
      audience,
      deps.subject,
      deps.keys.publicKey,
      deps.keys.privateKey,
      'aes128gcm',
      expiration,
    ) as unknown as Record<string, string>;
    vapidCache.set(audience, { headers, untilMs: at + VAPID_REUSE_MS });
    return headers;
  };
  const stats: WebPushStats = { sent: 0, failed: 0, removed: 0, retried: 0 };
  const concurrency = deps.concurrency ?? DEFAULT_CONCURRENCY;
  const retryDelaysMs = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  // Retries stored (an estimate for the cap: counted in the store at start and after each run,
  // counted here on add and remove in between).
  let storedRetries = 0;
  let timer: NodeJS.Timeout | undefined;
  let timerDueMs = Number.POSITIVE_INFINITY;
  let running: Promise<void> | undefined; // a timer run sending due retries
  let arming = 0; // arm() calls reading the store
  let settledWaiters: (() => void)[] = [];
  const settleIfIdle = () => {
    if (!stopped && (timer || running || arming > 0)) return;
    const waiters = settledWaiters;
    settledWaiters = [];
    for (const resolve of waiters) resolve();
  };
  let stopped = false;

  /**
   * One attempt (`attempt` 0 is the first send). For a stored retry (`row`), the row is moved to
   * its next attempt or removed once this one finished; a first send that needs another stores one.
   */
  const sendOne = async (
    sub: PushSubscriptionRecord,
    payload: string,
    ttl: number,
    urgency: webpush.Urgency,
    attempt = 0,
    expiresMs = now() + ttl * 1000,
    row?: PushRetryRecord,
  ): Promise<void> => {
    let target: Awaited<ReturnType<typeof guard.check>>;
    try {
      target = await guard.check(sub.endpoint);
      if (target.url.protocol !== 'https:' && !deps.allowInsecureEndpoints)
        throw new TargetRefused('scheme', 'not https');
    } catch (error) {
      // Registered when allowed, refused now (DNS moved it inside, or the setting changed): drop it.
      stats.failed++;
      if (error instanceof TargetRefused) await remove(sub, `endpoint refused: ${error.message}`);
      else deps.log?.warn({ err: error, endpoint: origin(sub.endpoint) }, 'Web Push endpoint check failed');
      await finished(row);
      return;
    }
    const details = webpush.generateRequestDetails(
      { endpoint: sub.endpoint, keys: { p256dh: sub.p256dh, auth: sub.auth } },
      payload,
      { TTL: ttl, urgency, contentEncoding: 'aes128gcm' },
    );
    const headers = { ...(details.headers as Record<string, string>), ...vapidHeadersFor(target.url.origin) };
    const response = await sendPush(
      { target, headers, body: details.body, timeoutMs: deps.timeoutMs },
      agents,
    );
    if (response.error === null) {
      stats.sent++;
      await finished(row);
      return;
    }
    stats.failed++;
    if (response.status !== null && GONE.has(response.status)) {
      await remove(sub, `push service answered ${response.status}`);
      await finished(row);
      return;
    }
    const delay = Math.max(
      retryDelaysMs[attempt] ?? Number.POSITIVE_INFINITY,
      Math.min((response.retryAfterS ?? 0) * 1000, MAX_RETRY_AFTER_MS),
    );
    const dueMs = now() + delay;
    const retry =
      transient(response.status) &&
      // A stored row moves on in place; a new one must fit under the cap.
      (row !== undefined || storedRetries < MAX_PENDING_RETRIES) &&
      dueMs < expiresMs;
    deps.log?.warn(
      {
        endpoint: origin(sub.endpoint),
        error: response.error,
        attempt: attempt + 1,
        retryInMs: retry ? delay : null,
      },
      'Web Push delivery failed',
    );
    if (!retry) {
      await finished(row);
      return;
    }
    stats.retried++;
    if (row) {
      await deps.store.reschedulePushRetry(row.id, attempt + 1, dueMs);
    } else {
      storedRetries++;
      try {
        await deps.store.addPushRetry({
          endpoint: sub.endpoint,
          payload,
          urgency,
          attempt: attempt + 1,
          dueMs,
          expiresMs,
          createdMs: now(),
        });
      } catch (error) {
        // Not a reason to send the whole batch again (the cursor would): this retry is lost.
        storedRetries--;
        deps.log?.warn({ err: error, endpoint: origin(sub.endpoint) }, 'Web Push retry not stored');
        return;
      }
    }
    await arm();
  };

  /** The stored retry (if any) made its last attempt: its row goes. */
  const finished = async (row: PushRetryRecord | undefined) => {
    if (row && (await deps.store.removePushRetry(row.id))) storedRetries--;
  };

  /** Arms the one timer for the earliest stored retry (unless one as early is armed, or a run is on: it arms when it ends). */
  const arm = async (minDelayMs = 0): Promise<void> => {
    if (stopped || running) return;
    arming++;
    try {
      const dueMs = await deps.store.nextPushRetryDueMs();
      if (stopped || running || dueMs === undefined) return;
      if (timer && timerDueMs <= dueMs && minDelayMs === 0) return;
      clearTimeout(timer);
      timerDueMs = dueMs;
      timer = setTimeout(fire, Math.max(minDelayMs, dueMs - now()));
      timer.unref();
    } catch (error) {
      deps.log?.warn({ err: error }, 'Web Push retries: store unreadable; trying again');
      if (stopped || running) return;
      clearTimeout(timer);
      timerDueMs = now();
      timer = setTimeout(fire, RETRY_STORE_BACKOFF_MS);
      timer.unref();
    } finally {
      arming--;
      settleIfIdle();
    }
  };

  const fire = () => {
    // The timer went off: what it was armed for is due, whatever the clock says (a test's frozen
    // clock, one stepped back, a timer a millisecond early).
    const atMs = Math.max(now(), timerDueMs);
    timer = undefined;
    timerDueMs = Number.POSITIVE_INFINITY;
    let backoff = 0;
    running = sendDue(atMs)
      .catch((error: unknown) => {
        backoff = RETRY_STORE_BACKOFF_MS;
        deps.log?.warn({ err: error }, 'Web Push retries failed; trying again');
      })
      .finally(() => {
        running = undefined;
        void arm(backoff);
      });
  };

  /** Sends one batch of the retries due at `atMs`; the next batch is for the timer armed after. */
  const sendDue = async (atMs: number): Promise<void> => {
    const due = await deps.store.duePushRetries(atMs, RETRY_BATCH);
    await eachLimited(due, concurrency, async (row) => {
      if (stopped) return; // left stored for the next start
      try {
        const sub = await deps.store.getPushSubscription(row.endpoint);
        if (!sub || row.expiresMs <= atMs) {
          await finished(row); // unsubscribed meanwhile, or the message expired while no one was running
          return;
        }
        const ttlLeft = Math.max(1, Math.floor((row.expiresMs - now()) / 1000));
        await sendOne(sub, row.payload, ttlLeft, row.urgency, row.attempt, row.expiresMs, row);
      } catch (error) {
        deps.log?.warn({ err: error, endpoint: origin(row.endpoint) }, 'Web Push retry failed');
        await finished(row);
      }
    });
    storedRetries = await deps.store.countPushRetries();
  };

  const remove = async (sub: PushSubscriptionRecord, why: string) => {
    if (await deps.store.removePushSubscription(sub.endpoint)) stats.removed++;
    deps.log?.info({ endpoint: origin(sub.endpoint), why }, 'Web Push subscription removed');
  };

  const handle = async (batch: EventRecord[]): Promise<void> => {
    const events = batch.filter((e) => PUBLIC_EVENT_TYPES.has(e.type));
    if (events.length === 0) return;
    const subscriptions = await deps.store.listPushSubscriptions();
    for (const event of events) {
      const targets = subscriptions.filter((s) => concerns(deps.tree, s.regions, event.regions));
      if (targets.length === 0) continue;
      const message = pushMessageOf(event.json, now());
      await eachLimited(targets, concurrency, (sub) =>
        sendOne(sub, message.payload, message.ttlSeconds, message.urgency),
      );
    }
  };

  // Retries a previous run (this node's or another's) left in the store are sent from now on.
  storedRetries = await deps.store.countPushRetries();
  await arm();

  const cursor: ChannelCursor = await startChannelCursor({
    channel: deps.channel ?? 'webpush',
    cursors: deps.cursors,
    events: deps.events,
    bus: deps.bus,
    handle,
    onError: (error, context) =>
      deps.log?.warn({ err: error, ...context }, 'Web Push delivery paused; retrying'),
    onGap: (gap) => deps.log?.warn(gap, 'Web Push channel: events pruned before delivery'),
  });

  return {
    caughtUp: (seq) => cursor.caughtUp(seq),
    stats: () => ({ ...stats }),
    retriesSettled: () =>
      new Promise<void>((resolve) => {
        settledWaiters.push(resolve);
        settleIfIdle();
      }),
    async stop() {
      // The stored rows stay: the next start (here or on another node) sends them.
      stopped = true;
      clearTimeout(timer);
      timer = undefined;
      await cursor.stop();
      await running;
      settleIfIdle();
      agents.destroy();
    },
  };
}

/** Runs `fn` over `items` with at most `limit` in flight; resolves when all are done. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Logs name the push service, never the full endpoint (it is the subscription's capability). */
function origin(endpoint: string): string {
  try {
    return new URL(endpoint).origin;
  } catch {
    return 'invalid URL';
  }
}
