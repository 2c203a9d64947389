// The api.ukrainealarm.com v3 shapes as a thin view over region state: `alerts`,
// `alerts/{regionId}`, `alerts/status` and `regions`. Region identifiers are the default data's
// `ids.ukrainealarm`. docs/compat.md lists which fields are filled and how.
import type { PreparedJson } from '../../alerts/types.ts';
import { DEFAULT_EVENT_TYPES, type EventTypeDefinition } from '../../cap/profiles/event-types.ts';
import type { Region, RegionTree } from '../../geo/types.ts';
import type { IncidentRecord } from '../../store/store.ts';
import {
  foreignIds,
  memoByState,
  type Placement,
  placementsOf,
  placementsOfIncidents,
} from './placements.ts';
import { isoMillis, isoSeconds, prepareFrom } from './prepared.ts';

/** Tocsin event types → ukrainealarm alert `type`; anything else is `INFO`. */
export const UKRAINEALARM_TYPES: Readonly<Record<string, string>> = {
  air_raid: 'AIR',
  missile: 'AIR',
  drone: 'AIR',
  artillery: 'ARTILLERY',
  urban_combat: 'URBAN_FIGHTS',
  chemical: 'CHEMICAL',
  radiation: 'NUCLEAR',
};

const REGION_TYPES = ['State', 'District', 'Community'] as const;
type RegionType = (typeof REGION_TYPES)[number];

interface ActiveAlert {
  regionId: string;
  regionType: RegionType;
  type: string;
  lastUpdate: string;
  activeAlertLevels: { alertLevel: 'Red'; reason: string; createdAt: string }[];
}

interface AlertRegionModel {
  regionId: string;
  regionType: RegionType;
  regionName: string;
  regionEngName: string;
  lastUpdate: string;
  activeAlerts: ActiveAlert[];
}

export interface UkraineAlarmView {
  /** `alerts`: every region with something active. */
  alerts(state: PreparedJson): PreparedJson;
  /** `alerts/{regionId}`: a one-element list (alerts placed on the region or above it); undefined for an unknown id. */
  regionAlerts(state: PreparedJson, regionId: string): PreparedJson | undefined;
  /** `alerts/status`: `{ lastActionIndex }`, the hub's event sequence number. */
  status(state: PreparedJson): PreparedJson;
  /** `regions`: the id-carrying regions as State → District → Community. */
  regions(): string;
  /**
   * `alerts/regionHistory?regionId=`: the last 25 alarms of `incidents` on the region, above it
   * (whole) or inside it, newest first; undefined for an unknown id.
   */
  regionHistory(
    state: PreparedJson,
    incidents: readonly IncidentRecord[],
    regionId: string,
    nowMs: number,
  ): PreparedJson | undefined;
}

/** How many alarms `regionHistory` lists (the original's figure). */
export const REGION_HISTORY_LENGTH = 25;

