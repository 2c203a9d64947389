// The cluster bus: NATS JetStream. Committed events reach the stream through the outbox relay
// (outbox-relay.ts), never straight from `publish`, so the stream holds every event once, in seq
// order, even across crashes and several nodes. Each bus reads the stream with one ordered
// consumer and hands every event to its local handlers: every process of every node sees every
// event once, in order.
import {
  connect,
  DeliverPolicy,
  DiscardPolicy,
  headers,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsError,
  nanos,
  RetentionPolicy,
  StorageType,
} from 'nats';
import type { EventRecord, Store } from '../store/store.ts';
import type { Bus, BusEvent, BusHandler } from './bus.ts';
import {
  type AppendOutcome,
  createOutboxRelay,
  type OutboxRelay,
  type RelaySink,
  type StreamTail,
} from './outbox-relay.ts';

export interface NatsBusOptions {
  /** `nats://host:port` (comma-separated for several servers). */
  url: string;
  /** JetStream stream name, one per deployment (letters, digits, `-`, `_`). */
  stream: string;
  /** Subject prefix, one per deployment; events go to `<prefix>.event.<type>`. */
  subjectPrefix: string;
  /** The event log the outbox relay publishes from. */
  source: Pick<Store, 'readEvents'>;
  /** Start reading the stream after this event seq (default: only events published from now on). */
  startAfterSeq?: number;
  /** JetStream de-duplication window (default 2 minutes). */
  duplicateWindowMs?: number;
  /**
   * Events the stream keeps (default 100,000; the store's log is the record). A count, not an
   * age: the newest events always stay, so a relay starting after a quiet week still finds the
   * stream's tail instead of republishing the whole log.
   */
  maxMessages?: number;
  /** How long `publish` waits for the event to reach the stream (default 5 s). */
  publishWaitMs?: number;
  relayPollMs?: number;
  /** Failures the bus survives (relay retries, a malformed message skipped, a throwing handler). */
  onError?: (error: unknown, context: string) => void;
}

export interface NatsBus extends Bus {
  readonly relay: OutboxRelay;
}

const HEADER = {
  seq: 'Tocsin-Seq',
  type: 'Tocsin-Type',
  regions: 'Tocsin-Regions',
  msgId: 'Nats-Msg-Id',
} as const;
/** JetStream API error codes for a failed `expect` precondition (wrong last msg id / last sequence). */
const WRONG_LAST_CODES = new Set([10070, 10071]);
/** Events kept for the first subscriber; a node that never subscribes holds no more than this. */
const MAX_HELD_EVENTS = 10_000;
const STREAM_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
/** A subject token per event type (`alert.issued` → `<prefix>.event.alert.issued`). */
const EVENT_TYPE_SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

const encoder = new TextEncoder();

