// The read side of the lifecycle: history with filters and cursor pagination, and statistics
// for a period. Query parameters are checked here and refused with QUERY_INVALID / REGION_NOT_FOUND.
import type { RegionTree } from '../geo/types.ts';
import type { IncidentRecord, Store } from '../store/store.ts';
import { type Clock, parseTime } from './clock.ts';
import { TocsinError } from './errors.ts';
import { toView } from './events.ts';
import { computeStats } from './stats.ts';
import type { AlertList, AlertListQuery, Stats, StatsQuery } from './types.ts';

const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 500;

/** History: newest first by the seq that recorded each alert; `region` includes ancestors and descendants. */
export async function listAlerts(
  deps: { store: Store; tree: RegionTree },
  query: AlertListQuery,
): Promise<AlertList> {
  const { store, tree } = deps;
  const limit = query.limit ?? DEFAULT_LIST_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT)
    throw queryError('limit', `expected 1 to ${MAX_LIST_LIMIT}`);
  const beforeSeq = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  let regions: string[] | undefined;
  if (query.region !== undefined) {
    if (!tree.has(query.region)) throw regionNotFound(query.region);
    // An alert on an ancestor is an alert here; one on a descendant is an alert in part of it.
    regions = [
      query.region,
      ...tree.ancestors(query.region).map((r) => r.code),
      ...tree.descendants(query.region).map((r) => r.code),
    ];
  }
  const records = await store.listAlerts({
    limit,
    ...(regions ? { regions } : {}),
    ...(query.event === undefined ? {} : { eventType: query.event }),
    ...(query.from === undefined ? {} : { fromMs: timeParam('from', query.from) }),
    ...(query.to === undefined ? {} : { toMs: timeParam('to', query.to) }),
    ...(query.active === undefined ? {} : { active: query.active }),
    ...(beforeSeq === undefined ? {} : { beforeSeq }),
  });
  const incidents = new Map<string, IncidentRecord | undefined>();
  for (const r of records)
    if (!incidents.has(r.incidentId)) incidents.set(r.incidentId, await store.getIncident(r.incidentId));
  const last = records.at(-1);
  return {
    items: records.map((r) => toView(r, incidents.get(r.incidentId))),
    nextCursor: records.length === limit && last ? encodeCursor(last.createdSeq) : null,
  };
}

/** Count, total and longest duration, time under alert per region and event type for a period. */
export async function computePeriodStats(
  deps: { store: Store; tree: RegionTree; clock: Clock },
  query: StatsQuery,
): Promise<Stats> {
  const { store, tree, clock } = deps;
  const fromMs = timeParam('from', query.from);
  const toMs = timeParam('to', query.to);
  if (toMs <= fromMs) throw queryError('to', 'must be after from');
  if (query.region !== undefined && !tree.has(query.region)) throw regionNotFound(query.region);
  const incidents = await store.listIncidents({
    fromMs,
    toMs,
    ...(query.event === undefined ? {} : { eventType: query.event }),
  });
  const period = {
    fromMs,
    toMs,
    nowMs: clock.now(),
    ...(query.region === undefined ? {} : { region: query.region }),
  };
  return { from: query.from, to: query.to, rows: computeStats(incidents, period, tree) };
}

function regionNotFound(code: string): TocsinError {
  return new TocsinError('REGION_NOT_FOUND', `No region with code ${JSON.stringify(code.slice(0, 64))}`);
}

function encodeCursor(seq: number): string {
  return Buffer.from(`s${seq}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const text = cursor.length <= 40 ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const match = /^s(\d{1,15})$/.exec(text);
  if (!match) throw queryError('cursor', 'not a cursor this server returned');
  return Number(match[1]);
}

function timeParam(name: string, value: string): number {
  const ms = parseTime(value);
  if (Number.isNaN(ms))
    throw queryError(name, 'expected an RFC 3339 date-time with offset, e.g. 2026-03-01T10:42:00+02:00');
  return ms;
}

function queryError(path: string, message: string): TocsinError {
  return new TocsinError('QUERY_INVALID', `Query parameter ${path}: ${message}`, [{ path, message }]);
}
