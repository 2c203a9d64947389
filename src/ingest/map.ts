// An upstream CAP message made ready for the alert service: its areas mapped to the hub's regions
// (a geocode `ISO 3166-2` per region an area reaches, as the Tocsin profile asks; polygons,
// circles and foreign geocodes are kept) and an event type where it carries none. Pure.
import { TOCSIN_EVENT_CODE } from '../cap/profiles/event-types.ts';
import type { Alert, Area } from '../cap/types.ts';
import type { RegionTree } from '../geo/types.ts';

const REGION_SCHEMES = new Set(['ISO 3166-2', 'TOCSIN-REGION']);

/** Regions an area reaches, finest first: hits that have no other hit below them. */
function placedRegions(tree: RegionTree, area: Area): string[] {
  const { hits } = tree.resolveArea(area);
  const codes = hits.map((h) => h.code);
  return codes.filter((code) => !codes.some((other) => other !== code && tree.covers(code, other)));
}

/**
 * A copy of `alert` with region geocodes on every area that has none and a TOCSIN eventCode on
 * every info without one (`defaultEvent`). An area reaching no region is left as it is: the
 * service refuses the message (ALERT_UNKNOWN_REGION / CAP_GEOCODE_REQUIRED) and ingest records why.
 */
export function mapUpstream(alert: Alert, tree: RegionTree, defaultEvent: string): Alert {
  const copy = structuredClone(alert) as Alert;
  for (const info of copy.info) {
    if (!info.eventCode.some((c) => c.valueName === TOCSIN_EVENT_CODE))
      info.eventCode.push({ valueName: TOCSIN_EVENT_CODE, value: defaultEvent });
    for (const area of info.area) {
      if (area.geocode.some((g) => REGION_SCHEMES.has(g.valueName))) continue;
      for (const code of placedRegions(tree, area))
        area.geocode.push({ valueName: 'ISO 3166-2', value: code });
    }
  }
  return copy;
}