/** Connects, creates or updates the stream, starts the ordered consumer and the outbox relay. */
export async function createNatsBus(options: NatsBusOptions): Promise<NatsBus> {
  checkOptions(options);
  const report = options.onError ?? (() => {});
  const subjectRoot = `${options.subjectPrefix}.event`;
  // The first connect fails fast (a wrong URL is a start-up error); once up, the hub never gives
  // up reconnecting (the client's default stops after 10 attempts, leaving a dead bus behind).
  const nc = await connect({
    servers: options.url.split(','),
    name: `tocsin:${options.stream}`,
    maxReconnectAttempts: -1,
  });
  try {
    const jsm = await nc.jetstreamManager();
    await ensureStream(jsm, options, subjectRoot);
    const js = nc.jetstream();

    let handlers: readonly BusHandler[] = [];
    let lastSeq = options.startAfterSeq ?? 0;
    let closed = false;
    // Events that arrive before anyone subscribed (the history after `startAfterSeq`, or events
    // published while the node is still starting) wait here for the first subscriber.
    let held: BusEvent[] | undefined = [];
    const dispatch = (event: BusEvent): void => {
      for (const handler of handlers) {
        try {
          handler(event);
        } catch (error) {
          report(error, 'handler');
        }
      }
    };
    const deliver = (msg: JsMsg): void => {
      const event = decode(msg);
      if (event === undefined) {
        report(new Error(`skipped malformed message ${msg.seq} on ${msg.subject}`), 'consume');
        return;
      }
      // The relay keeps the stream in seq order; this guard makes "never twice" local, too.
      if (event.seq <= lastSeq) return;
      lastSeq = event.seq;
      if (held !== undefined) {
        if (held.length >= MAX_HELD_EVENTS) {
          held.shift();
          report(
            new Error(`no subscriber yet: dropped held event ${event.seq - MAX_HELD_EVENTS}`),
            'consume',
          );
        }
        held.push(event);
        return;
      }
      dispatch(event);
    };
    const consumer = await js.consumers.get(options.stream, {
      filterSubjects: `${subjectRoot}.>`,
      ...(await startPosition(jsm, options.stream, options.startAfterSeq)),
    });
    const messages = await consumer.consume({ callback: deliver });

    const relay = createOutboxRelay({
      source: options.source,
      sink: jetStreamSink(js, jsm, options.stream, subjectRoot),
      ...(options.relayPollMs === undefined ? {} : { pollMs: options.relayPollMs }),
      onError: (error) => report(error, 'relay'),
    });
    await relay.start();

    void nc.closed().then((error) => {
      if (!closed) report(error ?? new Error('NATS connection closed'), 'connection');
    });

    const publishWaitMs = options.publishWaitMs ?? 5_000;
    return {
      relay,
      async publish(event: BusEvent) {
        if (closed) return;
        relay.wake();
        // The event is durable in the log: if the stream is slow or down the relay keeps trying.
        if (!(await relay.waitFor(event.seq, publishWaitMs)) && !closed) {
          report(
            new Error(`event ${event.seq} not in the stream after ${publishWaitMs} ms; relay retrying`),
            'publish',
          );
        }
      },
      subscribe(handler: BusHandler) {
        handlers = [...handlers, handler];
        if (held !== undefined) {
          // The first subscriber receives the held events, in order, before subscribe returns.
          const backlog = held;
          held = undefined;
          for (const event of backlog) dispatch(event);
        }
        return () => {
          handlers = handlers.filter((h) => h !== handler);
        };
      },
      async close() {
        if (closed) return;
        closed = true;
        await relay.stop();
        await messages.close();
        handlers = [];
        await nc.drain();
      },
    } satisfies NatsBus;
  } catch (error) {
    await nc.close();
    throw error;
  }
}

function checkOptions(options: NatsBusOptions): void {
  const problems: string[] = [];
  if (!STREAM_NAME.test(options.stream))
    problems.push(`stream ${JSON.stringify(options.stream)}: use letters, digits, - and _ (at most 64)`);
  if (!SUBJECT_PREFIX.test(options.subjectPrefix))
    problems.push(
      `subjectPrefix ${JSON.stringify(options.subjectPrefix)}: dot-separated tokens of letters, digits, - and _`,
    );
  if (problems.length > 0) throw new Error(`invalid NATS bus options: ${problems.join('; ')}`);
}

async function ensureStream(
  jsm: JetStreamManager,
  options: NatsBusOptions,
  subjectRoot: string,
): Promise<void> {
  const config = {
    subjects: [`${subjectRoot}.>`],
    duplicate_window: nanos(options.duplicateWindowMs ?? 120_000),
    max_msgs: options.maxMessages ?? 100_000,
    max_age: 0,
  };
  try {
    await jsm.streams.info(options.stream);
    await jsm.streams.update(options.stream, config);
  } catch (error) {
    if (!isStreamNotFound(error)) throw error;
    await jsm.streams.add({
      name: options.stream,
      ...config,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.Old,
    });
  }
}

/** Where the ordered consumer starts: the first message after event `afterSeq`, or only new ones. */
async function startPosition(
  jsm: JetStreamManager,
  stream: string,
  afterSeq: number | undefined,
): Promise<{ deliver_policy: DeliverPolicy; opt_start_seq?: number }> {
  if (afterSeq === undefined) return { deliver_policy: DeliverPolicy.New };
  const { state } = await jsm.streams.info(stream);
  // Nothing after `afterSeq` yet: start at the next position (not "new", which would skip a
  // message appended between this look and the consumer's creation).
  const next = { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: state.last_seq + 1 };
  if (state.messages === 0) return next;
  // Binary search over stream positions: our events are in seq order (the relay appends them in
  // order); a foreign message is read as "before" so the search never starts too late.
  let lo = Math.max(1, state.first_seq);
  let hi = state.last_seq + 1;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    const seq = await eventSeqAt(jsm, stream, mid);
    if (seq !== undefined && seq > afterSeq) hi = mid;
    else lo = mid + 1;
  }
  return lo > state.last_seq ? next : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: lo };
}

