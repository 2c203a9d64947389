// The composition root: configuration → signing keys → store → bus → region tree → alert
// service → HTTP → listen, and the ordered shutdown in reverse. The only file that picks the
// concrete engines; everything else receives its collaborators as arguments.
import { mkdirSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import { type Logger, pino } from 'pino';
import { defaultNeedsApproval, neverNeedsApproval } from './alerts/policy.ts';
import { createAlertService } from './alerts/service.ts';
import { createTemplateService } from './alerts/templates.ts';
import type { AlertService } from './alerts/types.ts';
import { loadXmlSigner } from './alerts/xml-signing.ts';
import { recordKeyRotation, recordStart } from './audit/startup.ts';
import { createIdentity } from './auth/identity.ts';
import { type KeyRing, openKeyRing } from './auth/keys.ts';
import { assertCan, createAuthorize } from './auth/policy.ts';
import { createRateLimiter } from './auth/rate-limit.ts';
import type { Bus } from './bus/bus.ts';
import { createMemoryBus } from './bus/memory.ts';
import { createNatsBus } from './bus/nats.ts';
import { DEFAULT_EVENT_TYPES } from './cap/profiles/event-types.ts';
import { type Config, eventKeysDir } from './config/schema.ts';
import { type Lease, soleNodeLease } from './delivery/push/lease.ts';
import { type MqttChannel, startMqttChannel } from './delivery/push/mqtt.ts';
import { createWebhookRegistry } from './delivery/push/webhook-registry.ts';
import { createTargetGuard, parseAllowCidrs } from './delivery/push/webhook-target.ts';
import { startWebhookWorker, type WebhookWorker } from './delivery/push/webhook-worker.ts';
import { loadVapidKeys, startWebPushChannel, type WebPushChannel } from './delivery/push/webpush.ts';
import { createPushSubscriptions } from './delivery/push/webpush-subscriptions.ts';
import { createStreamHub } from './delivery/stream/hub.ts';
import { streamDepsFrom } from './delivery/stream/wiring.ts';
import { buildApp } from './http/app.ts';
import { createAuthenticator } from './http/authenticate.ts';
import { createMetrics } from './http/metrics.ts';
import { auditRoutes } from './http/routes/audit.ts';
import { compatRoutes, ignoreForeignCredentials } from './http/routes/compat.ts';
import { feedRoutes } from './http/routes/feeds.ts';
import { operatorRoutes } from './http/routes/operators.ts';
import { pushRoutes } from './http/routes/push.ts';
import { sessionRoutes } from './http/routes/session.ts';
import { attachStreams } from './http/routes/stream.ts';
import { templateRoutes } from './http/routes/templates.ts';
import { tokenRoutes } from './http/routes/tokens.ts';
import { webhookRoutes } from './http/routes/webhooks.ts';
import { installSecurity, parseOrigins } from './http/security.ts';
import type { IngestPoller } from './ingest/poller.ts';
import { prepareIngest } from './ingest/wiring.ts';
import { DEFAULT_REGIONS_ATTRIBUTION, loadRegionTree } from './store/default-regions.ts';
import { createPostgresLease } from './store/postgres/lease.ts';
import { POSTGRES_MIGRATIONS } from './store/postgres/migrations.ts';
import { openPostgresStore } from './store/postgres/postgres-store.ts';
import { SQLITE_MIGRATIONS } from './store/sqlite/migrations.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
import type { Store } from './store/store.ts';

export interface Hub {
  /** `http://host:port` the hub listens on. */
  url: string;
  port: number;
  config: Config;
  /** For tests and tools in this process; the HTTP API is the public surface. */
  alerts: AlertService;
  store: Store;
  /** The webhook channel (undefined when webhooks.enabled is off). */
  webhooks: WebhookWorker | undefined;
  /**
   * The MQTT channel (when MQTT_URL is set) and the Web Push channel (when webPush.enabled), for
   * tests: undefined too while another node of the cluster holds the lease that runs them.
   */
  push: { mqtt: MqttChannel | undefined; webPush: WebPushChannel | undefined };
  /** The bus committed events travel on (stream workers are fed from it: src/cluster/). */
  bus: Bus;
  /** CAP ingest (undefined when ingest.sourcesFile is empty). */
  ingest: IngestPoller | undefined;
  /** Re-reads the signing keys from the data dir (after `tocsin keys rotate`; SIGHUP in `tocsin serve`). */
  reloadKeys(): void;
  /** Graceful, ordered shutdown; resolves `timedOut: true` when the deadline passed first. */
  close(): Promise<{ timedOut: boolean }>;
}

export interface HubOptions {
  /** Defaults to pino on stdout at the configured level. */
  logger?: Logger;
  /** Extra route plugins (tests, later issues). */
  plugins?: FastifyPluginAsync[];
  /** How often a node without the MQTT / Web Push lease tries for it, and its holder checks it (default 2 s / 5 s). */
  leaseRetryMs?: number;
}

/** The advisory lock number of the MQTT / Web Push lease (src/store/postgres/lease.ts). */
const PUSH_CHANNELS_LEASE = 1;

async function openStore(config: Config, log: Logger): Promise<{ store: Store; migrations: number[] }> {
  if (config.database.url !== '') {
    const store = await openPostgresStore({
      url: config.database.url,
      onError: (error) => log.warn({ err: error }, 'idle PostgreSQL connection failed'),
    });
    return { store, migrations: POSTGRES_MIGRATIONS.map((m) => m.version) };
  }
  const store = await openSqliteStore({ dataDir: config.dataDir });
  return { store, migrations: SQLITE_MIGRATIONS.map((m) => m.version) };
}

async function openBus(config: Config, store: Store, log: Logger): Promise<Bus> {
  if (config.nats.url !== '') {
    return createNatsBus({
      url: config.nats.url,
      stream: config.nats.stream,
      subjectPrefix: config.nats.subjectPrefix,
      source: store,
      startAfterSeq: await store.latestSeq(),
      onError: (error, context) => log.warn({ err: error, context }, 'NATS bus error'),
    });
  }
  return createMemoryBus({
    onError: (error, event) => log.error({ err: error, seq: event.seq }, 'bus subscriber failed'),
  });
}

/** Starts a hub from a validated configuration; resolves once it listens. */
export async function startHub(config: Config, options: HubOptions = {}): Promise<Hub> {
  const log = options.logger ?? pino({ level: config.log.level });
  // Resources opened so far, closed in reverse if a later step fails.
  const opened: { name: string; close: () => Promise<unknown> }[] = [];
  try {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    let keys: KeyRing = openKeyRing(eventKeysDir(config));

    const { store, migrations } = await openStore(config, log);
    opened.push({ name: 'store', close: () => store.close() });

    const bus = await openBus(config, store, log);
    opened.push({ name: 'bus', close: () => bus.close() });

    const tree = await loadRegionTree(store);
    const xmlSigner = loadXmlSigner(config.alerts.xmlSigningKeyFile, config.alerts.xmlSigningCertFile);
    const metrics = createMetrics({ store, processMetrics: true });
    const alerts = createAlertService({
      store,
      bus,
      tree,
      signingKey: () => keys.current(),
      sender: config.alerts.sender,
      timeZone: config.alerts.timeZone,
      needsApproval: config.alerts.twoPersonRule ? defaultNeedsApproval : neverNeedsApproval,
      pendingTtlMs: config.alerts.pendingTtlMs,
      authorize: createAuthorize(tree),
      correctionTexts: { uk: config.alerts.correctionTextUk, en: config.alerts.correctionTextEn },
      ...(xmlSigner ? { signXml: xmlSigner.sign } : {}),
      onEvent: (event) => metrics.observeEvent(event),
      onError: (error, context) => log.error({ err: error, context }, 'alert service background work failed'),
    });
    await alerts.start();
    opened.push({ name: 'alert scheduler', close: () => alerts.stop() });
    // Webhooks (docs/webhooks.md): a durable channel reading the log from its own cursor; stopped
    // after HTTP and before the store, attempts in flight flushed or aborted (they stay queued).
    const webhookConfig = config.webhooks;
    const webhookGuard = createTargetGuard({
      allowPrivateTargets: webhookConfig.allowPrivateTargets,
      allowCidrs: parseAllowCidrs(webhookConfig.allowCidrs),
    });
    const webhooks = webhookConfig.enabled
      ? await startWebhookWorker({
          store,
          bus,
          tree,
          guard: webhookGuard,
          retry: {
            baseMs: webhookConfig.retryBaseMs,
            maxDelayMs: webhookConfig.retryMaxDelayMs,
            maxAgeMs: webhookConfig.maxAgeMs,
          },
          concurrency: webhookConfig.concurrency,
          timeoutMs: webhookConfig.timeoutMs,
          responseLimitBytes: webhookConfig.responseLimitBytes,
          onError: (error, context) => log.error({ err: error, context }, 'webhook channel'),
        })
      : undefined;
    if (webhooks)
      opened.push({ name: 'webhooks', close: () => webhooks.stop(webhookConfig.shutdownFlushMs) });
    const webhookRegistry = createWebhookRegistry({
      store,
      tree,
      guard: webhookGuard,
      eventTypes: DEFAULT_EVENT_TYPES.map((t) => t.code),
      maxWebhooks: webhookConfig.maxWebhooks,
      poke: () => webhooks?.poke(),
    });
    // MQTT and Web Push (docs/mqtt-push.md): durable channels on their own cursors, stopped before
    // the store, run by one node of a cluster at a time (the lease: src/delivery/push/lease.ts).
    const vapid = await loadVapidKeys(store.push, Date.now());
    const pushConfig = config.webPush;
    let mqtt: MqttChannel | undefined;
    let webPush: WebPushChannel | undefined;
    if (config.mqtt.url || pushConfig.enabled) {
      const lease: Lease = config.database.url
        ? createPostgresLease({
            url: config.database.url,
            lockId: PUSH_CHANNELS_LEASE,
            ...(options.leaseRetryMs !== undefined ? { retryMs: options.leaseRetryMs } : {}),
            ...(options.leaseRetryMs !== undefined ? { checkMs: options.leaseRetryMs } : {}),
            log,
          })
        : soleNodeLease();
      opened.push({ name: 'mqtt and web push', close: () => lease.stop() });
      await lease.run({
        acquired: async () => {
          mqtt = config.mqtt.url
            ? await startMqttChannel({
                ...config.mqtt,
                tree,
                eventTypes: DEFAULT_EVENT_TYPES,
                stateOf: (code) => alerts.stateOf(code),
                cursors: store.cursors,
                events: store,
                bus,
                log,
              })
            : undefined;
          webPush = pushConfig.enabled
            ? await startWebPushChannel({
                ...pushConfig,
                store: store.push,
                keys: vapid,
                tree,
                cursors: store.cursors,
                events: store,
                bus,
                log,
              })
            : undefined;
        },
        lost: async () => {
          const [m, w] = [mqtt, webPush];
          [mqtt, webPush] = [undefined, undefined];
          await Promise.all([m?.stop(), w?.stop()]);
        },
      });
    }
    const pushPlugin = pushRoutes({
      vapidPublicKey: vapid.publicKey,
      subscriptions: createPushSubscriptions({ ...pushConfig, store: store.push, tree }),
    }) as unknown as FastifyPluginAsync;
    await recordStart(store.audit, { config, kid: keys.current().kid, nowMs: Date.now() });
    const templates = createTemplateService({
      templates: store.audit,
      alerts,
      authorize: (actor, action, resource) => assertCan(tree, actor, action, resource),
    });

    const auth = config.auth;
    const identity = createIdentity({
      store: store.identity,
      tree,
      sessionIdleMs: auth.sessionIdleMs,
      sessionMaxMs: auth.sessionMaxMs,
      loginMaxFailures: auth.loginMaxFailures,
      loginIpMaxFailures: auth.loginIpMaxFailures,
      lockMs: auth.loginLockMs,
      audit: (entry) => store.audit.append(entry),
    });
    const authenticator = createAuthenticator({
      identity,
      rateLimiter: createRateLimiter({ perSecond: auth.tokenRatePerSecond, burst: auth.tokenBurst }),
    });
    const identityPlugins = [
      sessionRoutes({
        identity,
        authenticator,
        sessionMaxMs: auth.sessionMaxMs,
        loginTokenTtlMs: auth.loginTokenTtlMs,
      }),
      operatorRoutes({ identity, store: store.identity, tree, authenticate: authenticator.authenticate }),
      tokenRoutes({ identity, store: store.identity, tree, authenticator }),
    ] as unknown as FastifyPluginAsync[];
    const auditPlugins = [
      templateRoutes({ templates, authenticate: authenticator.authenticate }),
      auditRoutes({
        audit: store.audit,
        authenticate: authenticator.authenticate,
        authorizeRead: (actor) => assertCan(tree, actor, 'audit.read'),
      }),
    ] as unknown as FastifyPluginAsync[];

    // Feeds and the shapes existing clients speak (docs/compat.md).
    const ingest = prepareIngest({
      config: config.ingest,
      alerts,
      store: store.ingest,
      tree,
      authenticate: authenticator.authenticate,
      log,
    });
    const compatPlugins = [
      feedRoutes({ alerts }),
      compatRoutes({ alerts, tree }),
      ingest.routes,
    ] as unknown as FastifyPluginAsync[];

    const webhookPlugin = webhookRoutes({
      registry: webhookRegistry,
      authenticate: authenticator.authenticate,
    }) as unknown as FastifyPluginAsync;

    const { app, drain } = await buildApp({
      alerts,
      store,
      tree,
      regionAttribution: DEFAULT_REGIONS_ATTRIBUTION,
      keys: { current: () => keys.current(), publicKeys: () => keys.publicKeys(), jwks: () => keys.jwks() },
      metrics,
      authenticate: authenticator.authenticate,
      install: (fastify) => {
        installSecurity(fastify, { corsOrigins: parseOrigins(auth.corsOrigins) });
        ignoreForeignCredentials(fastify);
        authenticator.install(fastify);
      },
      logger: log,
      bodyLimitBytes: config.server.bodyLimitBytes,
      trustProxy: config.server.trustProxy,
      expectedMigrations: migrations,
      plugins: [
        ...identityPlugins,
        ...auditPlugins,
        ...compatPlugins,
        webhookPlugin,
        pushPlugin,
        ...(options.plugins ?? []),
      ],
    });
    opened.push({ name: 'http', close: () => app.close() });

    // Live streams (docs/streams.md): started when the app is ready, every stream ended before it closes.
    const streams = createStreamHub(
      streamDepsFrom({
        tree,
        bus,
        store,
        state: () => alerts.state(),
        signingKey: () => keys.current(),
        logger: log,
        options: config.streams,
      }),
    );
    await attachStreams(app as never, streams, tree);

    await app.listen({
      host: config.server.host,
      port: config.server.port,
      backlog: config.server.listenBacklog,
    });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.server.port;
    const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
    const url = `http://${host}:${port}`;
    log.info(
      { url, store: store.engine, bus: config.nats.url ? 'nats' : 'memory', kid: keys.current().kid },
      'hub started',
    );
    // CAP in (docs/compat.md): upstream feeds polled and issued through the alert service.
    const poller = ingest.poller;
    if (poller) {
      poller.start();
      opened.push({ name: 'ingest', close: () => poller.stop() });
    }

    let closing: Promise<{ timedOut: boolean }> | undefined;
    return {
      url,
      port,
      config,
      alerts,
      store,
      webhooks,
      push: {
        get mqtt() {
          return mqtt;
        },
        get webPush() {
          return webPush;
        },
      },
      bus,
      ingest: ingest.poller,
      reloadKeys() {
        const previous = keys.current().kid;
        keys = openKeyRing(eventKeysDir(config));
        log.info({ kid: keys.current().kid }, 'signing keys reloaded');
        if (keys.current().kid !== previous)
          recordKeyRotation(store.audit, previous, keys.current().kid, Date.now()).catch((error: unknown) =>
            log.error({ err: error }, 'audit record of the key rotation failed'),
          );
      },
      close() {
        closing ??= shutdown(drain, opened, config.server.shutdownTimeoutMs, log);
        return closing;
      },
    };
  } catch (error) {
    await closeAll(opened, log);
    throw error;
  }
}

/** Closes in reverse order of opening: HTTP (stop accepting, finish requests, end streams), scheduler, bus, store. */
async function closeAll(
  opened: { name: string; close: () => Promise<unknown> }[],
  log: Logger,
): Promise<void> {
  for (const resource of [...opened].reverse()) {
    try {
      await resource.close();
    } catch (error) {
      log.error({ err: error, resource: resource.name }, 'close failed');
    }
  }
}

async function shutdown(
  drain: () => void,
  opened: { name: string; close: () => Promise<unknown> }[],
  deadlineMs: number,
  log: Logger,
): Promise<{ timedOut: boolean }> {
  log.info('shutting down');
  drain();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), deadlineMs);
    timer.unref();
  });
  const outcome = await Promise.race([closeAll(opened, log).then(() => 'done' as const), deadline]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    log.error({ deadlineMs }, 'shutdown deadline passed; exiting with work unfinished');
    return { timedOut: true };
  }
  log.info('shut down');
  return { timedOut: false };
}
