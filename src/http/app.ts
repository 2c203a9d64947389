// Builds the Fastify application without listening (tests inject requests; main.ts listens).
// Everything it serves comes in through `deps`; it opens nothing and picks no engine.
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  LogController,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify';
import type { Logger } from 'pino';
import type { AlertService } from '../alerts/types.ts';
import type { KeyRing } from '../auth/keys.ts';
import { DEFAULT_EVENT_TYPES, type EventTypeDefinition } from '../cap/profiles/event-types.ts';
import type { RegionTree } from '../geo/types.ts';
import type { Store } from '../store/store.ts';
import type { Authenticate } from './authenticate.ts';
import { renderApiDocs } from './docs.ts';
import { errorBody, HTTP_ERROR_CODES, logInternal, toHttpError } from './errors.ts';
import { useLimitedJsonParser } from './json-body.ts';
import type { Metrics } from './metrics.ts';
import { alertRoutes } from './routes/alerts.ts';
import { eventTypeRoutes } from './routes/event-types.ts';
import { keyRoutes } from './routes/keys.ts';
import { opsRoutes } from './routes/ops.ts';
import { pendingRoutes } from './routes/pending.ts';
import { regionRoutes } from './routes/regions.ts';
import { stateRoutes } from './routes/state.ts';
import { statsRoutes } from './routes/stats.ts';
import { webRoutes } from './routes/web.ts';
import { answerBeforeFastify, stateFastPath } from './state-fast-path.ts';

export interface AppDeps {
  alerts: AlertService;
  store: Store;
  tree: RegionTree;
  /** Shown with map shapes (the default region data's licence asks for it). */
  regionAttribution?: string;
  keys: KeyRing;
  metrics: Metrics;
  authenticate: Authenticate;
  logger: Logger;
  bodyLimitBytes: number;
  trustProxy?: boolean;
  expectedMigrations: readonly number[];
  /** Further route plugins (later issues, tests). */
  plugins?: FastifyPluginAsync[];
  /** Root-level hooks (security headers, CORS, the authentication guard), added before any route. */
  install?: (app: FastifyInstance) => void;
  now?: () => number;
  version?: string;
  /** Event types of the profile (GET /v1/event-types); default the Tocsin profile's. */
  eventTypes?: readonly EventTypeDefinition[];
  /** The built web app; default web/dist of this checkout. */
  webDistDir?: string;
}

export type HubFastify = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  Logger,
  TypeBoxTypeProvider
>;

export interface TocsinApp {
  app: HubFastify;
  /** Marks the hub as draining: /readyz answers 503 from now on. */
  drain(): void;
}

const XML_MEDIA_TYPES = ['application/cap+xml', 'application/xml'];

/** Builds the HTTP application; call `app.ready()` or `app.listen()` on the result. */
export async function buildApp(deps: AppDeps): Promise<TocsinApp> {
  let draining = false;
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.bodyLimitBytes,
    trustProxy: deps.trustProxy ?? false,
    // One log line per request at info would cost more than serving /v1/state; see onResponse.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Long enough for external CAP identifiers (the schema allows 256); the router's default is 100.
    routerOptions: { maxParamLength: 256 },
    // Unknown fields are errors, never silently dropped (Fastify's default removes them).
    ajv: { customOptions: { removeAdditional: false } },
    // Router-level failures (a malformed percent-encoding, an overlong segment) get the error shape too.
    frameworkErrors: (error, request, reply) => {
      const mapped = toHttpError(error, request.id);
      (reply as FastifyReply).code(mapped.status).send(mapped.body);
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // The plain GET /v1/state and /v1/state/{code}, polled by every client, are answered before Fastify.
  answerBeforeFastify(
    app as unknown as FastifyInstance,
    stateFastPath({
      state: () => deps.alerts.state(),
      stateOf: (code) => deps.alerts.stateOf(code),
      observe: (status, seconds, route) => deps.metrics.observeRequest('GET', route, status, seconds),
    }),
  );

  // Only JSON and CAP XML bodies: text/plain (a Fastify default) would slip past the 415.
  app.removeContentTypeParser('text/plain');
  useLimitedJsonParser(app as never);
  app.addContentTypeParser(XML_MEDIA_TYPES, { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Tocsin public warning hub',
        version: deps.version ?? '0.1.0',
        description:
          'OASIS CAP 1.2 alerts for regions: issue, update, end; region state, history, statistics. Times are RFC 3339 with offset.',
      },
      tags: [
        { name: 'alerts' },
        { name: 'state' },
        { name: 'stats' },
        { name: 'regions' },
        { name: 'keys' },
        { name: 'ops' },
      ],
    },
  });

  app.setErrorHandler((error, request, reply) => {
    const mapped = toHttpError(error, request.id);
    if (mapped.internal)
      logInternal(request.log, error, { reqId: request.id, method: request.method, url: request.url });
    return reply.code(mapped.status).send(mapped.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .send(
        errorBody(
          'NOT_FOUND',
          `${HTTP_ERROR_CODES.NOT_FOUND} ${request.method} ${request.url.split('?')[0]}`,
        ),
      ),
  );

  deps.install?.(app as unknown as FastifyInstance);

  const logRequests = deps.logger.isLevelEnabled('debug');
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    if (logRequests) {
      request.log.debug(
        { method: request.method, route, status: reply.statusCode, ms: reply.elapsedTime },
        'request',
      );
    }
  });

  await app.register(alertRoutes({ alerts: deps.alerts, authenticate: deps.authenticate }));
  await app.register(stateRoutes({ alerts: deps.alerts }));
  await app.register(
    statsRoutes({ alerts: deps.alerts, authenticate: deps.authenticate, now: deps.now ?? Date.now }),
  );
  await app.register(
    regionRoutes({
      tree: deps.tree,
      ...(deps.regionAttribution ? { attribution: deps.regionAttribution } : {}),
    }),
  );
  await app.register(keyRoutes({ keys: deps.keys }));
  await app.register(
    opsRoutes({
      store: deps.store,
      metrics: deps.metrics,
      expectedMigrations: deps.expectedMigrations,
      draining: () => draining,
    }),
  );
  for (const plugin of deps.plugins ?? []) await app.register(plugin);
  await app.register(eventTypeRoutes({ eventTypes: deps.eventTypes ?? DEFAULT_EVENT_TYPES }));
  await app.register(pendingRoutes({ store: deps.store, tree: deps.tree, authenticate: deps.authenticate }));
  await app.register(webRoutes(deps.webDistDir === undefined ? {} : { distDir: deps.webDistDir }));

  let docsHtml: string | undefined;
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/docs', { schema: { hide: true } }, async (_request, reply) => {
    docsHtml ??= renderApiDocs(app.swagger() as never);
    return reply.type('text/html; charset=utf-8').send(docsHtml);
  });

  return {
    app,
    drain() {
      draining = true;
    },
  };
}
