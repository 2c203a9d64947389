// What the compatibility views are built from: the hub's region state reduced to placements
// (one per incident and region it was placed on), and the region tree seen through another
// service's identifiers (`ids.alerts_in_ua`, `ids.ukrainealarm` of the default data).
import type { PreparedJson, RegionStateEntry } from '../../alerts/types.ts';
import type { Region, RegionTree } from '../../geo/types.ts';
import type { IncidentRecord } from '../../store/store.ts';

/** One active incident on the region it was placed on. */
export interface Placement {
  incident: string;
  event: string;
  /** `since` as an instant, ms. */
  sinceMs: number;
  /** The region the alert was placed on. */
  region: string;
  whole: boolean;
  /** When the incident ended (history only); undefined or null while active. */
  endedMs?: number | null;
}

/**
 * Active Actual incidents, one entry per (incident, placed region), oldest first. Exercise, Test
 * and System alerts are left out: the old shapes cannot mark them, and a drill must never look real.
 */
export function placementsOf(state: PreparedJson): Placement[] {
  const body = JSON.parse(state.body) as { regions: Record<string, RegionStateEntry[]> };
  const seen = new Map<string, Placement>();
  for (const entries of Object.values(body.regions)) {
    for (const entry of entries) {
      if (entry.status !== 'Actual') continue;
      const key = `${entry.incident}\u0000${entry.region}`;
      if (seen.has(key)) continue;
      seen.set(key, {
        incident: entry.incident,
        event: entry.event,
        sinceMs: Date.parse(entry.since),
        region: entry.region,
        whole: entry.whole,
      });
    }
  }
  return [...seen.values()].sort((a, b) => a.sinceMs - b.sinceMs || (a.incident < b.incident ? -1 : 1));
}

/**
 * The placements of incidents from the store (the history endpoints): Actual ones only, as for
 * the active views, newest first.
 */
export function placementsOfIncidents(incidents: readonly IncidentRecord[]): Placement[] {
  const out: Placement[] = [];
  for (const incident of incidents) {
    if (incident.status !== 'Actual') continue;
    for (const link of incident.regions)
      out.push({
        incident: incident.id,
        event: incident.eventType,
        sinceMs: incident.startedMs,
        region: link.code,
        whole: link.whole,
        endedMs: incident.endedMs,
      });
  }
  return out.sort((a, b) => b.sinceMs - a.sinceMs || (a.incident < b.incident ? 1 : -1));
}

/** The tree as another service numbers it: only regions carrying that service's id. */
export interface ForeignIds {
  readonly scheme: string;
  idOf(code: string): string | undefined;
  regionOf(id: string): Region | undefined;
  /** Regions with an id and no ancestor with one (the service's top level), in tree order. */
  tops(): Region[];
  /** The nearest regions with an id below `code` (not descending further). */
  childrenOf(code: string): Region[];
  /** Where a placement on `code` shows in that service: itself if it has an id, else its
   * nearest ancestor with one, else (a region above them all, like `UA`) the top regions below it. */
  locate(code: string): Region[];
}

export function foreignIds(tree: RegionTree, scheme: string): ForeignIds {
  const byId = new Map<string, Region>();
  const idOf = new Map<string, string>();
  for (const region of tree.all()) {
    const id = region.ids?.[scheme];
    if (id === undefined || byId.has(id)) continue;
    byId.set(id, region);
    idOf.set(region.code, id);
  }
  const childrenOf = (code: string): Region[] => {
    const out: Region[] = [];
    const walk = (c: string) => {
      for (const child of tree.children(c)) {
        if (idOf.has(child.code)) out.push(child);
        else walk(child.code);
      }
    };
    walk(code);
    return out;
  };
  const tops = tree.roots().flatMap((root) => (idOf.has(root.code) ? [root] : childrenOf(root.code)));
  return {
    scheme,
    idOf: (code) => idOf.get(code),
    regionOf: (id) => byId.get(id),
    tops: () => tops,
    childrenOf,
    locate(code) {
      const own = tree.get(code);
      if (!own) return [];
      if (idOf.has(code)) return [own];
      const above = [...tree.ancestors(code)].reverse().find((r) => idOf.has(r.code));
      if (above) return [above];
      return childrenOf(code);
    },
  };
}

/** Builds a view once per state version (its ETag) and serves the same bytes until it changes. */
export function memoByState<T>(build: (state: PreparedJson) => T): (state: PreparedJson) => T {
  let etag: string | undefined;
  let value: T | undefined;
  return (state) => {
    if (etag !== state.etag || value === undefined) {
      value = build(state);
      etag = state.etag;
    }
    return value;
  };
}
