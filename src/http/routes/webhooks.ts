// /v1/webhooks: register, list, change, delete webhooks; their delivery log; redeliver dead
// letters. The rules live in src/delivery/push/webhook-registry.ts; this file only translates.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { TocsinError } from '../../alerts/errors.ts';
import {
  MAX_WEBHOOK_REGIONS,
  SECRET_MAX_CHARS,
  SECRET_MIN_CHARS,
  type WebhookRegistry,
} from '../../delivery/push/webhook-registry.ts';
import { MAX_URL_LENGTH } from '../../delivery/push/webhook-target.ts';
import type { DeliveryRecord, WebhookRecord } from '../../store/webhook-store.ts';
import type { Authenticate } from '../authenticate.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

export interface WebhookRoutesDeps {
  registry: WebhookRegistry;
  authenticate: Authenticate;
}

const tags = ['webhooks'];
const DEFAULT_LOG_LIMIT = 50;
const MAX_LOG_LIMIT = 500;
const MAX_REDELIVER_IDS = 1000;

const Url = Type.String({
  minLength: 1,
  maxLength: MAX_URL_LENGTH,
  description:
    'https:// (or http://) URL; refused when it resolves to a loopback, private, link-local or metadata address.',
});
const Regions = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  maxItems: MAX_WEBHOOK_REGIONS,
  description: 'Region codes; events for these regions, their ancestors and their descendants are delivered.',
});
const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  maxItems: 64,
  description: 'Event type codes (`air_raid`, ...); empty or absent: every type.',
});
const Secret = Type.String({
  minLength: SECRET_MIN_CHARS,
  maxLength: SECRET_MAX_CHARS,
  description: 'HMAC-SHA256 key of the Tocsin-Signature header; generated when absent.',
});

const NewWebhookSchema = Type.Object(
  { url: Url, regions: Regions, eventTypes: Type.Optional(EventTypes), secret: Type.Optional(Secret) },
  { additionalProperties: false },
);
const WebhookPatchSchema = Type.Object(
  {
    url: Type.Optional(Url),
    regions: Type.Optional(Regions),
    eventTypes: Type.Optional(EventTypes),
    secret: Type.Optional(Secret),
  },
  { additionalProperties: false, minProperties: 1 },
);
const WebhookViewSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  regions: Type.Array(Type.String()),
  eventTypes: Type.Array(Type.String()),
  owner: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
