// CAP ingest as the composition root builds it: the sources file read and checked (every
// problem at once, start-up refused), one poller over the alert service, and the read routes.
// The poller starts only when the hub listens (`start`).
import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { AlertService } from '../alerts/types.ts';
import { DEFAULT_EVENT_TYPES } from '../cap/profiles/event-types.ts';
import type { Config } from '../config/schema.ts';
import type { RegionTree } from '../geo/types.ts';
import type { Authenticate } from '../http/authenticate.ts';
import { ingestRoutes } from '../http/routes/ingest.ts';
import type { IngestStore } from '../store/ingest-store.ts';
import { createIngester } from './ingest.ts';
import { createIngestPoller, fetchText, type IngestPoller } from './poller.ts';
import { type IngestSource, loadSources } from './sources.ts';

export interface IngestWiring {
  config: Config['ingest'];
  alerts: AlertService;
  store: IngestStore;
  tree: RegionTree;
  authenticate: Authenticate;
  log: Logger;
}

export interface PreparedIngest {
  /** Undefined when no sources file is configured. */
  poller: IngestPoller | undefined;
  sources: IngestSource[];
  /** /v1/ingest/... (always served: it also shows what `tocsin ingest` did). */
  routes: FastifyPluginAsync;
}

/** Builds ingest from the configuration; throws on a bad sources file. Call `poller.start()` once listening. */
export function prepareIngest(deps: IngestWiring): PreparedIngest {
  const { config, log } = deps;
  let sources: IngestSource[] = [];
  if (config.sourcesFile !== '') {
    const loaded = loadSources(
      config.sourcesFile,
      deps.tree,
      new Set(DEFAULT_EVENT_TYPES.map((t) => t.code)),
    );
    if ('problems' in loaded) {
      const lines = loaded.problems.map((p) => `  ${p.where ?? ''}: ${p.message}`);
      throw new Error(
        `ingest.sourcesFile ${config.sourcesFile} is invalid (INGEST_SOURCES_INVALID):\n${lines.join('\n')}`,
      );
    }
    sources = loaded.sources;
  }
  const routes = ingestRoutes({
    sources,
    store: deps.store,
    authenticate: deps.authenticate,
  }) as unknown as FastifyPluginAsync;
  if (sources.length === 0) return { poller: undefined, sources, routes };
  const limits = { timeoutMs: config.timeoutMs, maxBytes: config.maxBytes };
  const ingester = createIngester({
    alerts: deps.alerts,
    store: deps.store,
    tree: deps.tree,
    fetchLinked: async (url) => {
      const fetched = await fetchText(url, limits);
      if (fetched.text === undefined) throw new Error(`${url}: HTTP ${fetched.status}`);
      return fetched.text;
    },
  });
  const poller = createIngestPoller({
    sources,
    ingester,
    store: deps.store,
    intervalMs: config.pollIntervalMs,
    limits,
    onPoll: (result) => {
      const counts: Record<string, number> = {};
      for (const m of result.report?.messages ?? []) counts[m.outcome] = (counts[m.outcome] ?? 0) + 1;
      if (result.problems.length > 0)
        log.warn(
          { source: result.source, status: result.status, counts, problems: result.problems.slice(0, 10) },
          'ingest poll had problems',
        );
      else log.debug({ source: result.source, status: result.status, counts }, 'ingest poll');
    },
  });
  log.info({ sources: sources.map((s) => s.name) }, 'CAP ingest configured');
  return { poller, sources, routes };
}
