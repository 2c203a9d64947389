// The public shape of the alert lifecycle: what HTTP, the CLI and feed ingest call, and what they
// get back. The implementation is service.ts (createAlertService).
import type { Alert, Status } from '../cap/types.ts';
import type { AlertState, EndReason, EventRecord, IncidentRecord, RegionLink } from '../store/store.ts';
import type { Actor } from './actor.ts';

/** The short form of DESIGN.md: the hub fills in the rest of the CAP message. */
export interface ShortFormBody {
  event: string;
  regions: string[];
  status?: Status;
  /** Text per language tag; one CAP info per language (default: the event type's texts). */
  headline?: Record<string, string>;
  instruction?: Record<string, string>;
  description?: Record<string, string>;
  /** RFC 3339 with offset, or a duration in minutes from now. */
  expires?: string;
  expiresInMinutes?: number;
  note?: string;
}

/** An alert as given to issue/update/allClear/cancel. */
export type AlertInput =
  | { format: 'short'; body: unknown }
  | { format: 'cap-xml'; text: string }
  | { format: 'cap-json'; body: unknown };

/** One alert as the API shows it. */
export interface AlertView {
  id: string;
  incident: string;
  state: AlertState;
  event: string;
  status: Status;
  msgType: Alert['msgType'];
  sent: string;
  expires: string | null;
  regions: RegionLink[];
  author: string;
  approver: string | null;
  /** Whether the incident this alert belongs to is still active. */
  active: boolean;
  endReason: EndReason | null;
  cap: Alert;
}

export interface IssueResult {
  /** `issued` → HTTP 201; `pending` → HTTP 202 (waits for a second operator). */
  outcome: 'issued' | 'pending';
  alert: AlertView;
  /** True when an Idempotency-Key matched an earlier request: nothing new was written. */
  replayed: boolean;
}

export interface ChangeResult {
  alert: AlertView;
  event: EventRecord;
  /** True when an Idempotency-Key matched an earlier request: nothing new was written. */
  replayed: boolean;
}

export interface AlertListQuery {
  region?: string;
  event?: string;
  /** RFC 3339. */
  from?: string;
  to?: string;
  active?: boolean;
  cursor?: string;
  /** 1..500, default 50. */
  limit?: number;
}

export interface AlertList {
  items: AlertView[];
  nextCursor: string | null;
}

/** A JSON document prepared once and served many times. */
export interface PreparedJson {
  body: string;
  /** Strong ETag, quoted. */
  etag: string;
  /** HTTP-date (RFC 9110 §5.6.7). */
  lastModified: string;
  seq: number;
}

/** One active incident as seen from one region. */
export interface RegionStateEntry {
  incident: string;
  alert: string;
  event: string;
  status: Status;
  /** `sent` of the incident's first alert, as written. */
  since: string;
  /** The region the alert was placed on (this region or an ancestor). */
  region: string;
  coverage: number;
  whole: boolean;
}

export interface StatsQuery {
  region?: string;
  event?: string;
  from: string;
  to: string;
}

export interface StatsRow {
  region: string;
  event: string;
  count: number;
  totalSeconds: number;
  longestSeconds: number;
  /** Union of alert intervals (overlaps merged), clipped to the period. */
  underAlertSeconds: number;
}

export interface Stats {
  from: string;
  to: string;
  rows: StatsRow[];
}

export interface IssueOptions {
  idempotencyKey?: string;
  /** Fired from a pre-approved template (src/alerts/templates.ts only): issued at once, no pending. */
  template?: { id: string; revision: number; approvers: string[] };
}

export interface AlertService {
  issue(actor: Actor, input: AlertInput, options?: IssueOptions): Promise<IssueResult>;
  /** Parses and validates an alert as issue() would, writing nothing (templates check their content with it). */
  check(input: AlertInput): Alert;
  approve(actor: Actor, id: string): Promise<ChangeResult>;
  reject(actor: Actor, id: string, reason?: string): Promise<ChangeResult>;
  /** `options.idempotencyKey`: a retry with the same key returns the first result (like issue). */
  update(actor: Actor, id: string, input: AlertInput, options?: IssueOptions): Promise<ChangeResult>;
  allClear(actor: Actor, id: string, input?: AlertInput, options?: IssueOptions): Promise<ChangeResult>;
  cancel(actor: Actor, id: string, input?: AlertInput, options?: IssueOptions): Promise<ChangeResult>;
  /** `viewer`: who asks; a pending, rejected or lapsed alert is ALERT_NOT_FOUND to all but its author and its approvers. */
  get(id: string, viewer?: Actor): Promise<AlertView>;
  /** The CAP XML exactly as issued (`viewer` as for `get`). */
  getXml(id: string, viewer?: Actor): Promise<string>;
  list(query: AlertListQuery): Promise<AlertList>;
  /** Incidents that overlap [fromMs, toMs): started before toMs, not ended before fromMs (compat history). */
  incidentsBetween(fromMs: number, toMs: number): Promise<IncidentRecord[]>;
  /** Region state of every region with an active incident; served from memory. */
  state(): PreparedJson;
  /** Region state of one region (REGION_NOT_FOUND for an unknown code). */
  stateOf(code: string): PreparedJson;
  stats(query: StatsQuery): Promise<Stats>;
  /** Expires every alert due now (and lapses pending ones); returns how many. */
  expireDue(): Promise<number>;
  /** Rebuilds region state from the store, expires what fell due while stopped, arms the timer. */
  start(): Promise<void>;
  stop(): Promise<void>;
}
