// The stream hub: takes committed events from the bus in seq order, frames each once per wire
// format and writes the same bytes to every matching socket; opens new streams with a snapshot
// or a replay from the durable log, with no gap and no duplicate.
//
// Opening a stream races with live events; the order that makes it exact:
//   1. register the subscriber (not yet live: matching events go to its buffer);
//   2. take the frontier R0 = last seq sequenced by the hub;
//   3. send the snapshot (cursor = its seq S) or take the client's `since` as the cursor;
//   4. replay (cursor, R0] from recent memory or the store, then drain the buffer;
//   every write skips seq ≤ cursor, so overlaps between the three sources vanish.
import { compactEventText, compactSnapshotText } from './compact.ts';
import type { CloseCause, EndReason, StreamSink } from './connection.ts';
import { sseFrame, toStreamEvent, wsTextFrame } from './frames.ts';
import { heartbeatFrames, startHeartbeat } from './heartbeat.ts';
import type { ConnectionLimits } from './limits.ts';
import { createConnectionLimits } from './limits.ts';
import type { Registered } from './registry.ts';
import { createRegistry, subscriptionMatches } from './registry.ts';
import type { CommittedEvent, StreamDeps, StreamEvent, StreamOptions, SubscriptionSpec } from './types.ts';
import { DEFAULT_STREAM_OPTIONS, isExerciseStatus } from './types.ts';

/** An event with its frames, built on first need and shared by every subscriber. */
interface FramedEvent {
  event: StreamEvent;
  sse?: Buffer;
  ws?: Buffer;
  /** Compact frames per subscription group; null when the group has nothing to hear. */
  compact?: Map<string, CompactFrames | null>;
}

interface CompactFrames {
  text: string;
  sse?: Buffer;
  ws?: Buffer;
}

interface Subscriber extends Registered {
  readonly sink: StreamSink;
  /** Which of the heartbeat groups beats this stream (see BEAT_GROUP_MS). */
  readonly beatGroup: number;
  readonly spec: SubscriptionSpec;
  /** Subscriptions with the same key get the same compact lines and snapshots. */
  readonly group: string;
  /** Every event up to here was written or skipped. */
  cursor: number;
  live: boolean;
  buffer: FramedEvent[] | null;
  bufferedBytes: number;
  /** Frames waiting for this socket's next write, in seq order (one Buffer, or several). */
  out: Buffer | Buffer[] | null;
  /** The seq of the last frame in `out`: the cursor once it is written. */
  outSeq: number;
  outBytes: number;
  notified: boolean;
}

export interface DisconnectInfo {
  transport: 'sse' | 'ws';
  ip: string;
  cause: CloseCause;
  /** The last seq handled for this subscriber. */
  cursor: number;
}

export type ResetReason = 'since_expired' | 'since_ahead';

export interface StreamHub {
  readonly options: StreamOptions;
  readonly limits: ConnectionLimits;
  /** Subscribes to the bus, reads the log's frontier, starts the heartbeat. */
  start(): Promise<void>;
  /** Ends every stream (`shutdown`) and resolves when their sockets have closed. */
  stop(): Promise<void>;
  /** Runs a new stream: snapshot or replay, then live. The caller already took a limit slot. */
  open(sink: StreamSink, spec: SubscriptionSpec): Promise<void>;
  /** Sends a signed heartbeat to every live stream now (the timer calls it too). */
  heartbeat(): void;
  /** The last seq written to the live streams. */
  readonly seq: number;
  readonly connections: number;
  /** Called once per stream: when the hub ends it (overflow, shutdown) or the client leaves. */
  onDisconnect(listener: (info: DisconnectInfo) => void): () => void;
}

/** When the bus skipped a seq, the store is asked again after this long if it lacked it too. */
const GAP_RETRY_MS = 50;

/**
 * Sockets written per turn of the loop during a fan-out. Between slices the loop runs, so events
 * committed meanwhile (the rest of a burst of POSTs) join the frames of every socket not yet
 * written: one write per socket for the whole burst instead of one per event. A write of a 2 KiB
 * frame costs ≈ 9 µs here (16,000 in ≈ 150 ms), so a slice is ≈ 9 ms of the loop.
 */
const WRITE_SLICE = 1_000;

/**
 * Heartbeats are spread over the interval: streams are dealt into heartbeatMs / BEAT_GROUP_MS
 * groups and one group is beaten every BEAT_GROUP_MS, so each stream still gets a beat every
 * heartbeatMs but the hub never writes to every socket at once. At 100,000 subscribers a beat to
 * all was a whole fan-out (≈ 0.8 s of both cores) and an alert that came during it was 100–200 ms
 * late (the spikes every ≈ 15 s in the scale run); one group of 15 costs a fifteenth of that.
 */
