// The alerts.in.ua API v1 shapes as a thin view over region state: `alerts/active.json`, the IoT
// A/P/N strings by oblast (fixed order) and by UID, and one oblast's letter. Region identifiers
// are the default data's `ids.alerts_in_ua`. docs/compat.md lists which fields are filled and how.
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
import { isoMillis, numericId, prepareFrom } from './prepared.ts';

/** Tocsin event types → alerts.in.ua `alert_type`; types not listed are left out of the view. */
export const ALERTS_IN_UA_TYPES: Readonly<Record<string, string>> = {
  air_raid: 'air_raid',
  missile: 'air_raid',
  drone: 'air_raid',
  artillery: 'artillery_shelling',
  urban_combat: 'urban_fights',
  chemical: 'chemical',
  radiation: 'nuclear',
};

/** Event types that light an oblast in the IoT air-raid strings (sirens sound for all three). */
const AIR_RAID_EVENTS = new Set(['air_raid', 'missile', 'drone']);

/**
 * The oblast order of `iot/active_air_raid_alerts_by_oblast.json`, as alerts.in.ua UIDs: Crimea,
 * Volyn, Vinnytsia, Dnipropetrovsk, Donetsk, Zhytomyr, Zakarpattia, Zaporizhzhia, Ivano-Frankivsk,
 * Kyiv city, Kyiv, Kirovohrad, Luhansk, Lviv, Mykolaiv, Odesa, Poltava, Rivne, Sevastopol, Sumy,
 * Ternopil, Kharkiv, Kherson, Khmelnytskyi, Cherkasy, Chernivtsi, Chernihiv (the API docs' list).
 */
export const OBLAST_ORDER_UIDS = [
  '29',
  '8',
  '4',
  '9',
  '28',
  '10',
  '11',
  '12',
  '13',
  '31',
  '14',
  '15',
  '16',
  '27',
  '17',
  '18',
  '19',
  '5',
  '30',
  '20',
  '21',
  '22',
  '23',
  '3',
  '24',
  '26',
  '25',
] as const;

const LOCATION_TYPES: Readonly<Record<string, string>> = {
  oblast: 'oblast',
  raion: 'raion',
  hromada: 'hromada',
  city: 'city',
};

export const ALERTS_IN_UA_DISCLAIMER =
  'Served by a Tocsin hub in the alerts.in.ua v1 shape from its own region state; see the hub operator for the sources of its alerts.';

export type AirRaidLetter = 'A' | 'P' | 'N';

export interface AlertsInUaView {
  /** `alerts/active.json`. */
  active(state: PreparedJson): PreparedJson;
  /** `iot/active_air_raid_alerts_by_oblast.json`: 27 letters in the documented oblast order. */
  byOblast(state: PreparedJson): PreparedJson;
  /** `iot/active_air_raid_alerts.json`: one letter per UID (index = UID), a space where no region has it. */
  byUid(state: PreparedJson): PreparedJson;
  /** `iot/active_air_raid_alerts/{uid}.json`; undefined for a UID no region carries. */
  statusOf(state: PreparedJson, uid: string): PreparedJson | undefined;
  /**
   * `regions/{uid}/alerts/{period}.json`: the alerts of `incidents` (those of the period) at the
   * UID or inside it, newest first, ended ones with `finished_at`; undefined for an unknown UID.
   */
  history(state: PreparedJson, incidents: readonly IncidentRecord[], uid: string): PreparedJson | undefined;
}

