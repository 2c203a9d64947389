// The rules of webhook registrations, in one place for the HTTP routes (and any future CLI):
// who may manage them (`webhook.manage` over every region of the webhook), what a valid one is,
// the SSRF check of its URL at registration, the delivery log and the redeliver action.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Actor } from '../../alerts/actor.ts';
import { type ErrorDetail, TocsinError } from '../../alerts/errors.ts';
import { assertCan, can } from '../../auth/policy.ts';
import type { RegionTree } from '../../geo/types.ts';
import type { Store } from '../../store/store.ts';
import type {
  DeliveryQuery,
  DeliveryRecord,
  WebhookPatch,
  WebhookRecord,
} from '../../store/webhook-store.ts';
import { type TargetGuard, TargetRefused } from './webhook-target.ts';

export const MAX_WEBHOOK_REGIONS = 100;
export const SECRET_MIN_CHARS = 16;
export const SECRET_MAX_CHARS = 256;

export interface NewWebhook {
  url: string;
  regions: string[];
  eventTypes?: string[];
  /** HMAC key; generated when absent. */
  secret?: string;
}

export interface WebhookRegistryDeps {
  store: Pick<Store, 'webhooks' | 'latestSeq'>;
  tree: RegionTree;
  guard: TargetGuard;
  /** Event type codes of the profile. */
  eventTypes: readonly string[];
  maxWebhooks: number;
  /** Wakes the delivery worker (after a redeliver). */
  poke: () => void;
  now?: () => number;
}

export interface WebhookRegistry {
  /** Returns the webhook with its secret (shown in full only here). */
  create(actor: Actor, input: NewWebhook): Promise<WebhookRecord>;
  list(actor: Actor): Promise<WebhookRecord[]>;
  get(actor: Actor, id: string): Promise<WebhookRecord>;
  update(actor: Actor, id: string, patch: WebhookPatch): Promise<WebhookRecord>;
  remove(actor: Actor, id: string): Promise<void>;
  deliveries(actor: Actor, id: string, query: DeliveryQuery): Promise<DeliveryRecord[]>;
  /** Dead deliveries (all, or those listed) back to the queue; returns how many. */
  redeliver(actor: Actor, id: string, deliveryIds?: number[]): Promise<number>;
}

const invalid = (path: string, message: string): TocsinError =>
  new TocsinError('WEBHOOK_INPUT_INVALID', `${path.slice(1)}: ${message}`, [{ path, message }]);

/** A fresh HMAC secret: 32 random bytes, base64url, with a recognisable prefix. */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export function createWebhookRegistry(deps: WebhookRegistryDeps): WebhookRegistry {
  const { store, tree, guard } = deps;
  const now = deps.now ?? Date.now;
  const knownTypes = new Set(deps.eventTypes);

  const checkUrl = async (url: string): Promise<void> => {
    try {
      await guard.check(url);
    } catch (error) {
      if (!(error instanceof TargetRefused)) throw error;
      const detail: ErrorDetail = { path: '/url', code: error.reason, message: error.message };
      throw new TocsinError(
        error.reason === 'unresolvable' ? 'WEBHOOK_TARGET_UNRESOLVABLE' : 'WEBHOOK_TARGET_FORBIDDEN',
        `url: ${error.message}`,
        [detail],
      );
    }
  };

  const checkRegions = (regions: string[]): string[] => {
    if (regions.length === 0) throw invalid('/regions', 'at least one region code');
    if (regions.length > MAX_WEBHOOK_REGIONS)
      throw invalid('/regions', `at most ${MAX_WEBHOOK_REGIONS} regions`);
    const unknown = regions.findIndex((code) => tree.get(code) === undefined);
    if (unknown >= 0)
      throw invalid(`/regions/${unknown}`, `unknown region ${JSON.stringify(regions[unknown])}`);
    return [...new Set(regions)];
  };

  const checkTypes = (types: string[]): string[] => {
    const unknown = types.findIndex((t) => !knownTypes.has(t));
    if (unknown >= 0)
      throw invalid(
        `/eventTypes/${unknown}`,
        `unknown event type ${JSON.stringify(types[unknown])} (see GET /v1/event-types)`,
      );
    return [...new Set(types)];
  };

  const checkSecret = (secret: string): string => {
    if (secret.length < SECRET_MIN_CHARS || secret.length > SECRET_MAX_CHARS)
      throw invalid('/secret', `${SECRET_MIN_CHARS} to ${SECRET_MAX_CHARS} characters`);
    return secret;
  };

  // One not visible to the actor is answered like one that does not exist.
  const visible = async (actor: Actor, id: string): Promise<WebhookRecord> => {
    assertCan(tree, actor, 'webhook.manage');
    const webhook = await store.webhooks.getWebhook(id);
    if (!webhook || !can(tree, actor, 'webhook.manage', { regions: webhook.regions }).ok)
      throw new TocsinError('WEBHOOK_NOT_FOUND', `No webhook ${JSON.stringify(id)}`);
    return webhook;
  };

  return {
    async create(actor, input) {
      const regions = checkRegions(input.regions);
      assertCan(tree, actor, 'webhook.manage', { regions });
      const eventTypes = checkTypes(input.eventTypes ?? []);
      const secret = input.secret === undefined ? generateSecret() : checkSecret(input.secret);
      await checkUrl(input.url);
      if ((await store.webhooks.countWebhooks()) >= deps.maxWebhooks)
        throw new TocsinError(
          'WEBHOOK_LIMIT_REACHED',
          `The hub holds its maximum of ${deps.maxWebhooks} webhooks`,
        );
      const nowMs = now();
      const webhook: WebhookRecord = {
        id: randomUUID(),
        url: input.url,
        regions,
        eventTypes,
        secret,
        ownerId: actor.id,
        // Only events committed from now on: a new webhook is not flooded with history.
        afterSeq: await store.latestSeq(),
        createdMs: nowMs,
        updatedMs: nowMs,
      };
      await store.webhooks.createWebhook(webhook);
      return webhook;
    },
    async list(actor) {
      assertCan(tree, actor, 'webhook.manage');
      const all = await store.webhooks.listWebhooks();
      return all.filter((w) => can(tree, actor, 'webhook.manage', { regions: w.regions }).ok);
    },
    get: visible,
    async update(actor, id, patch) {
      await visible(actor, id);
      const next: WebhookPatch = {};
      if (patch.regions !== undefined) {
        next.regions = checkRegions(patch.regions);
        assertCan(tree, actor, 'webhook.manage', { regions: next.regions });
      }
      if (patch.eventTypes !== undefined) next.eventTypes = checkTypes(patch.eventTypes);
      if (patch.secret !== undefined) next.secret = checkSecret(patch.secret);
      if (patch.url !== undefined) {
        await checkUrl(patch.url);
        next.url = patch.url;
      }
      const updated = await store.webhooks.updateWebhook(id, next, now());
      if (!updated) throw new TocsinError('WEBHOOK_NOT_FOUND', `No webhook ${JSON.stringify(id)}`);
      return updated;
    },
    async remove(actor, id) {
      await visible(actor, id);
      await store.webhooks.deleteWebhook(id);
    },
    async deliveries(actor, id, query) {
      await visible(actor, id);
      return store.webhooks.listDeliveries(id, query);
    },
    async redeliver(actor, id, deliveryIds) {
      await visible(actor, id);
      const count = await store.webhooks.redeliver(id, now(), deliveryIds);
      if (count > 0) deps.poke();
      return count;
    },
  };
}