/** The Tocsin seq of the message at a stream position; undefined for a foreign or deleted one. */
async function eventSeqAt(
  jsm: JetStreamManager,
  stream: string,
  position: number,
): Promise<number | undefined> {
  try {
    const msg = await jsm.streams.getMessage(stream, { seq: position });
    const seq = Number(msg.header?.get(HEADER.seq));
    return Number.isSafeInteger(seq) && seq > 0 ? seq : undefined;
  } catch (error) {
    if (isMessageNotFound(error)) return undefined;
    throw error;
  }
}

/** How far back the tail is searched past foreign messages before giving up. */
const TAIL_SCAN_LIMIT = 1_000;

async function readTail(jsm: JetStreamManager, stream: string): Promise<StreamTail> {
  const info = await jsm.streams.info(stream);
  const streamSeq = info.state.last_seq;
  const stop = Math.max(info.state.first_seq, streamSeq - TAIL_SCAN_LIMIT);
  for (let position = streamSeq; position >= stop && info.state.messages > 0; position--) {
    try {
      const msg = await jsm.streams.getMessage(stream, { seq: position });
      const seq = Number(msg.header?.get(HEADER.seq));
      const id = msg.header?.get(HEADER.msgId) ?? '';
      if (Number.isSafeInteger(seq) && seq > 0 && id !== '') return { streamSeq, last: { seq, id } };
    } catch (error) {
      if (!isMessageNotFound(error)) throw error;
    }
  }
  return { streamSeq, last: null };
}

function jetStreamSink(
  js: JetStreamClient,
  jsm: JetStreamManager,
  stream: string,
  subjectRoot: string,
): RelaySink {
  return {
    tail: () => readTail(jsm, stream),
    async append(event: EventRecord, after: StreamTail): Promise<AppendOutcome> {
      const h = headers();
      h.set(HEADER.seq, String(event.seq));
      h.set(HEADER.type, event.type);
      // JSON keeps any region code intact (a header value holds no raw line break).
      h.set(HEADER.regions, JSON.stringify(event.regions));
      const subject = EVENT_TYPE_SUBJECT.test(event.type)
        ? `${subjectRoot}.${event.type}`
        : `${subjectRoot}.other`;
      try {
        const ack = await js.publish(subject, encoder.encode(event.json), {
          msgID: event.id,
          headers: h,
          // The stream checks the de-duplication window first, then this position.
          expect: { lastSequence: after.streamSeq, streamName: stream },
        });
        return ack.duplicate ? { kind: 'duplicate' } : { kind: 'appended', streamSeq: ack.seq };
      } catch (error) {
        if (WRONG_LAST_CODES.has((error as NatsError).api_error?.err_code ?? 0)) return { kind: 'conflict' };
        throw error;
      }
    },
  };
}

function decode(msg: JsMsg): BusEvent | undefined {
  const h = msg.headers;
  if (!h) return undefined;
  const seq = Number(h.get(HEADER.seq));
  const id = h.get(HEADER.msgId);
  const type = h.get(HEADER.type);
  if (!Number.isSafeInteger(seq) || seq <= 0 || id === '' || type === '') return undefined;
  const regions = parseRegions(h.get(HEADER.regions));
  if (regions === undefined) return undefined;
  return { seq, id, type, regions, json: msg.string() };
}

function parseRegions(text: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  } catch {
    // fall through: not Tocsin's header
  }
  return undefined;
}

function isMessageNotFound(error: unknown): boolean {
  const e = error as NatsError;
  return e?.api_error?.err_code === 10037 || /no message found/i.test(String(e?.message));
}

function isStreamNotFound(error: unknown): boolean {
  const e = error as NatsError;
  return e?.api_error?.err_code === 10059 || /stream not found/i.test(String(e?.message));
}
