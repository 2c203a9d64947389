// What the stream hub needs from the rest of Tocsin, described as small local interfaces so the
// composition root can hand in the real store, bus, alert service and signer (or tests hand in
// small real in-memory versions) without this folder importing any engine.
import type { RegionTree } from '../../geo/types.ts';

/** A committed, signed event as the bus delivers it and the store's log returns it. */
export interface CommittedEvent {
  seq: number;
  /** The signed event JSON exactly as stored (`{ seq, id, type, time, regions, alert, kid, sig }`). */
  json: string;
}

/** The bus: committed events, in commit order, once each (duplicates and gaps are tolerated). */
export interface EventFeed {
  subscribe(handler: (event: CommittedEvent) => void): () => void;
}

/** The durable event log, for replay after a reconnect. */
export interface EventLog {
  /** Events with `seq > afterSeq`, ascending, at most `limit`. */
  readEvents(afterSeq: number, limit: number): Promise<readonly CommittedEvent[]>;
  latestSeq(): Promise<number>;
  /** The smallest seq still kept; null when the log is empty. */
  oldestRetainedSeq(): Promise<number | null>;
}

/** One active incident as region state shows it. */
export interface StateEntry {
  /** Tocsin event type code (`air_raid`, ...). */
  event: string;
  /** CAP status of the alert (`Actual`, `Exercise`, `Test`, ...). */
  status: string;
  /** The alert covers the whole region (issued on it or an ancestor, or coverage ≥ threshold). */
  whole: boolean;
  /** What the snapshot shows for this entry (serialised as is). */
  detail: unknown;
}

/**
 * Region state, read synchronously from memory. `seq()` is the last event the state reflects;
 * the state must reflect an event before the bus hands that event to the hub (in-process:
 * the alert service updates its state, then publishes), so compact lines show the new state.
 */
export interface StateView {
  seq(): number;
  /** Codes of regions with incidents of their own (not only inherited). */
  activeCodes(): readonly string[];
  /** The incidents active in a region: its own and those inherited from its ancestors. */
  entries(code: string): readonly StateEntry[];
}

/** Signs a hub-made message (snapshot, reset, heartbeat): returns the signed JSON text. */
export type SignJson = (unsigned: Record<string, unknown>) => string;

/** The parts of the region tree the streams use. */
export type StreamTree = Pick<RegionTree, 'has' | 'ancestors' | 'covers' | 'lookupPoint'>;

export interface StreamOptions {
  /** Signed heartbeat interval (issue 6: default 15 s). */
  heartbeatMs: number;
  /** Bytes a connection may have queued in user space before it is closed as too slow. */
  maxQueueBytes: number;
  /** Connections held by this process at most (the process has 20,000 descriptors here). */
  maxConnections: number;
  maxConnectionsPerIp: number;
  /** Region codes in one subscription at most. */
  maxRegions: number;
  /** Length of the query string at most, in bytes. */
  maxQueryBytes: number;
  /** Events read from the log per replay query. */
  replayPageSize: number;
  /** Recent events kept framed in memory so most resumes skip the store. */
  recentEvents: number;
  /** The path the streams answer on. */
  path: string;
}

export const DEFAULT_STREAM_OPTIONS: StreamOptions = {
  heartbeatMs: 15_000,
  // 1 MiB, as Centrifuge's ClientQueueMaxSize (notes/performance.md §3.4).
  maxQueueBytes: 1024 * 1024,
  maxConnections: 18_000,
  maxConnectionsPerIp: 1_000,
  maxRegions: 64,
  maxQueryBytes: 4096,
  replayPageSize: 500,
  recentEvents: 2048,
  path: '/v1/stream',
};

export interface StreamLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** Everything the streams receive from the composition root. */
export interface StreamDeps {
  tree: StreamTree;
  bus: EventFeed;
  log: EventLog;
  state: StateView;
  sign: SignJson;
  now?: () => Date;
  logger?: StreamLog;
  options?: Partial<StreamOptions>;
}

/** What one connection asked for, after validation. */
export interface SubscriptionSpec {
  /** Region codes; null means every region. */
  codes: readonly string[] | null;
  /** Resume after this seq (from `since` or `Last-Event-ID`). */
  since?: number;
  format: 'json' | 'compact';
  excludeExercises: boolean;
}

/** An event as the hub handles it: parsed once when it enters the hub. */
export interface StreamEvent {
  seq: number;
  type: string;
  regions: readonly string[];
  /** CAP status of the event's alert; '' when the event carries none. */
  status: string;
  /** Tocsin event type code of the alert; '' when unknown. */
  eventType: string;
  /** Operator-only events (alert.pending, .rejected, .lapsed) take a seq but are never streamed. */
  hidden: boolean;
  json: string;
}

/** CAP statuses a subscriber can opt out of with `exercises=exclude`. */
export function isExerciseStatus(status: string): boolean {
  return status === 'Exercise' || status === 'Test';
}
