// /v1/state and /v1/state/{code}: region state, served from memory. The service keeps the
// JSON pre-serialised with its ETag and Last-Modified and rebuilds it when an event commits,
// so a request costs a header comparison and a write of ready bytes — no query, no stringify.
// The plain GET /v1/state and /v1/state/{code} are answered before Fastify (../state-fast-path.ts);
// this route answers the rest (a query string, credentials, HEAD, a proxy) with the same headers.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { AlertService, PreparedJson } from '../../alerts/types.ts';
import { ERROR_RESPONSES } from '../schemas.ts';
import { notModified } from '../state-fast-path.ts';

function sendPrepared(request: FastifyRequest, reply: FastifyReply, prepared: PreparedJson): FastifyReply {
  reply
    .header('etag', prepared.etag)
    .header('last-modified', prepared.lastModified)
    .header('cache-control', 'no-cache');
  if (notModified(request.headers, prepared)) return reply.code(304).send();
  // A string with a JSON content type is sent as is: Fastify does not serialise it again.
  return reply.type('application/json; charset=utf-8').send(prepared.body);
}

const StateSchema = Type.Object(
  {},
  {
    additionalProperties: true,
    description:
      'Region state: for each region with an active incident, the incidents with event type and start time.',
  },
);

export function stateRoutes(deps: { alerts: AlertService }): FastifyPluginAsyncTypebox {
  const { alerts } = deps;
  return async (app) => {
    app.get(
      '/v1/state',
      {
        schema: {
          tags: ['state'],
          summary: 'Region state now, every region with an active incident (ETag / Last-Modified, 304)',
          response: { 200: StateSchema, 304: Type.Null({ description: 'Not modified' }), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => sendPrepared(request, reply, alerts.state()),
    );
    app.get(
      '/v1/state/:code',
      {
        schema: {
          tags: ['state'],
          summary: 'Region state of one region, its ancestors’ alerts included (ETag / Last-Modified, 304)',
          params: Type.Object({ code: Type.String({ minLength: 1, maxLength: 64 }) }),
          response: { 200: StateSchema, 304: Type.Null({ description: 'Not modified' }), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => sendPrepared(request, reply, alerts.stateOf(request.params.code)),
    );
  };
}
