// `tocsin ingest FILE [--source NAME]`: one CAP message or feed from a file (or `-` for stdin),
// judged exactly as a polled source's would be — validated, de-duplicated, mapped to regions,
// issued within the source's jurisdiction, recorded — directly on the data folder or database.

import { readFile } from 'node:fs/promises';
import { pino } from 'pino';
import { defaultNeedsApproval, neverNeedsApproval } from '../alerts/policy.ts';
import { createAlertService } from '../alerts/service.ts';
import { loadXmlSigner } from '../alerts/xml-signing.ts';
import { openKeyRing } from '../auth/keys.ts';
import { createAuthorize } from '../auth/policy.ts';
import { createMemoryBus } from '../bus/memory.ts';
import { DEFAULT_EVENT_TYPES } from '../cap/profiles/event-types.ts';
import { eventKeysDir } from '../config/schema.ts';
import { createIngester, type IngestReport, type SourceTrust } from '../ingest/ingest.ts';
import { fetchText } from '../ingest/poller.ts';
import { loadSources } from '../ingest/sources.ts';
import { loadRegionTree } from '../store/default-regions.ts';
import { openStore } from '../store/open.ts';
import type { Store } from '../store/store.ts';
import { type Command, EXIT } from './command.ts';
import { parseFlags, stringFlag, UsageError } from './flags.ts';
import { configFrom, STORE_FLAGS } from './identity-cli.ts';

const help = `Usage: tocsin ingest FILE|- [--source NAME] [--data-dir DIR] [--config FILE] [--json]

Ingests one CAP message or CAP Atom/RSS feed (links to http(s) CAP messages are fetched) as a
configured source would be: each message is validated, skipped if this source brought it before
(same sender, identifier and sent), mapped to regions, and issued through the alert service;
refusals are recorded with their reason.

  --source NAME  judge it as the source NAME of ingest.sourcesFile: issued as ingest:NAME, only
                 within that source's jurisdiction, with its default event type.
                 Without it: the source "cli", trusted for every region (whoever can run this
                 command already holds the data).

Works directly on the data: DIR (default TOCSIN_DATA_DIR or ./tocsin-data) or DATABASE_URL, like
\`tocsin serve\`. A running single-node hub does not see the new alerts until it restarts: give
a running hub the feed as a source instead.
Exit: 0 every message issued (or already known), 1 something refused, invalid or unreadable, 2 usage or I/O.
`;

function summary(report: IngestReport): string {
  const lines = report.messages.map(
    (m) =>
      `${m.outcome.padEnd(9)} ${m.sender},${m.identifier},${m.sent}${m.alertId ? ` → ${m.alertId}` : ''}${m.code ? `  ${m.code}` : ''}${m.message && m.outcome !== 'issued' ? `: ${m.message}` : ''}\n`,
  );
  for (const p of report.problems)
    lines.push(`problem   ${p.code}${p.where ? ` (${p.where})` : ''}: ${p.message}\n`);
  if (lines.length === 0) lines.push('no CAP messages found\n');
  return lines.join('');
}

export const command: Command = {
  summary: 'ingest one CAP message or feed file as a source would be',
  help,
  async run(args, io) {
    let text: string;
    let parsed: ReturnType<typeof parseFlags>;
    try {
      parsed = parseFlags(args, { ...STORE_FLAGS, source: { type: 'string' } }, 1);
      const file = parsed.positionals[0];
      if (file === undefined) throw new UsageError('missing FILE (or - for standard input)');
      text = file === '-' ? await io.readStdin() : await readFile(file, 'utf8');
    } catch (error) {
      io.stderr(`tocsin ingest: ${(error as Error).message}\n${error instanceof UsageError ? help : ''}`);
      return EXIT.usage;
    }
    const json = parsed.values.json === true;
    let store: Store | undefined;
    try {
      const config = configFrom(parsed, io);
      store = await openStore({ databaseUrl: config.database.url, dataDir: config.dataDir });
      const tree = await loadRegionTree(store);
      const name = stringFlag(parsed, 'source');
      let source: SourceTrust;
      if (name === undefined) source = { name: 'cli', jurisdiction: tree.roots().map((r) => r.code) };
      else {
        if (config.ingest.sourcesFile === '')
          throw new UsageError('--source needs ingest.sourcesFile (TOCSIN_INGEST_SOURCES_FILE or --config)');
        const loaded = loadSources(
          config.ingest.sourcesFile,
          tree,
          new Set(DEFAULT_EVENT_TYPES.map((t) => t.code)),
        );
        if ('problems' in loaded)
          throw new UsageError(
            loaded.problems
              .map((p) => `${config.ingest.sourcesFile} ${p.where ?? ''}: ${p.message}`)
              .join('\n'),
          );
        const found = loaded.sources.find((s) => s.name === name);
        if (!found) throw new UsageError(`no source '${name}' in ${config.ingest.sourcesFile}`);
        source = found;
      }
      const keys = openKeyRing(eventKeysDir(config));
      const xmlSigner = loadXmlSigner(config.alerts.xmlSigningKeyFile, config.alerts.xmlSigningCertFile);
      const bus = createMemoryBus({});
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
        ...(xmlSigner ? { signXml: xmlSigner.sign } : {}),
        onError: (error, context) => pino({ level: 'error' }).error({ err: error, context }, 'ingest'),
      });
      const limits = { timeoutMs: config.ingest.timeoutMs, maxBytes: config.ingest.maxBytes };
      const ingester = createIngester({
        alerts,
        store: store.ingest,
        tree,
        fetchLinked: async (url) => {
          const fetched = await fetchText(url, limits);
          if (fetched.text === undefined) throw new Error(`${url}: HTTP ${fetched.status}`);
          return fetched.text;
        },
      });
      if (Buffer.byteLength(text, 'utf8') > config.ingest.maxBytes)
        throw new UsageError(`the file is larger than ingest.maxBytes (${config.ingest.maxBytes})`);
      const report = await ingester.ingestDocument(source, text);
      await bus.close();
      io.stdout(json ? `${JSON.stringify(report)}\n` : summary(report));
      const bad =
        report.problems.length > 0 ||
        report.messages.length === 0 ||
        report.messages.some((m) => m.outcome === 'refused' || m.outcome === 'invalid');
      return bad ? EXIT.failure : EXIT.ok;
    } catch (error) {
      io.stderr(`tocsin ingest: ${(error as Error).message}\n`);
      return EXIT.usage;
    } finally {
      await store?.close();
    }
  },
};
