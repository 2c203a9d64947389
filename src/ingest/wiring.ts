// CAP ingest as the composition root starts it: the sources file read and checked (every
// problem at once, start-up refused), then one poller over the alert service.
import type { Logger } from 'pino';
import type { AlertService } from '../alerts/types.ts';
import { DEFAULT_EVENT_TYPES } from '../cap/profiles/event-types.ts';
import type { Config } from '../config/schema.ts';
import type { RegionTree } from '../geo/types.ts';
import type { IngestStore } from '../store/ingest-store.ts';
import { createIngester } from './ingest.ts';
import { createIngestPoller, fetchText, type IngestPoller } from './poller.ts';
import { loadSources } from './sources.ts';

export interface IngestWiring {
  config: Config['ingest'];
  alerts: AlertService;
  store: IngestStore;
  tree: RegionTree;
  log: Logger;
}

/** Starts polling the configured sources; undefined when none are configured. Throws on a bad sources file. */
export function startIngest(deps: IngestWiring): IngestPoller | undefined {
  const { config, log } = deps;
  if (config.sourcesFile === '') return undefined;
  const loaded = loadSources(config.sourcesFile, deps.tree, new Set(DEFAULT_EVENT_TYPES.map((t) => t.code)));
  if ('problems' in loaded) {
    const lines = loaded.problems.map((p) => `  ${p.where ?? ''}: ${p.message}`);
    throw new Error(`ingest.sourcesFile ${config.sourcesFile} is invalid (INGEST_SOURCES_INVALID):\n${lines.join('\n')}`);
  }
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
    sources: loaded.sources,
    ingester,
    store: deps.store,
    intervalMs: config.pollIntervalMs,
    limits,
    onPoll: (result) => {
      const counts: Record<string, number> = {};
      for (const m of result.report?.messages ?? []) counts[m.outcome] = (counts[m.outcome] ?? 0) + 1;
      if (result.problems.length > 0)
        log.warn({ source: result.source, status: result.status, counts, problems: result.problems.slice(0, 10) }, 'ingest poll had problems');
      else log.debug({ source: result.source, status: result.status, counts }, 'ingest poll');
    },
  });
  poller.start();
  log.info({ sources: loaded.sources.map((s) => s.name) }, 'CAP ingest started');
  return poller;
}
