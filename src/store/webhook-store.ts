// Persistence of webhooks (issue 8): registrations, and their delivery queue that is also the
// delivery log. A delivery row is created per (webhook, event) when the webhook channel takes an
// event from the log; it stays `pending` until delivered or dead-lettered. At most one delivery
// per webhook is in flight: the head (lowest event seq still pending) is leased while attempted.

export interface WebhookRecord {
  id: string;
  url: string;
  /** Region codes; an event for an ancestor or a descendant of one of them matches. */
  regions: string[];
  /** Event type codes (`air_raid`, ...); empty: every type. */
  eventTypes: string[];
  /** HMAC-SHA256 key of the Tocsin-Signature header (needed in clear to sign). */
  secret: string;
  /** Who registered it (actor id). */
  ownerId: string;
  /** Events with seq ≤ this were committed before the webhook existed and are never delivered to it. */
  afterSeq: number;
  createdMs: number;
  updatedMs: number;
}

export type WebhookPatch = Partial<Pick<WebhookRecord, 'url' | 'regions' | 'eventTypes' | 'secret'>>;

export const DELIVERY_STATES = ['pending', 'delivered', 'dead'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export interface DeliveryRecord {
  id: number;
  webhookId: string;
  eventSeq: number;
  eventId: string;
  state: DeliveryState;
  attempts: number;
  /** When the delivery was queued (or redelivered): the age that dead-letters it counts from here. */
  createdMs: number;
  nextAttemptMs: number;
  lastAttemptMs: number | null;
  /** HTTP status of the last attempt; null when it got no response. */
  lastStatus: number | null;
  lastError: string | null;
  /** Duration of the last HTTP exchange. */
  durationMs: number | null;
  deliveredMs: number | null;
}

export interface NewDelivery {
  webhookId: string;
  eventSeq: number;
  eventId: string;
  createdMs: number;
}

/** A leased head delivery with what an attempt needs. */
export interface ClaimedDelivery extends DeliveryRecord {
  url: string;
  secret: string;
  /** The stored event bytes; null when the event is no longer in the log. */
  json: string | null;
  eventTimeMs: number | null;
}

export interface DeliveryResult {
  id: number;
  /** delivered | retry (nextAttemptMs) | dead | released (not attempted: the lease is returned). */
  outcome: 'delivered' | 'retry' | 'dead' | 'released';
  attemptMs: number;
  status: number | null;
  error: string | null;
  durationMs: number | null;
  nextAttemptMs?: number;
}

export interface DeliveryQuery {
  state?: DeliveryState;
  /** Deliveries with id < beforeId (newest first). */
  beforeId?: number;
  limit: number;
}

export interface WebhookStore {
  createWebhook(record: WebhookRecord): Promise<void>;
  getWebhook(id: string): Promise<WebhookRecord | undefined>;
  listWebhooks(): Promise<WebhookRecord[]>;
  countWebhooks(): Promise<number>;
  /** Returns the updated record, undefined when there is no such webhook. */
  updateWebhook(id: string, patch: WebhookPatch, nowMs: number): Promise<WebhookRecord | undefined>;
  /** Removes the webhook and its deliveries; false when there was none. */
  deleteWebhook(id: string): Promise<boolean>;

  /** Queues deliveries (one transaction); a (webhook, event) already queued is skipped. Returns how many were added. */
  enqueueDeliveries(rows: NewDelivery[]): Promise<number>;
  /**
   * Leases up to `limit` head deliveries (per webhook, the pending one of lowest seq) that are due
   * at `nowMs` and not leased, until `leaseUntilMs`. Earliest due first.
   */
  claimDue(nowMs: number, limit: number, leaseUntilMs: number): Promise<ClaimedDelivery[]>;
  /** When the earliest head delivery is due (or its lease ends); undefined when nothing is pending. */
  nextDueMs(): Promise<number | undefined>;
  /** Records attempts (one transaction) and returns their leases. */
  recordResults(results: DeliveryResult[]): Promise<void>;
  listDeliveries(webhookId: string, query: DeliveryQuery): Promise<DeliveryRecord[]>;
  getDelivery(id: number): Promise<DeliveryRecord | undefined>;
  /** Removes delivered deliveries delivered before `beforeMs` (the log's retention); returns how many. */
  pruneDelivered(beforeMs: number): Promise<number>;
  /** Puts dead deliveries (all of the webhook's, or those of `ids`) back in the queue, due at `nowMs`. Returns how many. */
  redeliver(webhookId: string, nowMs: number, ids?: number[]): Promise<number>;
}
