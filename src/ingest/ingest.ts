// CAP in: one document (a CAP message, or an Atom/RSS feed of them) from one source, through the
// alert service. Reads as a script: tell what the document is → collect its messages (a feed that
// does not parse is refused whole) → oldest first, for each: skip it if this source brought it
// before (sender, identifier, sent) → map it to regions → issue it as the source's own actor,
// whose jurisdiction is the source's → record what became of it (the provenance).
import { createHash } from 'node:crypto';
import type { Actor } from '../alerts/actor.ts';
import { isTocsinError } from '../alerts/errors.ts';
import type { AlertService } from '../alerts/types.ts';
import { documentKind, parseCapFeed } from '../cap/feed.ts';
import type { Alert } from '../cap/types.ts';
import { parseCapXml, serializeCapXml } from '../cap/xml.ts';
import type { RegionTree } from '../geo/types.ts';
import type { IngestOutcome, IngestStore } from '../store/ingest-store.ts';
import type { IngestProblem } from './errors.ts';
import { mapUpstream } from './map.ts';

/** What ingest needs of a source (a configured one, or the command line's). */
export interface SourceTrust {
  name: string;
  /** Region codes the source is trusted for, descendants included. */
  jurisdiction: readonly string[];
  /** Event type of messages without a TOCSIN eventCode. */
  event?: string | undefined;
}

export interface MessageOutcome {
  sender: string;
  identifier: string;
  sent: string;
  /** `seen`: this source brought it before; nothing was done. */
  outcome: IngestOutcome | 'seen';
  alertId: string | null;
  code: string | null;
  message: string | null;
}

export interface IngestReport {
  source: string;
  kind: 'alert' | 'atom' | 'rss' | 'unknown';
  messages: MessageOutcome[];
  problems: IngestProblem[];
}

export interface IngesterDeps {
  alerts: AlertService;
  store: IngestStore;
  tree: RegionTree;
  /** Fetches a CAP message a feed links to (http/https only); without it, links are problems. */
  fetchLinked?: (url: string) => Promise<string>;
  now?: () => number;
}

export interface Ingester {
  /** Ingests one document; `baseUrl` resolves relative links of a feed. Never throws for bad input. */
  ingestDocument(source: SourceTrust, text: string, baseUrl?: string): Promise<IngestReport>;
}

/** The source's own actor: token-like (so the jurisdiction rules apply to it), an author over the source's regions. */
export function sourceActor(source: SourceTrust): Actor {
  return {
    id: `ingest:${source.name}`,
    name: `CAP ingest ${source.name}`,
    kind: 'token',
    roles: ['author'],
    jurisdiction: [...source.jurisdiction],
  };
}

/** Service error codes that mean "not from this source" rather than "not a valid message". */
const REFUSAL_PREFIX = 'AUTH_';
const REFUSED_CODES = new Set([
  'ALERT_NOT_FOUND',
  'ALERT_ALREADY_ENDED',
  'ALERT_CONFLICT',
  'ALERT_NEEDS_APPROVAL',
]);

interface Upstream {
  alert: Alert;
  where: string;
}

