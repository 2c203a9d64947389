// `tocsin serve --workers N`, one stream worker: holds live streams (SSE and WebSocket on
// `/v1/stream`) for its share of the connections, and passes every other request to the
// primary's hub (proxy.ts). Events arrive from the primary in seq order (relay-bus.ts); the
// stream hub is the same code a single process runs, so delivery semantics are identical.
import cluster from 'node:cluster';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify from 'fastify';
import { type Logger, pino } from 'pino';
import type { AlertService, PreparedJson } from '../alerts/types.ts';
import { type KeyRing, openKeyRing } from '../auth/keys.ts';
import { type Config, eventKeysDir } from '../config/schema.ts';
import { createStreamHub } from '../delivery/stream/hub.ts';
import { streamDepsFrom } from '../delivery/stream/wiring.ts';
import type { RegionRecord } from '../geo/types.ts';
import { stateRoutes } from '../http/routes/state.ts';
import { attachStreams } from '../http/routes/stream.ts';
import { installSecurity, parseOrigins } from '../http/security.ts';
import { answerBeforeFastify, STATE_PATH, stateFastPath } from '../http/state-fast-path.ts';
import { loadRegionTree } from '../store/default-regions.ts';
import type { Store } from '../store/store.ts';
import {
  type InitMessage,
  isToWorker,
  type LogOperation,
  type LogRequest,
  type ToWorker,
} from './messages.ts';
import { createProxy } from './proxy.ts';
import { createRelayBus } from './relay-bus.ts';

type LogReader = Pick<Store, 'readEvents' | 'latestSeq' | 'oldestRetainedSeq' | 'listRegions'>;

function pathOf(url: string | undefined): string {
  const at = url?.indexOf('?') ?? -1;
  return at < 0 ? (url ?? '') : (url as string).slice(0, at);
}

/** Runs this process as a stream worker until the primary says stop (or goes away). */
export async function runClusterWorker(config: Config, options: { logger?: Logger } = {}): Promise<void> {
  const log = (options.logger ?? pino({ level: config.log.level })).child({ worker: cluster.worker?.id });
  const bus = createRelayBus((error, event) =>
    log.error({ err: error, seq: event.seq }, 'worker bus subscriber failed'),
  );
  const calls = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextCall = 1;
  let state: PreparedJson | undefined;
  let onInit: ((message: InitMessage) => void) | undefined;
  let shutdown: (() => void) | undefined;
  let keys: KeyRing | undefined;

  const send = (message: unknown) => {
    if (process.connected) process.send?.(message);
  };

  process.on('message', (message: unknown) => {
    if (!isToWorker(message)) return;
    handle(message);
  });
  // The primary is gone: its hub (store, writes) with it. Clients resume on the next start.
  process.on('disconnect', () => process.exit(1));

  function handle(message: ToWorker): void {
    switch (message.t) {
      case 'tocsin:init':
        state = message.state;
        onInit?.(message);
        return;
      case 'tocsin:event':
        // The state first: compact lines and snapshots read it when the event goes out.
        if (message.state) state = message.state;
        bus.deliver(message.event);
        return;
      case 'tocsin:log-reply': {
        const call = calls.get(message.id);
        calls.delete(message.id);
        if (message.error !== undefined) call?.reject(new Error(message.error));
        else call?.resolve(message.value);
        return;
      }
      case 'tocsin:reload-keys':
        try {
          keys = openKeyRing(eventKeysDir(config));
        } catch (error) {
          log.error({ err: error }, 'worker: cannot reload signing keys');
        }
        return;
      case 'tocsin:shutdown':
        shutdown?.();
        return;
    }
  }

  function ask<T>(op: LogOperation, args: number[] = []): Promise<T> {
    const id = nextCall++;
    const request: LogRequest = { t: 'tocsin:log', id, op, args };
    return new Promise<T>((resolve, reject) => {
      calls.set(id, { resolve: resolve as (value: unknown) => void, reject });
      send(request);
    });
  }

  const reader: LogReader = {
    readEvents: (afterSeq, limit) => ask('readEvents', [afterSeq, limit]),
    latestSeq: () => ask('latestSeq'),
    oldestRetainedSeq: () => ask('oldestRetainedSeq'),
    listRegions: () => ask<RegionRecord[]>('listRegions'),
  };

  const init = await new Promise<InitMessage>((resolve) => {
    onInit = resolve;
    send({ t: 'tocsin:ready' });
  });
  keys = openKeyRing(eventKeysDir(config));
  const tree = await loadRegionTree(reader);
  const streams = createStreamHub(
    streamDepsFrom({
      tree,
      bus,
      store: reader,
      state: () => state as PreparedJson,
      signingKey: () => (keys as KeyRing).current(),
      logger: log,
      options: config.streams,
    }),
  );
  const proxy = createProxy({
    upstream: init.upstream,
    trustForwarded: config.server.trustProxy,
    onError: (error) => log.warn({ err: error }, 'worker: the hub did not answer a proxied request'),
  });

  const app = Fastify({
    loggerInstance: log,
    trustProxy: config.server.trustProxy,
    return503OnClosing: true,
    // Only stream GETs and GET /v1/state reach Fastify here; everything else goes to the hub untouched.
    serverFactory: (handler) =>
      createServer((req: IncomingMessage, res: ServerResponse) => {
        const path = req.method === 'GET' ? pathOf(req.url) : '';
        if (path === streams.options.path || path === STATE_PATH) handler(req, res);
        else proxy.handle(req, res);
      }),
  });
  const workerId = String(cluster.worker?.id ?? 0);
  // The plain GET /v1/state before Fastify, as in the hub (src/http/state-fast-path.ts).
  answerBeforeFastify(
    app as never,
    stateFastPath({ state: () => state, extraHeaders: { 'x-tocsin-worker': workerId } }),
  );
  installSecurity(app as never, { corsOrigins: parseOrigins(config.auth.corsOrigins) });
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('x-tocsin-worker', workerId);
  });
  await attachStreams(app as never, streams, tree);
  // GET /v1/state from the prepared state the primary relays (the same bytes and ETag it serves),
  // so the endpoint every client polls scales with the workers. It is as current as the streams:
  // the relay carries each event's state before the event itself.
  await app.register(
    stateRoutes({
      alerts: {
        state: () => state as PreparedJson,
        stateOf: () => {
          throw new Error('GET /v1/state/{code} is answered by the hub');
        },
      } as unknown as AlertService,
    }) as never,
  );

  const stopped = new Promise<void>((resolve) => {
    shutdown = () => {
      shutdown = undefined;
      void app
        .close()
        .catch((error: unknown) => log.error({ err: error }, 'worker: close failed'))
        .finally(() => {
          proxy.close();
          void bus.close();
          resolve();
        });
    };
  });
  await app.listen({
    host: config.server.host,
    port: config.server.port,
    backlog: config.server.listenBacklog,
  });
  log.debug({ pid: process.pid }, 'stream worker listening');
  await stopped;
}