const CreatedWebhookSchema = Type.Object({
  webhook: WebhookViewSchema,
  secret: Type.String({ description: 'The HMAC key, shown only here.' }),
});
// The states of store/webhook-store.ts DELIVERY_STATES.
const DeliveryState = Type.Union([Type.Literal('pending'), Type.Literal('delivered'), Type.Literal('dead')]);
const DeliveryViewSchema = Type.Object({
  id: Type.Integer(),
  eventSeq: Type.Integer(),
  eventId: Type.String(),
  state: DeliveryState,
  attempts: Type.Integer(),
  queuedAt: Type.String(),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()], { description: 'Pending deliveries only.' }),
  lastAttemptAt: Type.Union([Type.String(), Type.Null()]),
  lastStatus: Type.Union([Type.Integer(), Type.Null()], {
    description: 'HTTP status; null when no response came.',
  }),
  lastError: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Duration of the last HTTP exchange.',
  }),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
});
const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const LogQuerySchema = Type.Object(
  {
    state: Type.Optional(DeliveryState),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LOG_LIMIT, default: DEFAULT_LOG_LIMIT })),
    cursor: Type.Optional(
      Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'From the previous page.' }),
    ),
  },
  { additionalProperties: false },
);
const RedeliverBodySchema = Type.Union([
  Type.Object(
    {
      deliveryIds: Type.Optional(
        Type.Array(Type.Integer({ minimum: 1 }), {
          minItems: 1,
          maxItems: MAX_REDELIVER_IDS,
          description: 'Dead deliveries to queue again; absent: every dead delivery of the webhook.',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function webhookView(w: WebhookRecord) {
  return {
    id: w.id,
    url: w.url,
    regions: w.regions,
    eventTypes: w.eventTypes,
    owner: w.ownerId,
    createdAt: new Date(w.createdMs).toISOString(),
    updatedAt: new Date(w.updatedMs).toISOString(),
  };
}

function deliveryView(d: DeliveryRecord) {
  return {
    id: d.id,
    eventSeq: d.eventSeq,
    eventId: d.eventId,
    state: d.state,
    attempts: d.attempts,
    queuedAt: new Date(d.createdMs).toISOString(),
    nextAttemptAt: d.state === 'pending' ? new Date(d.nextAttemptMs).toISOString() : null,
    lastAttemptAt: iso(d.lastAttemptMs),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    durationMs: d.durationMs,
    deliveredAt: iso(d.deliveredMs),
  };
}

export function webhookRoutes(deps: WebhookRoutesDeps): FastifyPluginAsyncTypebox {
  const { registry, authenticate } = deps;
  return async (app) => {
    app.post(
      '/v1/webhooks',
      {
        schema: {
          tags,
          summary: 'Register a webhook: signed events for regions (and event types) are POSTed to its URL',
          body: NewWebhookSchema,
          response: { 201: CreatedWebhookSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const actor = await authenticate(request);
        const { url, regions, eventTypes, secret } = request.body;
        const webhook = await registry.create(actor, {
          url,
          regions,
          ...(eventTypes === undefined ? {} : { eventTypes }),
          ...(secret === undefined ? {} : { secret }),
        });
        return reply
          .code(201)
          .header('cache-control', 'no-store')
          .header('location', `/v1/webhooks/${webhook.id}`)
          .send({ webhook: webhookView(webhook), secret: webhook.secret });
      },
    );

    app.get(
      '/v1/webhooks',
      {
        schema: {
          tags,
          summary: 'Webhooks whose regions lie in your jurisdiction (never their secrets)',
          response: { 200: Type.Object({ webhooks: Type.Array(WebhookViewSchema) }), ...ERROR_RESPONSES },
        },
      },
      async (request) => ({ webhooks: (await registry.list(await authenticate(request))).map(webhookView) }),
    );

    app.get(
      '/v1/webhooks/:id',
      {
        schema: {
          tags,
          summary: 'One webhook',
          params: IdParams,
          response: { 200: WebhookViewSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => webhookView(await registry.get(await authenticate(request), request.params.id)),
    );

    app.patch(
      '/v1/webhooks/:id',
      {
        schema: {
          tags,
          summary: 'Change a webhook (URL, regions, event types, secret); a new URL is checked again',
          params: IdParams,
          body: WebhookPatchSchema,
          response: { 200: WebhookViewSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { url, regions, eventTypes, secret } = request.body;
        const updated = await registry.update(await authenticate(request), request.params.id, {
          ...(url === undefined ? {} : { url }),
          ...(regions === undefined ? {} : { regions }),
          ...(eventTypes === undefined ? {} : { eventTypes }),
          ...(secret === undefined ? {} : { secret }),
        });
        return webhookView(updated);
      },
    );

    app.delete(
      '/v1/webhooks/:id',
      {
        schema: {
          tags,
          summary: 'Delete a webhook and its delivery log; nothing more is sent to it',
          params: IdParams,
          response: { 204: Type.Null(), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        await registry.remove(await authenticate(request), request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/v1/webhooks/:id/deliveries',
      {
        schema: {
          tags,
          summary: 'The delivery log, newest first: state, attempts, last status and error, duration',
          params: IdParams,
          querystring: LogQuerySchema,
          response: {
            200: Type.Object({
              deliveries: Type.Array(DeliveryViewSchema),
              next: Type.Union([Type.String(), Type.Null()], {
                description: 'Cursor of the next (older) page.',
              }),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        const { state, limit = DEFAULT_LOG_LIMIT, cursor } = request.query;
        const deliveries = await registry.deliveries(await authenticate(request), request.params.id, {
          limit,
          ...(state === undefined ? {} : { state }),
          ...(cursor === undefined ? {} : { beforeId: Number(cursor) }),
        });
        const last = deliveries[deliveries.length - 1];
        return {
          deliveries: deliveries.map(deliveryView),
          next: deliveries.length === limit && last ? String(last.id) : null,
        };
      },
    );

    app.post(
      '/v1/webhooks/:id/redeliver',
      {
        schema: {
          tags,
          summary: 'Queue dead deliveries again (all of them, or those listed), due now',
          params: IdParams,
          body: RedeliverBodySchema,
          response: { 200: Type.Object({ redelivered: Type.Integer() }), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const ids = request.body?.deliveryIds;
        if (ids && new Set(ids).size !== ids.length)
          throw new TocsinError('WEBHOOK_INPUT_INVALID', 'deliveryIds: each id once', [
            { path: '/deliveryIds', message: 'each id once' },
          ]);
        const redelivered = await registry.redeliver(await authenticate(request), request.params.id, ids);
        return { redelivered };
      },
    );
  };
}