const BEAT_GROUP_MS = 1_000;

/** Joined frames shared by every socket that waits for the same frames (see `joined`). */
interface Joined {
  parts: Buffer[];
  bytes: Buffer;
}

export function createStreamHub(deps: StreamDeps): StreamHub {
  const options: StreamOptions = { ...DEFAULT_STREAM_OPTIONS, ...deps.options };
  const { tree, state, log, sign } = deps;
  const now = deps.now ?? (() => new Date());
  const limits = createConnectionLimits(options.maxConnections, options.maxConnectionsPerIp);
  const registry = createRegistry<Subscriber>(tree);
  const disconnectListeners = new Set<(info: DisconnectInfo) => void>();

  let started = false;
  let stopped = false;
  let unsubscribe: (() => void) | undefined;
  let stopHeartbeat: (() => void) | undefined;
  /** Last seq taken in order from the bus (or the store, to fill a gap). */
  let sequenced = 0;
  /** Last seq written to the live streams. */
  let delivered = 0;
  const pending = new Map<number, CommittedEvent>();
  let filling = false;
  /** Sequenced events not yet handed to the subscribers' `out`. */
  let queue: FramedEvent[] = [];
  /** The last seq handed to the subscribers' `out`. */
  let distributed = 0;
  /** Subscribers whose `out` waits for a write, in the order they got it; `dirtyAt` is the next. */
  let dirty: Subscriber[] = [];
  let dirtyAt = 0;
  let drainScheduled = false;
  /** Joined frames by their first part, kept while a fan-out runs (one per format and group). */
  const joins = new Map<Buffer, Joined>();
  const beatGroups = Math.max(1, Math.floor(options.heartbeatMs / BEAT_GROUP_MS));
  let nextBeatGroup = 0;
  let beatTicks = 0;
  /** The most recent events, contiguous by seq, kept framed for replays. */
  let recent: FramedEvent[] = [];
  const snapshots = new Map<string, string>();
  let snapshotsSeq = -1;

  // ---- sequencing: the bus may repeat or skip; streams see every seq once, in order ----

  function receive(committed: CommittedEvent): void {
    if (committed.seq <= sequenced || pending.has(committed.seq)) return;
    pending.set(committed.seq, committed);
    if (started) pump();
  }

  function pump(): void {
    for (let next = pending.get(sequenced + 1); next; next = pending.get(sequenced + 1)) {
      pending.delete(next.seq);
      accept(next);
    }
    if (pending.size > 0 && !filling) void fillGap();
  }

  function accept(committed: CommittedEvent): void {
    sequenced = committed.seq;
    let event: StreamEvent;
    try {
      event = toStreamEvent(committed);
    } catch (error) {
      deps.logger?.warn(
        { seq: committed.seq, err: error },
        'stream: event JSON does not parse; not delivered',
      );
      recent = []; // the ring holds contiguous seqs only
      return;
    }
    const framed: FramedEvent = { event };
    recent.push(framed);
    if (recent.length > options.recentEvents * 2) recent = recent.slice(-options.recentEvents);
    queue.push(framed);
    scheduleDrain();
  }

  async function fillGap(): Promise<void> {
    filling = true;
    let progressed = false;
    try {
      const firstHeld = Math.min(...pending.keys());
      const missing = await log.readEvents(
        sequenced,
        Math.min(firstHeld - sequenced - 1, options.replayPageSize),
      );
      for (const committed of missing) {
        if (committed.seq !== sequenced + 1) break;
        accept(committed);
        progressed = true;
      }
    } catch (error) {
      deps.logger?.warn({ err: error, after: sequenced }, 'stream: reading the log to fill a gap failed');
    } finally {
      filling = false;
    }
    if (stopped) return;
    if (progressed) pump();
    else if (pending.size > 0)
      setTimeout(() => pending.size > 0 && !filling && void fillGap(), GAP_RETRY_MS).unref();
  }

  // ---- fan-out ----
  // An event goes first to the `out` of every matching live subscriber (one walk of the index,
  // no syscall), then the sockets are written in slices of WRITE_SLICE per turn of the loop.
  // An event that arrives before a socket's turn joins its `out`, so each socket gets one write
  // of all its waiting frames, and subscribers with the same frames share one joined Buffer.

  function scheduleDrain(): void {
    if (drainScheduled) return;
    drainScheduled = true;
    setImmediate(drainSlice);
  }

  function drainSlice(): void {
    drainScheduled = false;
    distribute();
    writeDirty(WRITE_SLICE);
    if (dirtyAt < dirty.length) scheduleDrain();
  }

  /** Finishes the fan-out now: every sequenced event written to every live socket. */
  function drainAll(): void {
    distribute();
    writeDirty(Number.POSITIVE_INFINITY);
  }

  function distribute(): void {
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    for (const framed of batch) {
      if (!framed.event.hidden) {
        registry.forEachMatch(framed.event.seq, framed.event.regions, (sub) => append(sub, framed));
      }
      distributed = framed.event.seq;
    }
  }

  function writeDirty(limit: number): void {
    const end = Math.min(dirty.length, dirtyAt + limit);
    for (; dirtyAt < end; dirtyAt++) {
      const sub = dirty[dirtyAt] as Subscriber;
      const out = sub.out;
      if (out === null) continue; // ended meanwhile
      sub.out = null;
      sub.outBytes = 0;
      if (sub.sink.write(Array.isArray(out) ? joined(out) : out)) sub.cursor = sub.outSeq;
      else endSub(sub, 'overflow');
    }
    if (dirtyAt === dirty.length) {
      dirty = [];
      dirtyAt = 0;
      joins.clear();
      delivered = distributed;
    }
  }

  function wanted(sub: Subscriber, framed: FramedEvent): boolean {
    // seq ≤ cursor: a stream that went live before this flush already had it from its replay.
    if (framed.event.seq <= sub.cursor) return false;
    return !(sub.spec.excludeExercises && isExerciseStatus(framed.event.status));
  }

  function holdBack(sub: Subscriber, framed: FramedEvent): void {
    (sub.buffer as FramedEvent[]).push(framed);
    sub.bufferedBytes += framed.event.json.length;
    if (sub.bufferedBytes > options.maxQueueBytes) endSub(sub, 'overflow');
  }

  function append(sub: Subscriber, framed: FramedEvent): void {
    if (!wanted(sub, framed)) return;
    if (!sub.live) {
      holdBack(sub, framed);
      return;
    }
    const frame = frameFor(sub, framed);
    if (frame) enqueue(sub, frame, framed.event.seq);
  }

  /** Adds a frame to the socket's next write; `seq` becomes its cursor once written. */
  function enqueue(sub: Subscriber, frame: Buffer, seq: number): void {
    const out = sub.out;
    if (out === null) {
      sub.out = frame;
      dirty.push(sub);
    } else if (Array.isArray(out)) out.push(frame);
    else sub.out = [out, frame];
    sub.outSeq = seq;
    sub.outBytes += frame.length;
    // The write checks these bytes and the socket's queue against the bound; this keeps frames
    // piling up here between slices under it too (one frame alone may be larger, as on the socket).
    if (out !== null && sub.outBytes > options.maxQueueBytes) endSub(sub, 'overflow');
  }

  /**
   * The frames as one Buffer: one write(2) instead of cork + N writes + writev. Subscribers of the
   * same format and region usually wait for exactly the same frames, so the joined Buffer is
   * built once and shared (keyed by its first part, checked part by part).
   */
  function joined(parts: Buffer[]): Buffer {
    const first = parts[0] as Buffer;
    const known = joins.get(first);
    if (known && known.parts.length === parts.length && known.parts.every((part, i) => part === parts[i]))
      return known.bytes;
    const bytes = Buffer.concat(parts);
    joins.set(first, { parts, bytes });
    return bytes;
  }

  function frameFor(sub: Subscriber, framed: FramedEvent): Buffer | null {
    const { event } = framed;
    const sse = sub.sink.transport === 'sse';
    if (sub.spec.format === 'json') {
      if (sse) {
        framed.sse ??= sseFrame(event.type, event.json, event.seq);
        return framed.sse;
      }
      framed.ws ??= wsTextFrame(event.json);
      return framed.ws;
    }
    framed.compact ??= new Map();
    let lines = framed.compact.get(sub.group);
    if (lines === undefined) {
      const text = compactEventText(event, sub.spec.codes, state, tree, sub.spec.excludeExercises);
      lines = text === '' ? null : { text };
      framed.compact.set(sub.group, lines);
    }
    if (lines === null) return null;
    if (sse) {
      lines.sse ??= sseFrame(event.type, lines.text, event.seq);
      return lines.sse;
    }
    lines.ws ??= wsTextFrame(lines.text);
    return lines.ws;
  }

  function endSub(sub: Subscriber, reason: EndReason): void {
    registry.remove(sub);
    sub.buffer = null;
    sub.out = null;
    sub.sink.end(reason, sub.cursor);
    notifyDisconnect(sub, reason);
  }

  /** Told once per stream: when the hub decides to end it, or when the client goes. */
  function notifyDisconnect(sub: Subscriber, cause: CloseCause): void {
    if (sub.notified) return;
    sub.notified = true;
    const info: DisconnectInfo = {
      transport: sub.sink.transport,
      ip: sub.sink.ip,
      cause,
      cursor: sub.cursor,
    };
    for (const listener of disconnectListeners) listener(info);
  }

  // ---- opening a stream ----

  function snapshotFrame(
    sub: Subscriber,
    kind: 'snapshot' | 'reset',
    reason?: ResetReason,
  ): { seq: number; frame: Buffer } {
    const seq = state.seq();
    if (seq !== snapshotsSeq) {
      snapshots.clear();
      snapshotsSeq = seq;
    }
    const compact = sub.spec.format === 'compact';
    const key = `${kind}|${reason ?? ''}|${compact ? 'c' : 'j'}|${sub.group}`;
    let text = snapshots.get(key);
    if (text === undefined) {
      text = compact
        ? compactSnapshotText(
            kind === 'reset' ? 'R' : 'S',
            seq,
            sub.spec.codes,
            state,
            tree,
            sub.spec.excludeExercises,
          )
        : snapshotJson(sub.spec, kind, seq, reason);
      if (snapshots.size > 1000) snapshots.clear();
      snapshots.set(key, text);
    }
    const frame = sub.sink.transport === 'sse' ? sseFrame(kind, text, seq) : wsTextFrame(text);
    return { seq, frame };
  }

  function snapshotJson(
    spec: SubscriptionSpec,
    kind: 'snapshot' | 'reset',
    seq: number,
    reason?: ResetReason,
  ): string {
    const codes = spec.codes;
    const shown = new Set<string>(codes ?? []);
    for (const active of state.activeCodes()) {
      if (codes === null || codes.some((code) => tree.covers(code, active))) shown.add(active);
    }
    const regions: Record<string, unknown[]> = {};
    for (const code of shown) {
      regions[code] = state
        .entries(code)
        .filter((entry) => !(spec.excludeExercises && isExerciseStatus(entry.status)))
        .map((entry) => entry.detail);
    }
    const unsigned: Record<string, unknown> = { type: kind, seq, time: now().toISOString(), regions };
    if (reason) unsigned.reason = reason;
    return sign(unsigned);
  }

  async function resetReason(since: number): Promise<ResetReason | undefined> {
    if (since > sequenced) return since > (await log.latestSeq()) ? 'since_ahead' : undefined;
    if (since === sequenced) return undefined;
    // Kept in memory: no store query (a reconnect storm after a restart asks this 100k times).
    const first = recent[0];
    if (first && first.event.seq <= since + 1) return undefined;
    const oldest = await log.oldestRetainedSeq();
    if (oldest === null || since + 1 < oldest) return 'since_expired';
    return undefined;
  }

  function recentAfter(after: number, upTo: number): FramedEvent[] | null {
    const first = recent[0];
    if (!first || first.event.seq > after + 1) return null;
    const start = after + 1 - first.event.seq;
    return recent.slice(start, start + (upTo - after));
  }

  async function replay(sub: Subscriber, upTo: number): Promise<void> {
    let after = sub.cursor;
    while (after < upTo && !sub.sink.closed) {
      let page = recentAfter(after, upTo);
      if (page === null) {
        const rows = await log.readEvents(after, Math.min(options.replayPageSize, upTo - after));
        page = rows
          .filter((row) => row.seq > after && row.seq <= upTo)
          .map((row) => ({ event: toStreamEvent(row) }));
        if (page.length === 0) break;
      }
      for (const framed of page) {
        after = framed.event.seq;
        if (after <= sub.cursor) continue;
        if (
          !framed.event.hidden &&
          wanted(sub, framed) &&
          subscriptionMatches(tree, sub.spec.codes, framed.event.regions)
        ) {
          const frame = frameFor(sub, framed);
          if (frame && sub.sink.queuedBytes() + frame.length > options.maxQueueBytes)
            await sub.sink.drained();
          if (frame && !sub.sink.write(frame)) return;
        }
        sub.cursor = after;
      }
    }
  }

  async function open(sink: StreamSink, spec: SubscriptionSpec): Promise<void> {
    const sub: Subscriber = {
      sink,
      spec,
      codes: spec.codes,
      group: `${spec.excludeExercises ? 'x' : 'a'}|${spec.codes === null ? '*' : [...spec.codes].sort().join(',')}`,
      mark: -1,
      cursor: 0,
      beatGroup: nextBeatGroup++ % beatGroups,
      live: false,
      buffer: [],
      bufferedBytes: 0,
      out: null,
      outSeq: 0,
      outBytes: 0,
      notified: false,
    };
    if (stopped) {
      limits.release(sink.ip);
      sink.end('shutdown', sub.cursor);
      return;
    }
    registry.add(sub);
    sink.onClose((cause) => {
      registry.remove(sub);
      sub.buffer = null;
      sub.out = null;
      limits.release(sink.ip);
      notifyDisconnect(sub, cause);
    });
    try {
      const upTo = sequenced;
      const reason =
        spec.since === undefined || spec.format === 'compact' ? undefined : await resetReason(spec.since);
      if (spec.since === undefined || spec.format === 'compact' || reason) {
        const snapshot = snapshotFrame(sub, reason ? 'reset' : 'snapshot', reason);
        sink.write(snapshot.frame);
        sub.cursor = snapshot.seq;
      } else {
        sub.cursor = spec.since;
      }
      await replay(sub, upTo);
      if (sink.closed || sub.buffer === null) return;
      const frames: Buffer[] = [];
      for (const framed of sub.buffer) {
        if (framed.event.seq <= sub.cursor) continue;
        const frame = frameFor(sub, framed);
        if (frame) frames.push(frame);
        sub.cursor = framed.event.seq;
      }
      sub.buffer = null;
      sub.live = true;
      if (frames.length > 0 && !sink.writeMany(frames)) endSub(sub, 'overflow');
    } catch (error) {
      deps.logger?.warn({ err: error }, 'stream: opening a stream failed');
      endSub(sub, 'shutdown');
    }
  }

  // ---- heartbeat and lifecycle ----

  // A beat is one more frame in each socket's next write, after every event it covers, and goes
  // out in the same slices: an event committed during a beat joins it (at 100,000 subscribers a
  // beat written in one go held the loop ≈ 1 s and doubled the latency of an event behind it).
  /** Beats the streams of one group, or all of them (`group` -1). */
  function beat(group: number): void {
    if (registry.size === 0) return;
    distribute();
    // Every event up to `distributed` is written, or waits in `out` ahead of the beat.
    const seq = distributed;
    let frames: ReturnType<typeof heartbeatFrames> | undefined;
    for (const sub of registry.all()) {
      // A stream whose snapshot is ahead of the fan-out waits for the next beat.
      if (!sub.live || sub.cursor > seq || (group >= 0 && sub.beatGroup !== group)) continue;
      frames ??= heartbeatFrames(seq, now(), sign);
      const compact = sub.spec.format === 'compact';
      const frame =
        sub.sink.transport === 'sse'
          ? compact
            ? frames.compactSse
            : frames.sse
          : compact
            ? frames.compactWs
            : frames.ws;
      enqueue(sub, frame, sub.out === null ? sub.cursor : sub.outSeq);
    }
    scheduleDrain();
  }

  function heartbeat(): void {
    beat(-1);
  }

  function beatNextGroup(): void {
    beat(beatTicks % beatGroups);
    beatTicks++;
  }

  return {
    options,
    limits,
    async start() {
      unsubscribe = deps.bus.subscribe(receive);
      const latest = await log.latestSeq();
      // The last events go to memory first, so clients resuming after a restart skip the store.
      const warm =
        latest > 0
          ? await log.readEvents(Math.max(0, latest - options.recentEvents), options.recentEvents)
          : [];
      for (const committed of warm) {
        const last = recent[recent.length - 1];
        if (committed.seq > latest || (last && committed.seq !== last.event.seq + 1)) break;
        try {
          recent.push({ event: toStreamEvent(committed) });
        } catch {
          recent = [];
        }
      }
      // The ring must end at `latest` with no hole, or replays would index it wrongly.
      if (recent[recent.length - 1]?.event.seq !== latest) recent = [];
      sequenced = Math.max(sequenced, latest);
      distributed = sequenced;
      delivered = sequenced;
      for (const seq of pending.keys()) if (seq <= sequenced) pending.delete(seq);
      started = true;
      pump();
      stopHeartbeat = startHeartbeat(options.heartbeatMs / beatGroups, beatNextGroup);
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      stopHeartbeat?.();
      drainAll();
      const closing: Promise<void>[] = [];
      for (const sub of [...registry.all()]) {
        closing.push(new Promise((resolve) => sub.sink.onClose(() => resolve())));
        endSub(sub, 'shutdown');
      }
      await Promise.all(closing);
    },
    open,
    heartbeat,
    get seq() {
      return delivered;
    },
    get connections() {
      return registry.size;
    },
    onDisconnect(listener) {
      disconnectListeners.add(listener);
      return () => disconnectListeners.delete(listener);
    },
  };
}
