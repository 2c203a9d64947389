// Parses and checks what a stream client asks for: the same rules for SSE and WebSocket.
//   regions=UA-59,UA-63 (or repeated)  |  lat=50.9&lon=34.8  |  neither: every region
//   since=SEQ or the Last-Event-ID header (the header wins: EventSource resends the first URL)
//   format=json|compact   exercises=include|exclude
import type { ErrorDetail } from './errors.ts';
import { StreamError } from './errors.ts';
import type { StreamOptions, StreamTree, SubscriptionSpec } from './types.ts';

const KNOWN_PARAMS = new Set(['regions', 'lat', 'lon', 'since', 'format', 'exercises']);
const REGION_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
const SEQ_TEXT = /^\d{1,15}$/;
const DECIMAL = /^[+-]?(\d{1,3}(\.\d{1,12})?)$/;

type Limits = Pick<StreamOptions, 'maxRegions' | 'maxQueryBytes'>;

/** `rawQuery` is the part of the URL after `?` (may be empty). */
export function parseSubscription(
  rawQuery: string,
  lastEventId: string | undefined,
  tree: StreamTree,
  limits: Limits,
): SubscriptionSpec {
  if (Buffer.byteLength(rawQuery) > limits.maxQueryBytes) {
    throw new StreamError(
      'STREAM_QUERY_TOO_LONG',
      `the query string is longer than ${limits.maxQueryBytes} bytes`,
    );
  }
  const params = new URLSearchParams(rawQuery);
  const problems: ErrorDetail[] = [];
  for (const name of new Set(params.keys())) {
    if (!KNOWN_PARAMS.has(name)) problems.push({ path: `query.${name}`, message: 'unknown parameter' });
  }
  for (const name of ['lat', 'lon', 'since', 'format', 'exercises']) {
    if (params.getAll(name).length > 1)
      problems.push({ path: `query.${name}`, message: 'given more than once' });
  }
  if (problems.length > 0)
    throw new StreamError('STREAM_BAD_QUERY', 'the stream query is not valid', problems);

  const format = params.get('format') ?? 'json';
  if (format !== 'json' && format !== 'compact') {
    throw badQuery('query.format', 'must be json or compact');
  }
  const exercises = params.get('exercises') ?? 'include';
  if (exercises !== 'include' && exercises !== 'exclude') {
    throw badQuery('query.exercises', 'must be include or exclude');
  }
  const spec: SubscriptionSpec = {
    codes: resolveRegions(params, tree, limits),
    format,
    excludeExercises: exercises === 'exclude',
  };
  const since = resumePoint(params.get('since'), lastEventId);
  if (since !== undefined) spec.since = since;
  return spec;
}

function badQuery(path: string, message: string): StreamError {
  return new StreamError('STREAM_BAD_QUERY', 'the stream query is not valid', [{ path, message }]);
}

function resolveRegions(params: URLSearchParams, tree: StreamTree, limits: Limits): string[] | null {
  const lists = params.getAll('regions');
  const hasPoint = params.has('lat') || params.has('lon');
  if (lists.length > 0 && hasPoint) throw badQuery('query', 'give regions or lat/lon, not both');
  if (hasPoint) return [pointRegion(params.get('lat'), params.get('lon'), tree)];
  if (lists.length === 0) return null;

  const codes = new Set<string>();
  const problems: ErrorDetail[] = [];
  for (const list of lists) {
    for (const item of list.split(',')) {
      const code = item.trim();
      if (!REGION_CODE.test(code)) {
        problems.push({
          path: 'query.regions',
          message: `not a region code: ${JSON.stringify(code.slice(0, 40))}`,
        });
      } else {
        codes.add(code);
      }
      if (codes.size + problems.length > limits.maxRegions) {
        throw new StreamError('STREAM_TOO_MANY_REGIONS', `at most ${limits.maxRegions} regions per stream`, [
          { path: 'query.regions', message: `more than ${limits.maxRegions} codes` },
        ]);
      }
    }
  }
  if (problems.length > 0)
    throw new StreamError('STREAM_BAD_QUERY', 'the stream query is not valid', problems);
  const unknown = [...codes].filter((code) => !tree.has(code));
  if (unknown.length > 0) {
    throw new StreamError(
      'STREAM_UNKNOWN_REGION',
      `unknown region${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`,
      unknown.map((code) => ({ path: 'query.regions', message: `unknown region ${code}` })),
    );
  }
  return [...codes];
}

function pointRegion(latText: string | null, lonText: string | null, tree: StreamTree): string {
  const lat = coordinate(latText, 'lat', 90);
  const lon = coordinate(lonText, 'lon', 180);
  const chain = tree.lookupPoint(lat, lon);
  const deepest = chain[chain.length - 1];
  if (!deepest) {
    throw new StreamError('STREAM_NO_REGION_AT_POINT', `no region contains the point ${lat}, ${lon}`, [
      { path: 'query.lat', message: 'outside every known region' },
    ]);
  }
  // The deepest region: its subscribers also hear every alert on the regions above it.
  return deepest.code;
}

function coordinate(text: string | null, name: string, bound: number): number {
  if (text === null) throw badQuery(`query.${name}`, 'lat and lon go together');
  const value = Number(text);
  if (!DECIMAL.test(text) || !Number.isFinite(value) || Math.abs(value) > bound) {
    throw badQuery(`query.${name}`, `must be a decimal number between -${bound} and ${bound}`);
  }
  return value;
}

function resumePoint(since: string | null, lastEventId: string | undefined): number | undefined {
  // HTML §9.2.6: an empty id resets the last event ID, so an empty header means "no resume".
  if (lastEventId !== undefined && lastEventId !== '') return seqOf(lastEventId, 'header.last-event-id');
  if (since !== null) return seqOf(since, 'query.since');
  return undefined;
}

function seqOf(text: string, path: string): number {
  if (!SEQ_TEXT.test(text)) {
    throw new StreamError('STREAM_BAD_SINCE', 'the resume point must be an event seq (a whole number ≥ 0)', [
      { path, message: `not a seq: ${JSON.stringify(text.slice(0, 40))}` },
    ]);
  }
  return Number(text);
}
