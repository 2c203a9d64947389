// `tocsin serve --workers N`, the primary: one full hub (store, alert service, scheduler, API)
// on an internal loopback port, and N stream workers (node:cluster) that share the public port.
// Node 20 has no reusePort, so the primary accepts and hands connections round-robin to the
// workers; a worker serves live streams itself and passes every other request to the hub.
//
// Workers hear committed events from the hub's Bus (in-process or NATS JetStream), relayed here
// once per worker in seq order with the region state after them; so a node of a multi-node
// cluster is this same primary with NATS as its bus. A worker reads the event log (replays)
// through the primary: only the primary opens the store.
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { type Logger, pino } from 'pino';
import type { Config } from '../config/schema.ts';
import { startHub } from '../main.ts';
import {
  type EventMessage,
  type InitMessage,
  isLogRequest,
  type LogReply,
  type LogRequest,
} from './messages.ts';

export interface ClusterPrimary {
  /** The public URL the workers listen on. */
  url: string;
  port: number;
  /** Process ids of the running workers. */
  workerPids(): number[];
  reloadKeys(): void;
  close(): Promise<{ timedOut: boolean }>;
}

/** Workers for a `server.workers` setting: 0 means one per core. */
export function workerCount(setting: number): number {
  return setting === 0 ? availableParallelism() : setting;
}

/** A worker that dies this soon after its start counts as a failed start. */
const QUICK_DEATH_MS = 5_000;
const MAX_QUICK_DEATHS = 5;

export async function startClusterPrimary(
  config: Config,
  workers: number,
  options: { logger?: Logger } = {},
): Promise<ClusterPrimary> {
  const log = options.logger ?? pino({ level: config.log.level });
  // The hub itself listens on loopback only; it trusts the one X-Forwarded-For hop the
  // workers add (proxy.ts), which carries the client's address.
  const internal: Config = structuredClone(config);
  internal.server.host = '127.0.0.1';
  internal.server.port = 0;
  internal.server.trustProxy = true;
  const hub = await startHub(internal, { logger: log });

  const ready = new Set<Worker>();
  const started = new Map<Worker, number>();
  let stopping = false;
  let quickDeaths = 0;
  let sentEtag = '';

  const unsubscribe = hub.bus.subscribe((event) => {
    // The alert service applied this event to region state before the bus handed it on.
    const state = hub.alerts.state();
    const message: EventMessage = { t: 'tocsin:event', event };
    if (state.etag !== sentEtag) {
      message.state = state;
      sentEtag = state.etag;
    }
    for (const worker of ready) if (worker.isConnected()) worker.send(message);
  });

  async function answer(worker: Worker, request: LogRequest): Promise<void> {
    const reply: LogReply = { t: 'tocsin:log-reply', id: request.id };
    try {
      const [a = 0, b = 0] = request.args;
      if (request.op === 'readEvents') reply.value = await hub.store.readEvents(a, Math.min(b, 10_000));
      else if (request.op === 'latestSeq') reply.value = await hub.store.latestSeq();
      else if (request.op === 'oldestRetainedSeq') reply.value = await hub.store.oldestRetainedSeq();
      else reply.value = await hub.store.listRegions();
    } catch (error) {
      log.warn({ err: error, op: request.op }, 'cluster: a worker read failed');
      reply.error = (error as Error).message;
    }
    if (worker.isConnected()) worker.send(reply);
  }

  function fork(): Worker {
    const worker = cluster.fork();
    started.set(worker, Date.now());
    worker.on('message', (message: unknown) => {
      if ((message as { t?: unknown } | null)?.t === 'tocsin:ready') {
        const init: InitMessage = { t: 'tocsin:init', upstream: hub.url, state: hub.alerts.state() };
        worker.send(init);
        ready.add(worker);
      } else if (isLogRequest(message)) void answer(worker, message);
      else log.warn({ worker: worker.id }, 'cluster: unexpected message from a worker ignored');
    });
    return worker;
  }

  let listening: { port: number } | undefined;
  try {
    listening = await new Promise<{ port: number }>((resolve, reject) => {
      let count = 0;
      const onListening = (_worker: Worker, address: { port: number }) => {
        count += 1;
        if (count === workers) {
          cleanup();
          resolve({ port: address.port });
        }
      };
      const onExit = (worker: Worker, code: number | null, signal: string | null) => {
        cleanup();
        reject(
          new Error(`stream worker ${worker.id} exited while starting (code ${code}, signal ${signal})`),
        );
      };
      const cleanup = () => {
        cluster.off('listening', onListening);
        cluster.off('exit', onExit);
      };
      cluster.on('listening', onListening);
      cluster.on('exit', onExit);
      for (let i = 0; i < workers; i++) fork();
    });
  } catch (error) {
    stopping = true;
    await stopWorkers(1_000);
    unsubscribe();
    await hub.close();
    throw error;
  }

  cluster.on('exit', (worker, code, signal) => {
    ready.delete(worker);
    const since = started.get(worker) ?? 0;
    started.delete(worker);
    if (stopping) return;
    log.error({ worker: worker.id, pid: worker.process.pid, code, signal }, 'cluster: stream worker died');
    quickDeaths = Date.now() - since < QUICK_DEATH_MS ? quickDeaths + 1 : 0;
    if (quickDeaths >= MAX_QUICK_DEATHS) {
      log.fatal('cluster: stream workers keep dying at start; not starting another');
      return;
    }
    fork().once('listening', (address: { port: number }) =>
      log.warn({ worker: worker.id, port: address.port }, 'cluster: replacement stream worker listening'),
    );
  });

  /** Asks every worker to end its streams and exit; kills those still there at the deadline. */
  async function stopWorkers(deadlineMs: number): Promise<boolean> {
    const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    const exits = alive.map(
      (w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))),
    );
    for (const worker of alive) if (worker.isConnected()) worker.send({ t: 'tocsin:shutdown' });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), deadlineMs);
    });
    const outcome = await Promise.race([Promise.all(exits).then(() => 'done' as const), deadline]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      for (const worker of alive) if (!worker.isDead()) worker.process.kill('SIGKILL');
    return outcome === 'timeout';
  }

  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `http://${host}:${listening.port}`;
  log.info({ url, workers, internal: hub.url }, 'cluster started');

  let closing: Promise<{ timedOut: boolean }> | undefined;
  return {
    url,
    port: listening.port,
    workerPids: () =>
      [...started.keys()].flatMap((w) => (w.process.pid === undefined ? [] : [w.process.pid])),
    reloadKeys() {
      hub.reloadKeys();
      for (const worker of ready) if (worker.isConnected()) worker.send({ t: 'tocsin:reload-keys' });
    },
    close() {
      closing ??= (async () => {
        stopping = true;
        // Streams first (clients resume elsewhere), then the hub in its own order.
        const workersTimedOut = await stopWorkers(config.server.shutdownTimeoutMs);
        unsubscribe();
        const { timedOut } = await hub.close();
        return { timedOut: timedOut || workersTimedOut };
      })();
      return closing;
    },
  };
}
