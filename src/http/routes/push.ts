// /v1/push: Web Push for browsers (issue 8 §3). Public: a browser has no credentials. The page
// reads the VAPID public key, subscribes with the Push API (applicationServerKey = that key),
// then registers the PushSubscription JSON with the regions it wants. The checks live in
// src/delivery/push/webpush-subscriptions.ts; this file only translates.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { PushSubscriptions } from '../../delivery/push/webpush-subscriptions.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

export interface PushRoutesDeps {
  subscriptions: PushSubscriptions;
  /** Base64url uncompressed P-256 point (what `pushManager.subscribe({ applicationServerKey })` takes). */
  vapidPublicKey: string;
}

const tags = ['push'];
const REGION_CODE = Type.String({ minLength: 1, maxLength: 64 });

const SubscriptionSchema = Type.Object(
  {
    endpoint: Type.String({ minLength: 1, maxLength: 2048, description: 'The push service URL (https).' }),
    keys: Type.Object(
      {
        p256dh: Type.String({
          minLength: 1,
          maxLength: 128,
          description: 'Base64url P-256 public key of the browser.',
        }),
        auth: Type.String({
          minLength: 1,
          maxLength: 64,
          description: 'Base64url 16-byte authentication secret.',
        }),
      },
      { additionalProperties: false },
    ),
    expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
  },
  { additionalProperties: false, description: 'PushSubscription.toJSON() of the browser.' },
);

const SubscribeBodySchema = Type.Object(
  {
    subscription: SubscriptionSchema,
    regions: Type.Array(REGION_CODE, {
      minItems: 1,
      maxItems: 50,
      description:
        'Region codes; an alert on a region, an ancestor or a descendant reaches the subscription.',
    }),
  },
  { additionalProperties: false },
);

const SubscriptionViewSchema = Type.Object({
  endpoint: Type.String(),
  regions: Type.Array(Type.String()),
  created: Type.String({ format: 'date-time' }),
  updated: Type.String({ format: 'date-time' }),
});

const UnsubscribeBodySchema = Type.Object(
  { endpoint: Type.String({ minLength: 1, maxLength: 2048 }) },
  { additionalProperties: false },
);

export function pushRoutes(deps: PushRoutesDeps): FastifyPluginAsyncTypebox {
  const { subscriptions } = deps;
  return async (app) => {
    app.get(
      '/v1/push/vapid-public-key',
      {
        schema: {
          tags,
          summary: "The hub's VAPID public key (applicationServerKey for pushManager.subscribe)",
          response: { 200: Type.Object({ publicKey: Type.String() }), ...ERROR_RESPONSES },
        },
      },
      async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=3600');
        return { publicKey: deps.vapidPublicKey };
      },
    );

    app.post(
      '/v1/push/subscriptions',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Register (or change the regions of) a browser push subscription: 201 new, 200 updated',
          body: SubscribeBodySchema,
          response: { 200: SubscriptionViewSchema, 201: SubscriptionViewSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const { created, record } = await subscriptions.subscribe(request.body);
        reply.code(created ? 201 : 200).header('cache-control', 'no-store');
        return {
          endpoint: record.endpoint,
          regions: record.regions,
          created: new Date(record.createdMs).toISOString(),
          updated: new Date(record.updatedMs).toISOString(),
        };
      },
    );

    app.delete(
      '/v1/push/subscriptions',
      {
        config: { access: 'public' },
        schema: {
          tags,
          summary: 'Remove a push subscription (the endpoint is its capability)',
          body: UnsubscribeBodySchema,
          response: { 204: Type.Null(), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        await subscriptions.unsubscribe(request.body.endpoint);
        reply.code(204);
        return null;
      },
    );
  };
}
