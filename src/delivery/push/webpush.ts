// The Web Push channel (issue 8 §3). VAPID keys are made on first start and kept in the store
// (every node signs with the key browsers subscribed with). The channel reads the event log from
// its durable cursor; each public event becomes one compact payload (webpush-payload.ts),
// encrypted per subscription (RFC 8291 aes128gcm) and sent to every subscription whose regions
// the event concerns (the region, an ancestor or a descendant). A push service answering 404 or
// 410 says the subscription is gone: it is removed. One that is overloaded or failing (429, 5xx,
// no answer) gets the message again later (`retryDelaysMs`, or its Retry-After when longer), while
// the message's TTL lasts, from an in-memory queue beside the cursor: one dead service never holds
// back every other subscriber, and a restart forgets pending retries (the first attempt was
// made). Other failures (400, 413, ...) are logged. The cursor advances once every first send of a
// batch has finished.
import webpush from 'web-push';
import { PUBLIC_EVENT_TYPES } from '../../alerts/events.ts';
import type { Bus } from '../../bus/bus.ts';
import type { RegionTree } from '../../geo/types.ts';
import type { CursorStore } from '../../store/cursor-store.ts';
import type { PushStore, PushSubscriptionRecord, VapidKeyPair } from '../../store/push-store.ts';
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
  /** Resolves once no retry is waiting or being sent. */
  retriesSettled(): Promise<void>;
  stop(): Promise<void>;
}

const DEFAULT_CONCURRENCY = 32;
const GONE = new Set([404, 410]);
const DEFAULT_RETRY_DELAYS_MS = [2_000, 10_000, 60_000];
/** A push service's Retry-After is followed up to this long. */
const MAX_RETRY_AFTER_MS = 300_000;
/** Retries waiting at once: beyond this a failed send is logged and dropped (a push service down for everyone). */
const MAX_PENDING_RETRIES = 10_000;

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
  const retries = new Set<NodeJS.Timeout>();
  let retrying = 0; // retries waiting or being sent
  let settledWaiters: (() => void)[] = [];
  const retryDone = () => {
    if (--retrying > 0) return;
    const waiters = settledWaiters;
    settledWaiters = [];
    for (const resolve of waiters) resolve();
  };
  let stopped = false;

  const sendOne = async (
    sub: PushSubscriptionRecord,
    payload: string,
    ttl: number,
    urgency: webpush.Urgency,
    attempt = 0,
    expiresMs = now() + ttl * 1000,
  ) => {
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
      return;
    }
    stats.failed++;
    if (response.status !== null && GONE.has(response.status)) {
      await remove(sub, `push service answered ${response.status}`);
      return;
    }
    const delay = Math.max(
      retryDelaysMs[attempt] ?? Number.POSITIVE_INFINITY,
      Math.min((response.retryAfterS ?? 0) * 1000, MAX_RETRY_AFTER_MS),
    );
    const retry =
      transient(response.status) &&
      !stopped &&
      retries.size < MAX_PENDING_RETRIES &&
      now() + delay < expiresMs;
    deps.log?.warn(
      {
        endpoint: origin(sub.endpoint),
        error: response.error,
        attempt: attempt + 1,
        retryInMs: retry ? delay : null,
      },
      'Web Push delivery failed',
    );
    if (!retry) return;
    stats.retried++;
    retrying++;
    const timer = setTimeout(() => {
      retries.delete(timer);
      const ttlLeft = Math.max(1, Math.floor((expiresMs - now()) / 1000));
      sendOne(sub, payload, ttlLeft, urgency, attempt + 1, expiresMs)
        .catch((error: unknown) =>
          deps.log?.warn({ err: error, endpoint: origin(sub.endpoint) }, 'Web Push retry failed'),
        )
        .finally(retryDone);
    }, delay);
    timer.unref();
    retries.add(timer);
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
      retrying === 0 ? Promise.resolve() : new Promise<void>((resolve) => settledWaiters.push(resolve)),
    async stop() {
      stopped = true;
      for (const timer of retries) {
        clearTimeout(timer);
        retryDone();
      }
      retries.clear();
      await cursor.stop();
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
