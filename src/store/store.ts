// The persistence interface. Two engines implement it (sqlite/, postgres/) and pass the same
// contract suite (store.contract.ts). Each method is ONE transaction; there is no generic
// transaction callback because better-sqlite3 is synchronous and a transaction must not span
// awaits. Additive changes only: other engineers build against this file.
import type { Alert, Status } from '../cap/types.ts';
import type { RegionRecord } from '../geo/types.ts';
import type { AuditEntry, AuditStore } from './audit-store.ts';
import type { CursorStore } from './cursor-store.ts';
import type { IdentityStore } from './identity-store.ts';
import type { IngestStore } from './ingest-store.ts';
import type { PushStore } from './push-store.ts';
import type { WebhookStore } from './webhook-store.ts';

/**
 * Lifecycle state of one CAP message:
 * pending (awaits a second operator) → issued | rejected | lapsed (pending TTL ran out);
 * issued → superseded (an update replaced it) | ended (expired, or this message is the
 * all-clear / cancel that ended its incident).
 */
export const ALERT_STATES = ['pending', 'issued', 'rejected', 'lapsed', 'superseded', 'ended'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Why an incident ended. */
export const END_REASONS = ['all_clear', 'cancelled', 'expired'] as const;
export type EndReason = (typeof END_REASONS)[number];

/** A region an alert reaches, as resolved from its areas. */
export interface RegionLink {
  code: string;
  /** 0 < coverage ≤ 1. */
  coverage: number;
  whole: boolean;
}

/** One CAP message as stored: the model, its XML as issued, and where it stands. */
export interface AlertRecord {
  /** The CAP identifier (hub-made for the short form). */
  id: string;
  /** The first alert of the chain linked by `references`. */
  incidentId: string;
  state: AlertState;
  /** The Tocsin event type code (`air_raid`, ...). */
  eventType: string;
  status: Status;
  msgType: Alert['msgType'];
  /** `sent` as written in the message (with offset). */
  sent: string;
  sentMs: number;
  /** Earliest `info.expires`, in ms; null when the message does not expire. */
  expiresMs: number | null;
  authorId: string;
  approverId: string | null;
  cap: Alert;
  xml: string;
  regions: RegionLink[];
  /** Seq of the event that first recorded this alert (alert.pending / issued / updated / ended). Stable order for history. */
  createdSeq: number;
  /** Seq of the event that last changed it. */
  updatedSeq: number;
}

/** An incident: the chain of alerts linked by `references`. */
export interface IncidentRecord {
  /** The id of the first alert of the chain. */
  id: string;
  eventType: string;
  status: Status;
  /** The latest issued alert of the chain (the all-clear / cancel once ended). */
  currentAlertId: string;
  /** Regions of the latest alert that carried areas. */
  regions: RegionLink[];
  /** `sent` of the first alert, as written. */
  since: string;
  startedMs: number;
  endedMs: number | null;
  endReason: EndReason | null;
}

/** One entry of the event log: the signed event exactly as issued. */
export interface EventRecord {
  /** Global, gap-free, assigned inside the commit transaction. */
  seq: number;
  id: string;
  type: string;
  timeMs: number;
  /** Region codes the event concerns (for routing). */
  regions: string[];
  /** The signed event serialised once; replays return these bytes unchanged. */
  json: string;
}

/** What an engine needs to build the event once it knows `seq` (called inside the transaction, synchronously). */
export type EventBuilder = (seq: number) => Omit<EventRecord, 'seq'>;

/** An alert to insert; `createdSeq`/`updatedSeq` are filled by the store. */
export type NewAlertRecord = Omit<AlertRecord, 'createdSeq' | 'updatedSeq'>;

/** A due time of an alert: `expire` at `expires`, `lapse` of a pending alert after its TTL. */
export interface ScheduleEntry {
  alertId: string;
  dueMs: number;
  kind: 'expire' | 'lapse';
}

export interface IdempotencyRecord {
  actorId: string;
  key: string;
  /** Hash of the request; the same key with another hash is a conflict. */
  requestHash: string;
  alertId: string;
  /** The outcome of the first request: `issued` (201) or `pending` (202). */
  outcome: 'issued' | 'pending';
  createdMs: number;
}

/**
 * One durable change of the lifecycle, applied in one transaction in this order:
 * check `expect` → insert `insertAlert` → apply `setAlertStates` → upsert `incident` →
 * apply `schedule` → insert `idempotency` → append the event built by `event(seq)`.
 * Anything failing leaves nothing behind.
 */
export interface AlertCommit {
  /** Preconditions: each alert must exist in the given state, else StoreConflictError('state'). */
  expect?: { alertId: string; state: AlertState }[];
  insertAlert?: NewAlertRecord;
  setAlertStates?: { alertId: string; state: AlertState; approverId?: string }[];
  incident?: IncidentRecord;
  schedule?: { add?: ScheduleEntry[]; removeAlertIds?: string[] };
  idempotency?: IdempotencyRecord;
  event: EventBuilder;
  /** The audit record of this change, appended after the event in the same transaction (its `eventSeq` filled in). */
  audit?: AuditEntry;
}

/** Why a commit was refused; the domain maps it to a TocsinError. */
export class StoreConflictError extends Error {
  readonly kind: 'state' | 'duplicate_alert' | 'idempotency';
  constructor(kind: StoreConflictError['kind'], message: string) {
    super(message);
    this.name = 'StoreConflictError';
    this.kind = kind;
  }
}

export interface AlertQuery {
  /** Alerts linked to any of these region codes (the domain adds ancestors). */
  regions?: string[];
  eventType?: string;
  fromMs?: number;
  toMs?: number;
  /** true: only the current alert of active incidents; false: everything else. */
  active?: boolean;
  /** Default: issued, superseded, ended (what was published). */
  states?: AlertState[];
  /** Return alerts with createdSeq < beforeSeq (cursor; newest first). */
  beforeSeq?: number;
  limit: number;
}

export interface IncidentQuery {
  /** Incidents that overlap [fromMs, toMs): started before toMs and not ended before fromMs. */
  fromMs: number;
  toMs: number;
  eventType?: string;
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  /** Operators, tokens, sessions, login attempts (issue 5). */
  readonly identity: IdentityStore;
  /** The hash-chained audit log and pre-approved templates (issue 5). */
  readonly audit: AuditStore;
  /** Webhooks and their delivery queue/log (issue 8). */
  readonly webhooks: WebhookStore;
  /** Durable-channel cursors into the event log (issue 8; src/delivery/push/cursor.ts). */
  readonly cursors: CursorStore;
  /** Web Push subscriptions and the VAPID key pair (issue 8; src/delivery/push/webpush.ts). */
  readonly push: PushStore;
  /** CAP ingest: sources' poll state and the upstream messages seen (issue 8; src/ingest/). */
  readonly ingest: IngestStore;

  /** Applies one lifecycle change; resolves with the appended event once the commit is durable. */
  commitAlertChange(commit: AlertCommit): Promise<EventRecord>;

  getAlert(id: string): Promise<AlertRecord | undefined>;
  listAlerts(query: AlertQuery): Promise<AlertRecord[]>;
  getIncident(id: string): Promise<IncidentRecord | undefined>;
  /** Incidents not ended, oldest first (region state is rebuilt from these at start). */
  listActiveIncidents(): Promise<IncidentRecord[]>;
  listIncidents(query: IncidentQuery): Promise<IncidentRecord[]>;

  getIdempotency(actorId: string, key: string): Promise<IdempotencyRecord | undefined>;

  /** Schedule entries due at or before `dueMs`, earliest first. */
  dueSchedule(dueMs: number, limit: number): Promise<ScheduleEntry[]>;
  /** The earliest schedule entry, for arming one timer. */
  nextScheduled(): Promise<ScheduleEntry | undefined>;

  /** Events with seq > afterSeq, in order, at most `limit`. */
  readEvents(afterSeq: number, limit: number): Promise<EventRecord[]>;
  /** 0 when the log is empty. */
  latestSeq(): Promise<number>;
  /** The lowest seq still in the log; latestSeq() + 1 when the log is empty. */
  oldestRetainedSeq(): Promise<number>;

  listRegions(): Promise<RegionRecord[]>;
  /** Replaces every region of one level (one transaction). */
  replaceRegionLevel(level: string, records: RegionRecord[]): Promise<void>;

  /** Resolves when the database answers. */
  ping(): Promise<void>;
  /** Versions of the applied migrations, ascending. */
  migrationsApplied(): Promise<number[]>;
  close(): Promise<void>;
}

/** A numbered migration, shipped as a TS module so the build carries it. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
