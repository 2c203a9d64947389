// The one file that reads the shipped region data from disk: Ukraine's 27 first-level units
// under a `UA` root (data/regions/, geoBoundaries / OpenStreetMap, ODbL 1.0), and the merge with
// the levels a deployment imported into its store.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RegionTreeOptions } from '../geo/region-tree.ts';
import { createRegionTree } from '../geo/region-tree.ts';
import type { RegionGeometry, RegionRecord, RegionTree } from '../geo/types.ts';

/** data/regions/ beside src/ and dist/ alike (both sit one level below the package root). */
export const DEFAULT_REGIONS_DIR = fileURLToPath(new URL('../../data/regions/', import.meta.url));

/** The attribution to show wherever the default map is drawn (data/regions/README.md). */
export const DEFAULT_REGIONS_ATTRIBUTION =
  '© OpenStreetMap contributors (ODbL 1.0); boundaries via geoBoundaries — Runfola, D. et al. (2020) geoBoundaries: A global database of political administrative boundaries. PLoS ONE 15(4): e0231866.';

/** The root of the default data. */
export const DEFAULT_ROOT: RegionRecord = {
  code: 'UA',
  parent: null,
  level: 'country',
  names: { uk: 'Україна', en: 'Ukraine' },
};

interface OblastFeature {
  id: string;
  properties: {
    iso_3166_2: string;
    name_uk: string;
    name_en: string;
    alerts_in_ua_uid: number | null;
    ukrainealarm_region_id: number | null;
    osm_relation_id: number | null;
  };
  geometry: RegionGeometry;
}

/** Reads the shipped data: a `UA` root (level `country`) and 27 regions (level `oblast`). */
export function loadDefaultRegions(dir: string = DEFAULT_REGIONS_DIR): RegionRecord[] {
  const collection = JSON.parse(readFileSync(`${dir}ukraine-oblasts.geojson`, 'utf8')) as {
    features: OblastFeature[];
  };
  const oblasts = collection.features.map((feature): RegionRecord => {
    const p = feature.properties;
    const ids: Record<string, string> = {};
    if (p.alerts_in_ua_uid !== null) ids.alerts_in_ua = String(p.alerts_in_ua_uid);
    if (p.ukrainealarm_region_id !== null) ids.ukrainealarm = String(p.ukrainealarm_region_id);
    if (p.osm_relation_id !== null) ids.osm = String(p.osm_relation_id);
    return {
      code: p.iso_3166_2,
      parent: DEFAULT_ROOT.code,
      level: 'oblast',
      names: { uk: p.name_uk, en: p.name_en },
      ids,
      geometry: feature.geometry,
    };
  });
  return [{ ...DEFAULT_ROOT, names: { ...DEFAULT_ROOT.names } }, ...oblasts];
}

/** Geocode schemes of the default data: the other services' region ids, as CAP geocode valueNames. */
export const DEFAULT_GEOCODE_SCHEMES: Record<string, string> = {
  alerts_in_ua: 'alerts_in_ua',
  ukrainealarm: 'ukrainealarm',
};

/** What loadRegionTree needs of the store (src/store/store.ts). */
export interface RegionSource {
  listRegions(): Promise<RegionRecord[]>;
}

/** The default regions, with every level the store holds replacing the default level of that name. */
export function mergeRegions(
  defaults: readonly RegionRecord[],
  stored: readonly RegionRecord[],
): RegionRecord[] {
  const storedLevels = new Set(stored.map((r) => r.level));
  const storedCodes = new Set(stored.map((r) => r.code));
  return [...defaults.filter((r) => !storedLevels.has(r.level) && !storedCodes.has(r.code)), ...stored];
}

/** Builds the server's tree: the shipped defaults plus the levels imported into the store. */
export async function loadRegionTree(
  store: RegionSource,
  options: RegionTreeOptions = { geocodeSchemes: DEFAULT_GEOCODE_SCHEMES },
): Promise<RegionTree> {
  return createRegionTree(mergeRegions(loadDefaultRegions(), await store.listRegions()), options);
}
