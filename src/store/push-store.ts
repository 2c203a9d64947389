// Persistence of the Web Push channel (issue 8 §3): browser push subscriptions with the regions
// each asked for, and the hub's VAPID key pair (RFC 8292), kept in the store so every node of a
// cluster signs with the same key the browsers subscribed with. Each method is one transaction.

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

export interface PushStore {
  /** Stores `candidate` unless a pair is stored already; returns the pair in force (first writer wins). */
  ensureVapidKeys(candidate: VapidKeyPair, nowMs: number): Promise<VapidKeyPair>;
  /** Creates or replaces the subscription of `record.endpoint` (keys and regions; `createdMs` kept). */
  upsertPushSubscription(record: PushSubscriptionRecord): Promise<'created' | 'updated'>;
  /** Removes a subscription; false when there was none. */
  removePushSubscription(endpoint: string): Promise<boolean>;
  getPushSubscription(endpoint: string): Promise<PushSubscriptionRecord | undefined>;
  /** Every subscription, oldest first. */
  listPushSubscriptions(): Promise<PushSubscriptionRecord[]>;
  countPushSubscriptions(): Promise<number>;
}
