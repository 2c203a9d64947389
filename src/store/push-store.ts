// Persistence of the Web Push channel (issue 8 §3): browser push subscriptions with the regions
// each asked for, the hub's VAPID key pair (RFC 8292), kept in the store so every node of a
// cluster signs with the same key the browsers subscribed with, and the sends waiting for another
// attempt (so a restart, or another node taking the lease, still makes them). Each method is one
// transaction.

/** One browser push subscription (the PushSubscription JSON of the Push API) and its regions. */
export interface PushSubscriptionRecord {
  /** The push service URL; unique, and the subscription's identity. */
  endpoint: string;
  /** Base64url P-256 public key of the browser (RFC 8291 §3.1). */
  p256dh: string;
  /** Base64url 16-byte authentication secret (RFC 8291 §3.2). */
  auth: string;
  /** Region codes; an event reaches the subscription when it concerns one of them, an ancestor or a descendant. */
  regions: string[];
  createdMs: number;
  updatedMs: number;
}

/** A VAPID key pair, base64url (uncompressed P-256 public point, 32-byte private scalar). */
export interface VapidKeyPair {
  publicKey: string;
  privateKey: string;
}

/** A send waiting for another attempt after a push service answered 429, 5xx or not at all. */
export interface PushRetryRecord {
  /** Assigned by the store. */
  id: number;
  /** The subscription's endpoint; its keys are read again at send time. */
  endpoint: string;
  /** The payload as first sent (encrypted anew for each attempt). */
  payload: string;
  urgency: 'very-low' | 'low' | 'normal' | 'high';
  /** The attempt this row will make: 1 for the first retry, and so on. */
  attempt: number;
  /** When the attempt is due. */
  dueMs: number;
  /** The end of the message's TTL: no attempt after it. */
  expiresMs: number;
  createdMs: number;
}

export interface PushStore {
  /** Stores `candidate` unless a pair is stored already; returns the pair in force (first writer wins). */
  ensureVapidKeys(candidate: VapidKeyPair, nowMs: number): Promise<VapidKeyPair>;
  /** Creates or replaces the subscription of `record.endpoint` (keys and regions; `createdMs` kept). */
  upsertPushSubscription(record: PushSubscriptionRecord): Promise<'created' | 'updated'>;
  /** Removes a subscription and its pending retries; false when there was no subscription. */
  removePushSubscription(endpoint: string): Promise<boolean>;
  getPushSubscription(endpoint: string): Promise<PushSubscriptionRecord | undefined>;
  /** Every subscription, oldest first. */
  listPushSubscriptions(): Promise<PushSubscriptionRecord[]>;
  countPushSubscriptions(): Promise<number>;
  /** Stores a retry; returns its id. */
  addPushRetry(retry: Omit<PushRetryRecord, 'id'>): Promise<number>;
  /** Retries due at `nowMs` (dueMs <= nowMs), earliest first, at most `limit`. */
  duePushRetries(nowMs: number, limit: number): Promise<PushRetryRecord[]>;
  /** The earliest dueMs of any stored retry; undefined when none is stored. */
  nextPushRetryDueMs(): Promise<number | undefined>;
  /** Moves a retry to its next attempt; false when it is gone. */
  reschedulePushRetry(id: number, attempt: number, dueMs: number): Promise<boolean>;
  /** Removes a retry; false when there was none. */
  removePushRetry(id: number): Promise<boolean>;
  countPushRetries(): Promise<number>;
}