export function createUkraineAlarmView(
  tree: RegionTree,
  eventTypes: readonly EventTypeDefinition[] = DEFAULT_EVENT_TYPES,
): UkraineAlarmView {
  const ids = foreignIds(tree, 'ukrainealarm');
  const names = new Map(eventTypes.map((t) => [t.code, t.names.uk ?? t.names.en ?? t.code]));
  const typeOf = new Map<string, RegionType>();
  const regionNode = (region: Region, depth: number): Record<string, unknown> => {
    const regionType = REGION_TYPES[Math.min(depth, 2)] as RegionType;
    typeOf.set(region.code, regionType);
    const node: Record<string, unknown> = {
      regionId: ids.idOf(region.code),
      regionName: region.names.uk ?? region.names.en ?? region.code,
      regionType,
    };
    const children = ids.childrenOf(region.code);
    if (regionType !== 'Community' || children.length > 0)
      node.regionChildIds = children.map((child) => regionNode(child, depth + 1));
    return node;
  };
  const regionsBody = JSON.stringify({ states: ids.tops().map((top) => regionNode(top, 0)) });

  function model(region: Region, placements: Placement[], fallbackMs: number): AlertRegionModel {
    const regionId = ids.idOf(region.code) as string;
    const regionType = typeOf.get(region.code) ?? 'State';
    const byType = new Map<string, ActiveAlert>();
    let latest = Number.NEGATIVE_INFINITY;
    for (const p of placements) {
      const type = UKRAINEALARM_TYPES[p.event] ?? 'INFO';
      const at = isoSeconds(p.sinceMs);
      latest = Math.max(latest, p.sinceMs);
      // Levels are a newer part of the API, written with fractional seconds like its other new fields.
      const level = {
        alertLevel: 'Red' as const,
        reason: names.get(p.event) ?? p.event,
        createdAt: isoMillis(p.sinceMs),
      };
      const known = byType.get(type);
      if (known) {
        known.activeAlertLevels.push(level);
        if (at > known.lastUpdate) known.lastUpdate = at;
      } else byType.set(type, { regionId, regionType, type, lastUpdate: at, activeAlertLevels: [level] });
    }
    return {
      regionId,
      regionType,
      regionName: region.names.uk ?? region.code,
      regionEngName: region.names.en ?? '',
      lastUpdate: isoSeconds(Number.isFinite(latest) ? latest : fallbackMs),
      activeAlerts: [...byType.values()],
    };
  }

  const located = memoByState((state) => {
    const byRegion = new Map<string, Placement[]>();
    for (const p of placementsOf(state)) {
      for (const region of ids.locate(p.region)) {
        const list = byRegion.get(region.code);
        if (list) list.push(p);
        else byRegion.set(region.code, [p]);
      }
    }
    return byRegion;
  });

  const alerts = memoByState((state) => {
    const byRegion = located(state);
    const fallback = Date.parse(state.lastModified);
    const list = tree
      .all()
      .filter((r) => byRegion.has(r.code) && ids.idOf(r.code) !== undefined)
      .map((r) => model(r, byRegion.get(r.code) ?? [], fallback));
    return prepareFrom(state, list);
  });

  const single = new Map<string, { etag: string; doc: PreparedJson }>();
  return {
    alerts,
    regionAlerts(state, regionId) {
      const region = ids.regionOf(regionId);
      if (!region) return undefined;
      const cached = single.get(regionId);
      if (cached && cached.etag === state.etag) return cached.doc;
      // Its own alerts, and those placed on a region above it (an alert covers every region below).
      const own = located(state).get(region.code) ?? [];
      const above = placementsOf(state).filter(
        (p) =>
          p.whole &&
          p.region !== region.code &&
          tree.covers(p.region, region.code) &&
          !own.some((o) => o.incident === p.incident),
      );
      const doc = prepareFrom(state, [model(region, [...own, ...above], Date.parse(state.lastModified))]);
      single.set(regionId, { etag: state.etag, doc });
      return doc;
    },
    status: (state) => prepareFrom(state, { lastActionIndex: state.seq }),
    regions: () => regionsBody,
    regionHistory(state, incidents, regionId, nowMs) {
      const region = ids.regionOf(regionId);
      if (!region) return undefined;
      const regionName = region.names.uk ?? region.code;
      const seen = new Set<string>();
      const alarms = [];
      for (const p of placementsOfIncidents(incidents)) {
        const here =
          p.region === region.code ||
          (p.whole && tree.covers(p.region, region.code)) ||
          tree.covers(region.code, p.region);
        const key = `${p.incident}\u0000${UKRAINEALARM_TYPES[p.event] ?? 'INFO'}`;
        if (!here || seen.has(key)) continue;
        seen.add(key);
        const ended = p.endedMs ?? null;
        alarms.push({
          regionId,
          regionName,
          startDate: isoSeconds(p.sinceMs),
          // A continuing alarm runs until now, as the original writes it.
          endDate: isoSeconds(ended ?? nowMs),
          alertType: UKRAINEALARM_TYPES[p.event] ?? 'INFO',
          isContinue: ended === null,
        });
        if (alarms.length === REGION_HISTORY_LENGTH) break;
      }
      return prepareFrom(state, [{ regionId, regionName, alarms }]);
    },
  };
}
