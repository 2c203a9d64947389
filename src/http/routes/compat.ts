// The shapes existing clients speak, under /compat/<service>/ followed by the original path:
// alerts.in.ua v1 and api.ukrainealarm.com v3. Each handler picks a document the compat views
// prepared from region state (src/delivery/compat/) and sends it with ETag / Last-Modified.
// Their credentials (`?token=`, `Authorization: Bearer <their token>`, `Authorization: <key>`)
// are accepted and ignored: this is public data, and an old client must work unchanged.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { AlertService, PreparedJson } from '../../alerts/types.ts';
import { createAlertsInUaView } from '../../delivery/compat/alerts-in-ua.ts';
import { createUkraineAlarmView } from '../../delivery/compat/ukrainealarm.ts';
import type { RegionTree } from '../../geo/types.ts';
import { notModified } from './state.ts';

export const COMPAT_PREFIX = '/compat/';
const AIU = '/compat/alerts-in-ua/v1';
const UAA = '/compat/ukrainealarm/api/v3';

/**
 * Root hook, installed before the authentication guard: on /compat/ paths the Authorization
 * header carries another service's key, never a Tocsin token, so it is dropped unread.
 */
export function ignoreForeignCredentials(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith(COMPAT_PREFIX)) delete request.headers.authorization;
  });
}

function send(request: FastifyRequest, reply: FastifyReply, doc: PreparedJson): FastifyReply {
  reply
    .header('etag', doc.etag)
    .header('last-modified', doc.lastModified)
    .header('cache-control', 'no-cache');
  if (notModified(request, doc)) return reply.code(304).send();
  return reply.type('application/json; charset=utf-8').send(doc.body);
}

// Clients add their own parameters (`token`, cache busters): accepted, never acted on.
const Query = Type.Object(
  { token: Type.Optional(Type.String({ maxLength: 1024 })) },
  { additionalProperties: true },
);
const Doc = (description: string) => Type.Unknown({ description });
const NotModified = Type.Null({ description: 'Not modified' });
const ForeignError = Type.Object(
  { message: Type.String() },
  { description: 'The original services’ error shape.' },
);

export function compatRoutes(deps: { alerts: AlertService; tree: RegionTree }): FastifyPluginAsyncTypebox {
  const { alerts } = deps;
  const aiu = createAlertsInUaView(deps.tree);
  const uaa = createUkraineAlarmView(deps.tree);
  const tags = ['compat'];
  return async (app) => {
    const get = (url: string, summary: string, doc: (request: FastifyRequest) => PreparedJson | undefined) =>
      app.get(
        url,
        {
          schema: {
            tags,
            summary,
            querystring: Query,
            response: { 200: Doc(summary), 304: NotModified, 404: ForeignError },
          },
        },
        async (request, reply) => {
          const found = doc(request);
          if (!found) return reply.code(404).send({ message: 'Unknown region identifier' });
          return send(request, reply, found);
        },
      );

    get(`${AIU}/alerts/active.json`, 'alerts.in.ua v1: active alerts', () => aiu.active(alerts.state()));
    get(
      `${AIU}/iot/active_air_raid_alerts_by_oblast.json`,
      'alerts.in.ua v1: A/P/N per oblast in the documented order',
      () => aiu.byOblast(alerts.state()),
    );
    get(`${AIU}/iot/active_air_raid_alerts.json`, 'alerts.in.ua v1: A/P/N indexed by UID', () =>
      aiu.byUid(alerts.state()),
    );
    get(`${AIU}/iot/active_air_raid_alerts/:uid.json`, 'alerts.in.ua v1: A/P/N of one oblast', (request) =>
      aiu.statusOf(alerts.state(), (request.params as { uid: string }).uid),
    );

    get(`${UAA}/alerts`, 'ukrainealarm v3: regions with active alerts', () => uaa.alerts(alerts.state()));
    get(`${UAA}/alerts/status`, 'ukrainealarm v3: lastActionIndex (changes with every event)', () =>
      uaa.status(alerts.state()),
    );
    get(`${UAA}/alerts/:regionId`, 'ukrainealarm v3: one region', (request) =>
      uaa.regionAlerts(alerts.state(), (request.params as { regionId: string }).regionId),
    );
    app.get(
      `${UAA}/regions`,
      {
        schema: {
          tags,
          summary: 'ukrainealarm v3: the region tree (State → District → Community)',
          querystring: Query,
          response: { 200: Doc('regions') },
        },
      },
      async (_request, reply) =>
        reply
          .header('cache-control', 'public, max-age=3600')
          .type('application/json; charset=utf-8')
          .send(uaa.regions()),
    );
  };
}
