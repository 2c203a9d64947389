// Registering and removing browser push subscriptions (issue 8 §3). Anyone may subscribe (a
// browser has no credentials), so every field is checked: the endpoint must be an https URL on a
// public address (else the hub would POST wherever a stranger points it: SSRF), the keys must be
// a P-256 point and a 16-byte secret (RFC 8291 §3), the regions must exist, and the total is capped.
import { type ErrorDetail, TocsinError } from '../../alerts/errors.ts';
import type { RegionTree } from '../../geo/types.ts';
import type { PushStore, PushSubscriptionRecord } from '../../store/push-store.ts';
import { createTargetGuard, type Resolve, type TargetGuard, TargetRefused } from './webhook-target.ts';

export const MAX_ENDPOINT_CHARS = 2048;
export const MAX_REGIONS = 50;
const P256_POINT_BYTES = 65;
const AUTH_SECRET_BYTES = 16;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

/** The body of `POST /v1/push/subscriptions`: the browser's PushSubscription JSON and the regions. */
export interface SubscribeInput {
  subscription: { endpoint: string; keys: { p256dh: string; auth: string }; expirationTime?: number | null };
  regions: string[];
}

export interface PushSubscriptionsDeps {
  store: PushStore;
  tree: RegionTree;
  /** Accept http:// endpoints and private addresses (tests, labs). */
  allowInsecureEndpoints: boolean;
  maxSubscriptions: number;
  now?: () => number;
  /** Host name resolution (tests); the system resolver by default. */
  resolve?: Resolve;
}

export interface PushSubscriptions {
  subscribe(input: SubscribeInput): Promise<{ created: boolean; record: PushSubscriptionRecord }>;
  /** PUSH_SUBSCRIPTION_NOT_FOUND when the endpoint is unknown. */
  unsubscribe(endpoint: string): Promise<void>;
  /** The endpoint may be used now (checked again before every send: DNS can change). */
  checkEndpoint(endpoint: string): Promise<void>;
}

export function createPushSubscriptions(deps: PushSubscriptionsDeps): PushSubscriptions {
  const now = deps.now ?? Date.now;
  const guard: TargetGuard = createTargetGuard(
    { allowPrivateTargets: deps.allowInsecureEndpoints, allowCidrs: [] },
    deps.resolve,
  );

  const checkEndpoint = async (endpoint: string): Promise<void> => {
    if (endpoint.length > MAX_ENDPOINT_CHARS)
      throw invalid('subscription.endpoint', `longer than ${MAX_ENDPOINT_CHARS} characters`);
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw invalid('subscription.endpoint', 'not an absolute URL');
    }
    if (url.protocol !== 'https:' && !(deps.allowInsecureEndpoints && url.protocol === 'http:'))
      throw refused(`the scheme ${url.protocol.slice(0, -1)} is not allowed: push services use https`);
    try {
      await guard.check(endpoint);
    } catch (error) {
      if (error instanceof TargetRefused) throw refused(error.message);
      throw error;
    }
  };

  return {
    checkEndpoint,
    async subscribe(input) {
      const { endpoint, keys } = input.subscription;
      const details: ErrorDetail[] = [];
      if (decodedLength(keys.p256dh) !== P256_POINT_BYTES)
        details.push({
          path: 'subscription.keys.p256dh',
          message: 'not a base64url uncompressed P-256 point (65 bytes)',
        });
      else if (Buffer.from(keys.p256dh, 'base64url')[0] !== 0x04)
        details.push({
          path: 'subscription.keys.p256dh',
          message: 'not an uncompressed P-256 point (must start with 0x04)',
        });
      if (decodedLength(keys.auth) !== AUTH_SECRET_BYTES)
        details.push({ path: 'subscription.keys.auth', message: 'not a base64url 16-byte secret' });
      const regions = [...new Set(input.regions)];
      if (regions.length === 0 || regions.length > MAX_REGIONS)
        details.push({ path: 'regions', message: `give 1 to ${MAX_REGIONS} region codes` });
      regions.forEach((code, i) => {
        if (!deps.tree.has(code))
          details.push({
            path: `regions/${i}`,
            message: `no region with code ${JSON.stringify(code.slice(0, 64))}`,
          });
      });
      if (details.length > 0)
        throw new TocsinError('PUSH_SUBSCRIPTION_INVALID', 'The push subscription is malformed.', details);
      await checkEndpoint(endpoint);
      const existing = await deps.store.getPushSubscription(endpoint);
      if (!existing && (await deps.store.countPushSubscriptions()) >= deps.maxSubscriptions)
        throw new TocsinError('PUSH_SUBSCRIPTIONS_FULL');
      const at = now();
      const record: PushSubscriptionRecord = {
        endpoint,
        p256dh: keys.p256dh,
        auth: keys.auth,
        regions,
        createdMs: existing?.createdMs ?? at,
        updatedMs: at,
      };
      const outcome = await deps.store.upsertPushSubscription(record);
      return { created: outcome === 'created', record };
    },
    async unsubscribe(endpoint) {
      if (!(await deps.store.removePushSubscription(endpoint)))
        throw new TocsinError('PUSH_SUBSCRIPTION_NOT_FOUND');
    },
  };
}

function decodedLength(text: string): number {
  if (!BASE64URL.test(text)) return -1;
  return Buffer.from(text, 'base64url').length;
}

function invalid(path: string, message: string): TocsinError {
  return new TocsinError(
    'PUSH_SUBSCRIPTION_INVALID',
    `The push subscription is malformed: ${path} is ${message}.`,
    [{ path, message }],
  );
}

function refused(message: string): TocsinError {
  return new TocsinError('PUSH_ENDPOINT_REFUSED', `The push endpoint is refused: ${message}.`, [
    { path: 'subscription.endpoint', message },
  ]);
}
