// Polls each configured source with a conditional GET (If-None-Match / If-Modified-Since from the
// validators of its last 200, kept in the store across restarts, RFC 9110 §13.1): 304 costs
// nothing and issues nothing; 200 goes through the ingester, and its validators are saved only
// after every message of it was judged, so a crash in between re-reads rather than loses.
import type { IngestSourceRecord, IngestStore } from '../store/ingest-store.ts';
import type { IngestCode, IngestProblem } from './errors.ts';
import type { Ingester, IngestReport } from './ingest.ts';
import type { IngestSource } from './sources.ts';

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

export interface Fetched {
  status: number;
  headers: Headers;
  text?: string;
}

export class IngestFetchError extends Error {
  readonly code: IngestCode;
  constructor(code: IngestCode, message: string) {
    super(message);
    this.name = 'IngestFetchError';
    this.code = code;
  }
}

const USER_AGENT = 'Tocsin-ingest/0.1 (+https://github.com/tocsin)';

/** GET with a deadline and a byte limit; the body is read only for a 200. */
export async function fetchText(
  url: string,
  limits: FetchLimits,
  headers: Record<string, string> = {},
  fetchImpl: typeof fetch = fetch,
): Promise<Fetched> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: {
        'user-agent': USER_AGENT,
        accept:
          'application/atom+xml, application/rss+xml, application/cap+xml, application/xml;q=0.9, */*;q=0.5',
        ...headers,
      },
      signal: AbortSignal.timeout(limits.timeoutMs),
    });
  } catch (error) {
    throw new IngestFetchError('INGEST_FETCH_FAILED', `${url}: ${(error as Error).message}`);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    return { status: response.status, headers: response.headers };
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    await response.body?.cancel();
    throw new IngestFetchError(
      'INGEST_TOO_LARGE',
      `${url}: ${declared} bytes; the limit is ${limits.maxBytes}`,
    );
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body ?? []) {
      size += (chunk as Uint8Array).byteLength;
      if (size > limits.maxBytes) {
        await response.body?.cancel().catch(() => {});
        throw new IngestFetchError('INGEST_TOO_LARGE', `${url}: more than ${limits.maxBytes} bytes`);
      }
      chunks.push(chunk as Uint8Array);
    }
  } catch (error) {
    if (error instanceof IngestFetchError) throw error;
    throw new IngestFetchError('INGEST_FETCH_FAILED', `${url}: ${(error as Error).message}`);
  }
  return { status: 200, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') };
}

export interface PollResult {
  source: string;
  /** HTTP status, 0 when no response came. */
  status: number;
  report?: IngestReport;
  problems: IngestProblem[];
}

export interface IngestPollerDeps {
  sources: readonly IngestSource[];
  ingester: Ingester;
  store: IngestStore;
  intervalMs: number;
  limits: FetchLimits;
  fetch?: typeof fetch;
  now?: () => number;
  /** After every poll (logging, metrics, tests waiting on a poll). */
  onPoll?: (result: PollResult) => void;
}

export interface IngestPoller {
  /** Polls one source now. */
  pollOnce(name: string): Promise<PollResult>;
  /** Polls every source now, then every interval. */
  start(): void;
  /** Stops the timers and waits for polls in progress. */
  stop(): Promise<void>;
}

export function createIngestPoller(deps: IngestPollerDeps): IngestPoller {
  const { ingester, store, limits } = deps;
  const now = deps.now ?? Date.now;
  const byName = new Map(deps.sources.map((s) => [s.name, s]));
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Map<string, Promise<PollResult>>();
  let stopped = false;

  async function poll(source: IngestSource): Promise<PollResult> {
    const known = await store.getSource(source.name);
    // Validators belong to a URL: a changed URL starts afresh.
    const state: IngestSourceRecord =
      known && known.url === source.url
        ? known
        : {
            name: source.name,
            url: source.url,
            etag: null,
            lastModified: null,
            lastPollMs: null,
            lastStatus: null,
            lastError: null,
          };
    const conditional: Record<string, string> = {};
    if (state.etag) conditional['if-none-match'] = state.etag;
    if (state.lastModified) conditional['if-modified-since'] = state.lastModified;
    const result: PollResult = { source: source.name, status: 0, problems: [] };
    let fetched: Fetched | undefined;
    try {
      fetched = await fetchText(source.url, limits, conditional, deps.fetch);
      result.status = fetched.status;
    } catch (error) {
      const code = error instanceof IngestFetchError ? error.code : 'INGEST_FETCH_FAILED';
      result.problems.push({ code, message: (error as Error).message, where: source.url });
    }
    let next: IngestSourceRecord = {
      ...state,
      lastPollMs: now(),
      lastStatus: result.status,
      lastError: null,
    };
    if (fetched && fetched.status === 200 && fetched.text !== undefined) {
      result.report = await ingester.ingestDocument(source, fetched.text, source.url);
      result.problems.push(...result.report.problems);
      next = {
        ...next,
        etag: fetched.headers.get('etag'),
        lastModified: fetched.headers.get('last-modified'),
      };
    } else if (fetched && fetched.status !== 304) {
      result.problems.push({
        code: 'INGEST_HTTP_STATUS',
        message: `HTTP ${fetched.status}`,
        where: source.url,
      });
    }
    next.lastError = result.problems[0]?.code ?? null;
    await store.saveSource(next);
    return result;
  }

  function pollOnce(name: string): Promise<PollResult> {
    const source = byName.get(name);
    if (!source) return Promise.reject(new Error(`no ingest source ${name}`));
    // One poll per source at a time: a slow source is never polled twice at once.
    const inFlight = running.get(name);
    if (inFlight) return inFlight;
    const promise = poll(source)
      .then((result) => {
        deps.onPoll?.(result);
        return result;
      })
      .finally(() => running.delete(name));
    running.set(name, promise);
    return promise;
  }

  function schedule(source: IngestSource): void {
    if (stopped) return;
    const run = () => {
      pollOnce(source.name)
        .catch((error: unknown) =>
          deps.onPoll?.({
            source: source.name,
            status: 0,
            problems: [{ code: 'INGEST_FAILED', message: (error as Error).message }],
          }),
        )
        .finally(() => {
          if (stopped) return;
          const timer = setTimeout(run, source.intervalMs ?? deps.intervalMs);
          timers.set(source.name, timer);
        });
    };
    run();
  }

  return {
    pollOnce,
    start() {
      for (const source of deps.sources) schedule(source);
    },
    async stop() {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running.values()]);
    },
  };
}
