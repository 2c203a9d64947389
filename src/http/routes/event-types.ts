// /v1/event-types: the event types of the profile in use, with their CAP defaults and texts per
// language. The console pre-fills a new alert from them; the public map names event types with
// them. Fixed while the process runs: serialised once, with a strong ETag.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { EventTypeDefinition } from '../../cap/profiles/event-types.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

const Texts = Type.Record(Type.String(), Type.String(), {
  description: 'Text per language tag (uk, en, ...).',
});

const EventTypeSchema = Type.Object({
  code: Type.String({ description: 'The CAP eventCode value under valueName TOCSIN.' }),
  names: Texts,
  category: Type.Array(Type.String()),
  urgency: Type.String(),
  severity: Type.String(),
  certainty: Type.String(),
  responseType: Type.Array(Type.String()),
  headline: Texts,
  instruction: Texts,
});

const EventTypeListSchema = Type.Object({ eventTypes: Type.Array(EventTypeSchema) });

/** Builds the plugin; the body is serialised here, once. */
export function eventTypeRoutes(deps: {
  eventTypes: readonly EventTypeDefinition[];
}): FastifyPluginAsyncTypebox {
  const body = JSON.stringify({ eventTypes: deps.eventTypes });
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return async (app) => {
    app.get(
      '/v1/event-types',
      {
        schema: {
          tags: ['alerts'],
          summary: 'Event types of the profile, with their CAP defaults and texts (ETag, 304)',
          querystring: Type.Object({}, { additionalProperties: false }),
          response: {
            200: EventTypeListSchema,
            304: Type.Null({ description: 'Not modified' }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        reply.header('etag', etag).header('cache-control', 'public, max-age=3600, must-revalidate');
        const inm = request.headers['if-none-match'];
        if (inm?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag))
          return reply.code(304).send(null);
        return reply.type('application/json; charset=utf-8').send(body as never);
      },
    );
  };
}