export function createAlertsInUaView(
  tree: RegionTree,
  eventTypes: readonly EventTypeDefinition[] = DEFAULT_EVENT_TYPES,
): AlertsInUaView {
  const ids = foreignIds(tree, 'alerts_in_ua');
  // `alert_type` folds missile and drone into air_raid; `notes` keeps the hub's own event name.
  const eventNames = new Map(eventTypes.map((t) => [t.code, t.names.uk ?? t.names.en ?? t.code]));
  const uidRegions = tree.all().filter((r) => ids.idOf(r.code) !== undefined);
  const maxUid = Math.max(0, ...uidRegions.map((r) => Number(ids.idOf(r.code))).filter(Number.isSafeInteger));

  /** The service's top-level region (oblast) at or above a region with a UID. */
  const oblastOf = (region: Region): Region =>
    [...tree.ancestors(region.code), region].find((r) => ids.idOf(r.code) !== undefined) ?? region;

  function letterOf(code: string, placements: Placement[]): AirRaidLetter {
    let letter: AirRaidLetter = 'N';
    for (const p of placements) {
      if (!AIR_RAID_EVENTS.has(p.event)) continue;
      if (p.region === code || tree.covers(p.region, code)) {
        if (p.whole) return 'A';
        if (p.region === code) letter = 'P';
      } else if (tree.covers(code, p.region)) letter = 'P';
    }
    return letter;
  }

  const letters = memoByState((state) => {
    const placements = placementsOf(state);
    const byUid = new Map<string, AirRaidLetter>();
    for (const region of uidRegions)
      byUid.set(ids.idOf(region.code) as string, letterOf(region.code, placements));
    return byUid;
  });

  /** The alerts.in.ua records of one placement: one per UID-carrying region that shows it. */
  function recordsOf(p: Placement) {
    const alertType = ALERTS_IN_UA_TYPES[p.event];
    const placed = tree.get(p.region);
    if (alertType === undefined || !placed) return [];
    return ids.locate(p.region).map((location) => {
      // A finer region without a UID shows under its nearest ancestor's UID, with its own name.
      const shown = tree.covers(location.code, placed.code) ? placed : location;
      const oblast = oblastOf(location);
      const raion = [...tree.ancestors(shown.code), shown].reverse().find((r) => r.level === 'raion');
      const ended = p.endedMs ?? null;
      return {
        id: numericId(`${p.incident}\u0000${location.code}`),
        location_title: shown.names.uk ?? shown.names.en ?? shown.code,
        location_type: LOCATION_TYPES[shown.level] ?? 'unknown',
        started_at: isoMillis(p.sinceMs),
        finished_at: ended === null ? null : isoMillis(ended),
        updated_at: isoMillis(ended ?? p.sinceMs),
        alert_type: alertType,
        location_uid: ids.idOf(location.code) as string,
        location_oblast: oblast.names.uk ?? oblast.code,
        location_oblast_uid: ids.idOf(oblast.code) as string,
        location_raion: raion ? (raion.names.uk ?? raion.code) : null,
        notes: eventNames.get(p.event) ?? p.event,
        calculated: false,
      };
    });
  }

  const active = memoByState((state) => {
    const alerts = placementsOf(state).flatMap(recordsOf);
    return prepareFrom(state, {
      alerts,
      meta: { last_updated_at: metaTime(Date.parse(state.lastModified)), type: 'full' },
      disclaimer: ALERTS_IN_UA_DISCLAIMER,
    });
  });

  const byOblast = memoByState((state) => {
    const known = letters(state);
    return prepareFrom(state, OBLAST_ORDER_UIDS.map((uid) => known.get(uid) ?? 'N').join(''));
  });

  const byUid = memoByState((state) => {
    const known = letters(state);
    const chars = Array.from({ length: maxUid + 1 }, (_, uid) => known.get(String(uid)) ?? ' ');
    return prepareFrom(state, chars.join(''));
  });

  const single = new Map<string, { etag: string; doc: PreparedJson }>();
  return {
    history(state, incidents, uid) {
      if (!uidRegions.some((r) => ids.idOf(r.code) === uid)) return undefined;
      const alerts = placementsOfIncidents(incidents)
        .flatMap(recordsOf)
        .filter((a) => a.location_uid === uid || a.location_oblast_uid === uid);
      return prepareFrom(state, { alerts, disclaimer: ALERTS_IN_UA_DISCLAIMER });
    },
    active,
    byOblast,
    byUid,
    statusOf(state, uid) {
      const letter = letters(state).get(uid);
      if (letter === undefined) return undefined;
      const cached = single.get(uid);
      if (cached && cached.etag === state.etag) return cached.doc;
      const doc = prepareFrom(state, letter);
      single.set(uid, { etag: state.etag, doc });
      return doc;
    },
  };
}

/** `meta.last_updated_at` as the official client parses it: `%Y/%m/%d %H:%M:%S %z`, in UTC. */
function metaTime(ms: number): string {
  const iso = new Date(Number.isFinite(ms) ? ms : 0).toISOString();
  return `${iso.slice(0, 10).replaceAll('-', '/')} ${iso.slice(11, 19)} +0000`;
}
