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
import type { IncidentRecord } from '../../store/store.ts';
import { notModified } from '../state-fast-path.ts';

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
  if (notModified(request.headers, doc)) return reply.code(304).send();
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

const DAY_MS = 86_400_000;
/** alerts.in.ua's history periods. */
const AIU_PERIODS: Readonly<Record<string, number>> = {
  day_ago: DAY_MS,
  week_ago: 7 * DAY_MS,
  month_ago: 30 * DAY_MS,
};
/** How far back ukrainealarm's regionHistory looks for its 25 alarms. */
const UAA_HISTORY_MS = 30 * DAY_MS;
const HISTORY_CACHE_MS = 60_000;
const HISTORY_CACHE_MAX = 10_000;

export function compatRoutes(deps: {
  alerts: AlertService;
  tree: RegionTree;
  now?: () => number;
}): FastifyPluginAsyncTypebox {
  const { alerts } = deps;
  const now = deps.now ?? Date.now;
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

    // History: the incidents of the period from the store, at most once a minute per question
    // (the originals allowed 2 requests a minute); a new event invalidates at once (state ETag).
    const historyCache = new Map<string, { etag: string; untilMs: number; doc: PreparedJson | undefined }>();
    const history = async (
      key: string,
      periodMs: number,
      build: (state: PreparedJson, incidents: IncidentRecord[], nowMs: number) => PreparedJson | undefined,
    ): Promise<PreparedJson | undefined> => {
      const state = alerts.state();
      const nowMs = now();
      const cached = historyCache.get(key);
      if (cached && cached.etag === state.etag && cached.untilMs > nowMs) return cached.doc;
      const doc = build(state, await alerts.incidentsBetween(nowMs - periodMs, nowMs + 1), nowMs);
      if (historyCache.size >= HISTORY_CACHE_MAX) historyCache.clear();
      historyCache.set(key, { etag: state.etag, untilMs: nowMs + HISTORY_CACHE_MS, doc });
      return doc;
    };
    app.get(
      `${AIU}/regions/:uid/alerts/:period.json`,
      {
        schema: {
          tags,
          summary: 'alerts.in.ua v1: the alerts of one region over day_ago, week_ago or month_ago',
          querystring: Query,
          response: { 200: Doc('history'), 304: NotModified, 400: ForeignError, 404: ForeignError },
        },
      },
      async (request, reply) => {
        const { uid, period } = request.params as { uid: string; period: string };
        const periodMs = AIU_PERIODS[period];
        if (periodMs === undefined)
          return reply
            .code(400)
            .send({ message: `Unknown period; one of ${Object.keys(AIU_PERIODS).join(', ')}` });
        const doc = await history(`aiu\u0000${uid}\u0000${period}`, periodMs, (state, incidents) =>
          aiu.history(state, incidents, uid),
        );
        if (!doc) return reply.code(404).send({ message: 'Unknown region identifier' });
        return send(request, reply, doc);
      },
    );
    app.get(
      `${UAA}/alerts/regionHistory`,
      {
        schema: {
          tags,
          summary: 'ukrainealarm v3: the last 25 alarms of one region (of the last 30 days)',
          querystring: Type.Object(
            { regionId: Type.String({ minLength: 1, maxLength: 16 }) },
            { additionalProperties: true },
          ),
          response: { 200: Doc('region history'), 304: NotModified, 404: ForeignError },
        },
      },
      async (request, reply) => {
        const { regionId } = request.query as { regionId: string };
        const doc = await history(`uaa\u0000${regionId}`, UAA_HISTORY_MS, (state, incidents, nowMs) =>
          uaa.regionHistory(state, incidents, regionId, nowMs),
        );
        if (!doc) return reply.code(404).send({ message: 'Unknown region identifier' });
        return send(request, reply, doc);
      },
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
