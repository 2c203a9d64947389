// Statistics per region and event type for a period: how many incidents, how long in total, the
// longest, and the time under alert (overlapping incidents merged), all clipped to the period.
import type { RegionTree } from '../geo/types.ts';
import type { IncidentRecord } from '../store/store.ts';
import type { StatsRow } from './types.ts';

interface Bucket {
  region: string;
  event: string;
  intervals: [number, number][];
}

/**
 * `region` given: one row per event type for that region, counting incidents placed on it or on
 * an ancestor (an oblast's alert is an alert in each of its raions). Otherwise one row per
 * (placed region, event type).
 */
export function computeStats(
  incidents: IncidentRecord[],
  period: { fromMs: number; toMs: number; nowMs: number; region?: string },
  tree: RegionTree,
): StatsRow[] {
  const buckets = new Map<string, Bucket>();
  for (const incident of incidents) {
    const start = Math.max(incident.startedMs, period.fromMs);
    const end = Math.min(incident.endedMs ?? period.nowMs, period.toMs);
    if (end <= start) continue;
    const codes = new Set<string>();
    for (const link of incident.regions) {
      if (period.region === undefined) codes.add(link.code);
      else if (link.code === period.region || tree.covers(link.code, period.region)) codes.add(period.region);
    }
    for (const code of codes) {
      const key = `${code}\u0000${incident.eventType}`;
      const bucket = buckets.get(key) ?? { region: code, event: incident.eventType, intervals: [] };
      bucket.intervals.push([start, end]);
      buckets.set(key, bucket);
    }
  }
  return [...buckets.values()]
    .map(toRow)
    .sort((a, b) => (a.region === b.region ? (a.event < b.event ? -1 : 1) : a.region < b.region ? -1 : 1));
}

function toRow(bucket: Bucket): StatsRow {
  let total = 0;
  let longest = 0;
  for (const [s, e] of bucket.intervals) {
    total += e - s;
    longest = Math.max(longest, e - s);
  }
  return {
    region: bucket.region,
    event: bucket.event,
    count: bucket.intervals.length,
    totalSeconds: total / 1000,
    longestSeconds: longest / 1000,
    underAlertSeconds: mergedLength(bucket.intervals) / 1000,
  };
}

/** Length of the union of intervals. */
export function mergedLength(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let sum = 0;
  let curStart = Number.NEGATIVE_INFINITY;
  let curEnd = Number.NEGATIVE_INFINITY;
  for (const [s, e] of sorted) {
    if (s > curEnd) {
      if (curEnd > curStart) sum += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else curEnd = Math.max(curEnd, e);
  }
  if (curEnd > curStart) sum += curEnd - curStart;
  return sum;
}
