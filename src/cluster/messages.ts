// What the primary and its stream workers say to each other over the cluster IPC channel.
// The primary owns the store and every write; a worker holds live streams and asks the primary
// for what it cannot know by itself (the event log for replays, the region records).
import type { PreparedJson } from '../alerts/types.ts';
import type { BusEvent } from '../bus/bus.ts';

/** Primary → worker, once, right after the fork: where the API is and the state to start from. */
export interface InitMessage {
  t: 'tocsin:init';
  /** `http://127.0.0.1:PORT` of the primary's internal listener: every non-stream request goes there. */
  upstream: string;
  state: PreparedJson;
}

/** Primary → workers: a committed event, with the region state after it when that changed. */
export interface EventMessage {
  t: 'tocsin:event';
  event: BusEvent;
  state?: PreparedJson;
}

/** Primary → workers: re-read the signing keys (SIGHUP after `tocsin keys rotate`). */
export interface ReloadKeysMessage {
  t: 'tocsin:reload-keys';
}

/** Primary → worker: end every stream (clients resume elsewhere), close, exit. */
export interface ShutdownMessage {
  t: 'tocsin:shutdown';
}

/** Worker → primary: listening for messages; send the InitMessage. */
export interface ReadyMessage {
  t: 'tocsin:ready';
}

/** The operations of the store a worker may ask for (read-only). */
export type LogOperation = 'readEvents' | 'latestSeq' | 'oldestRetainedSeq' | 'listRegions';

/** Worker → primary: one read of the store. */
export interface LogRequest {
  t: 'tocsin:log';
  id: number;
  op: LogOperation;
  args: number[];
}

/** Primary → worker: the answer to a LogRequest with the same id. */
export interface LogReply {
  t: 'tocsin:log-reply';
  id: number;
  value?: unknown;
  error?: string;
}

export type ToWorker = InitMessage | EventMessage | ReloadKeysMessage | ShutdownMessage | LogReply;
export type ToPrimary = ReadyMessage | LogRequest;

const TO_WORKER = new Set([
  'tocsin:init',
  'tocsin:event',
  'tocsin:reload-keys',
  'tocsin:shutdown',
  'tocsin:log-reply',
]);
const LOG_OPERATIONS = new Set<string>(['readEvents', 'latestSeq', 'oldestRetainedSeq', 'listRegions']);

export function isToWorker(message: unknown): message is ToWorker {
  return (
    typeof message === 'object' && message !== null && TO_WORKER.has((message as { t?: unknown }).t as string)
  );
}

/** Checks a worker's request fully: the primary answers nothing it did not expect. */
export function isLogRequest(message: unknown): message is LogRequest {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Partial<LogRequest>;
  return (
    m.t === 'tocsin:log' &&
    Number.isSafeInteger(m.id) &&
    typeof m.op === 'string' &&
    LOG_OPERATIONS.has(m.op) &&
    Array.isArray(m.args) &&
    m.args.length <= 2 &&
    m.args.every((a) => Number.isSafeInteger(a) && a >= 0)
  );
}