export function createIngester(deps: IngesterDeps): Ingester {
  const { alerts, store, tree } = deps;
  const now = deps.now ?? Date.now;

  async function collect(text: string, baseUrl: string | undefined, report: IngestReport): Promise<string[]> {
    if (report.kind === 'alert') return [text];
    const feed = parseCapFeed(text);
    if (!feed.ok) {
      for (const f of feed.errors)
        report.problems.push({
          code: 'INGEST_FEED_INVALID',
          message: `${f.code}: ${f.message}`,
          ...(f.line === undefined ? {} : { where: `line ${f.line}, column ${f.column ?? 1}` }),
        });
      return [];
    }
    const documents: string[] = [];
    for (const entry of feed.entries) {
      const where = `entry at line ${entry.position.line}`;
      if (entry.capXml !== undefined) {
        documents.push(entry.capXml);
        continue;
      }
      if (entry.capUrl === undefined) continue; // an entry about something else
      let url: URL;
      try {
        url = new URL(entry.capUrl, baseUrl);
      } catch {
        report.problems.push({
          code: 'INGEST_LINK_UNSUPPORTED',
          message: `not a URL: ${entry.capUrl.slice(0, 200)}`,
          where,
        });
        continue;
      }
      // A polled feed's links are followed on its own origin only: an upstream feed must not make
      // the hub fetch other (internal) addresses. A file given to `tocsin ingest` has no origin.
      if (baseUrl !== undefined && url.origin !== new URL(baseUrl).origin) {
        report.problems.push({
          code: 'INGEST_LINK_UNSUPPORTED',
          message: `not on the feed's origin: ${url.href.slice(0, 200)}`,
          where,
        });
        continue;
      }
      if ((url.protocol !== 'http:' && url.protocol !== 'https:') || !deps.fetchLinked) {
        report.problems.push({
          code: 'INGEST_LINK_UNSUPPORTED',
          message: `cannot follow ${url.href.slice(0, 200)}`,
          where,
        });
        continue;
      }
      try {
        documents.push(await deps.fetchLinked(url.href));
      } catch (error) {
        report.problems.push({
          code: 'INGEST_FETCH_FAILED',
          message: (error as Error).message,
          where: url.href,
        });
      }
    }
    return documents;
  }

  async function judge(source: SourceTrust, up: Upstream): Promise<MessageOutcome> {
    const { sender, identifier, sent } = up.alert;
    const key = { sender, identifier, sent };
    const earlier = await store.seen(source.name, sender, identifier, sent);
    if (earlier)
      return { ...key, outcome: 'seen', alertId: earlier.alertId, code: earlier.code, message: null };
    let outcome: MessageOutcome;
    try {
      const text = serializeCapXml(mapUpstream(up.alert, tree, source.event ?? 'other'));
      const idempotencyKey = `ingest-${createHash('sha256')
        .update(JSON.stringify([source.name, sender, identifier, sent]))
        .digest('base64url')}`;
      const result = await alerts.issue(sourceActor(source), { format: 'cap-xml', text }, { idempotencyKey });
      outcome = { ...key, outcome: result.outcome, alertId: result.alert.id, code: null, message: null };
    } catch (error) {
      if (!isTocsinError(error)) {
        // Not the message's fault (the store, say): not recorded, so the next poll tries again.
        if (error instanceof Error && (error as { code?: string }).code?.startsWith('CAP_')) {
          outcome = {
            ...key,
            outcome: 'invalid',
            alertId: null,
            code: 'CAP_INVALID',
            message: error.message,
          };
        } else throw error;
      } else {
        const code = error.code === 'AUTH_FORBIDDEN' ? (error.details[0]?.code ?? error.code) : error.code;
        const kind: IngestOutcome =
          error.code.startsWith(REFUSAL_PREFIX) || REFUSED_CODES.has(error.code)
            ? 'refused'
            : error.code === 'ALERT_DUPLICATE_IDENTIFIER'
              ? 'duplicate'
              : 'invalid';
        const detail = error.details.map((d) => d.message).join('; ');
        outcome = {
          ...key,
          outcome: kind,
          alertId: null,
          code,
          message: `${error.message}${detail ? `: ${detail}` : ''}`.slice(0, 2000),
        };
      }
    }
    await store.record({
      source: source.name,
      ...key,
      outcome: outcome.outcome as IngestOutcome,
      alertId: outcome.alertId,
      code: outcome.code,
      message: outcome.message,
      seenMs: now(),
    });
    return outcome;
  }

  return {
    async ingestDocument(source, text, baseUrl) {
      const kind = documentKind(text);
      const report: IngestReport = { source: source.name, kind, messages: [], problems: [] };
      if (kind === 'unknown') {
        report.problems.push({
          code: 'INGEST_NOT_CAP',
          message: 'The root element is neither <alert>, <feed> nor <rss>',
        });
        return report;
      }
      const upstream: Upstream[] = [];
      for (const [i, doc] of (await collect(text, baseUrl, report)).entries()) {
        const parsed = parseCapXml(doc);
        if (!parsed.ok) {
          const first = parsed.errors[0];
          report.problems.push({
            code: 'INGEST_MESSAGE_INVALID',
            message: first ? `${first.code}: ${first.message}` : 'not CAP',
            where: `message ${i + 1}${first?.line === undefined ? '' : `, line ${first.line}`}`,
          });
          continue;
        }
        upstream.push({ alert: parsed.alert, where: `message ${i + 1}` });
      }
      // Oldest first, so an alert is issued before the update that references it.
      upstream.sort((a, b) => Date.parse(a.alert.sent) - Date.parse(b.alert.sent));
      for (const up of upstream) {
        try {
          report.messages.push(await judge(source, up));
        } catch (error) {
          report.problems.push({ code: 'INGEST_FAILED', message: (error as Error).message, where: up.where });
        }
      }
      return report;
    },
  };
}
