// The live connection: SSE on /v1/stream, resumed by seq after any drop (docs/streams.md).
// EventSource alone is not enough: it gives up for good on a 503 while the hub restarts, and
// it cannot notice a line that went silent. So this module owns the reconnection: a watchdog
// declares the line lost after two missed heartbeats, every drop reports "lost" at once, and
// the next attempt asks for `since=<last seq>` so the log replays what was missed.
import type { StreamMessage } from './incidents.ts';

export type LiveStatus = 'connecting' | 'live' | 'lost';

export interface LiveOptions {
  /** e.g. `/v1/stream` or `/v1/stream?regions=UA-59`. */
  url: string;
  onMessage(message: StreamMessage): void;
  onStatus(status: LiveStatus): void;
}

/** The hub's default heartbeat (docs/streams.md); learned from the stream once two arrive. */
const DEFAULT_HEARTBEAT_MS = 15_000;
const MISSED_HEARTBEATS = 2;
const RETRY_FIRST_MS = 500;
const RETRY_MAX_MS = 5_000;
const TYPES = [
  'snapshot',
  'reset',
  'alert.issued',
  'alert.updated',
  'alert.ended',
  'heartbeat',
  'overflow',
  'shutdown',
];

export interface Live {
  close(): void;
  /** The last seq received (for tests and diagnostics). */
  seq(): number | undefined;
}

export function connectLive(options: LiveOptions): Live {
  let lastSeq: number | undefined;
  let source: EventSource | undefined;
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let retryMs = RETRY_FIRST_MS;
  let heartbeatMs = DEFAULT_HEARTBEAT_MS;
  let lastHeartbeatAt = 0;
  let closed = false;

  const arm = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(lost, heartbeatMs * MISSED_HEARTBEATS + 1_000);
  };

  const handle = (type: string, data: string) => {
    let message: StreamMessage;
    try {
      message = JSON.parse(data) as StreamMessage;
    } catch {
      return;
    }
    arm();
    if (type === 'heartbeat') {
      const now = Date.now();
      if (lastHeartbeatAt > 0) heartbeatMs = Math.max(1_000, Math.min(60_000, now - lastHeartbeatAt));
      lastHeartbeatAt = now;
    }
    if (type === 'overflow' || type === 'shutdown') return; // the stream ends next; onerror resumes
    const isState = type === 'snapshot' || type === 'reset';
    // A replay overlapping what we have: skip, the hub's seq is the order.
    if (!isState && type !== 'heartbeat' && lastSeq !== undefined && message.seq <= lastSeq) return;
    if (typeof message.seq === 'number') lastSeq = Math.max(lastSeq ?? 0, message.seq);
    if (isState) lastSeq = message.seq;
    options.onMessage(message);
  };

  function open() {
    if (closed) return;
    const join = options.url.includes('?') ? '&' : '?';
    const url = lastSeq === undefined ? options.url : `${options.url}${join}since=${lastSeq}`;
    const es = new EventSource(url);
    source = es;
    es.onopen = () => {
      retryMs = RETRY_FIRST_MS;
      lastHeartbeatAt = 0;
      arm();
      options.onStatus('live');
    };
    es.onerror = () => {
      if (source === es) lost();
    };
    for (const type of TYPES)
      es.addEventListener(type, (event) => handle(type, (event as MessageEvent<string>).data));
  }

  function lost() {
    clearTimeout(watchdog);
    source?.close();
    source = undefined;
    if (closed) return;
    options.onStatus('lost');
    clearTimeout(retry);
    // Jitter spreads a million reconnecting phones over the interval instead of one instant.
    retry = setTimeout(open, retryMs * (0.5 + Math.random() / 2));
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
  }

  const online = () => {
    if (!source) {
      clearTimeout(retry);
      open();
    }
  };
  window.addEventListener('online', online);
  options.onStatus('connecting');
  open();

  return {
    close() {
      closed = true;
      clearTimeout(watchdog);
      clearTimeout(retry);
      source?.close();
      window.removeEventListener('online', online);
    },
    seq: () => lastSeq,
  };
}
