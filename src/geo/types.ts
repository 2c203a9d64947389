// The region registry's data model. Pure types: the tree itself is built by region-tree.ts.

/** GeoJSON positions are [lon, lat] (RFC 7946 §3.1.1); CAP's are lat first. */
export type Position = [lon: number, lat: number];

export interface PolygonGeometry {
  type: 'Polygon';
  /** Outer ring first, then holes; each ring closed (first point = last point). */
  coordinates: Position[][];
}

export interface MultiPolygonGeometry {
  type: 'MultiPolygon';
  coordinates: Position[][][];
}

export type RegionGeometry = PolygonGeometry | MultiPolygonGeometry;

/** One region as stored and imported: a node of the tree, without derived data. */
export interface RegionRecord {
  /** Stable code: ISO 3166-2 (`UA-59`) at the first level, any scheme below (e.g. KATOTTH). */
  code: string;
  /** Parent code; null only for a root (e.g. `UA`). */
  parent: string | null;
  /** Level name: `country`, `oblast`, `raion`, `hromada`, ... */
  level: string;
  /** Names by language tag; `uk` and `en` at least for the default data. */
  names: Record<string, string>;
  /** Other systems' identifiers, e.g. `{ alerts_in_ua: '22', ukrainealarm: '22' }`. */
  ids?: Record<string, string>;
  geometry?: RegionGeometry;
}

/** A region as the tree hands it out. */
export interface Region extends RegionRecord {
  /** Depth in the tree: 0 for a root. */
  depth: number;
}

/** A region reached by a CAP area, with the fraction of the region's surface it covers. */
export interface AreaHit {
  code: string;
  /** 0 < coverage ≤ 1; 1 for a geocode (the whole region). */
  coverage: number;
  /** Coverage is treated as "the whole region" (coverage ≥ WHOLE_COVERAGE_THRESHOLD). */
  whole: boolean;
}

/** The region registry: a tree of regions with point and area lookups. Built by region-tree.ts. */
export interface RegionTree {
  get(code: string): Region | undefined;
  has(code: string): boolean;
  /** Every region, parents before children. */
  all(): Region[];
  roots(): Region[];
  children(code: string): Region[];
  /** The chain above a region, root first, without the region itself. */
  ancestors(code: string): Region[];
  /** Every region below a region, without the region itself. */
  descendants(code: string): Region[];
  /** True when `code` is `ancestor` or lies below it: an alert on `ancestor` covers `code`. */
  covers(ancestor: string, code: string): boolean;
  /** The chain of regions containing a point, root first; empty outside every region. */
  lookupPoint(lat: number, lon: number): Region[];
  /** The regions a CAP area reaches (geocodes directly, polygons and circles by geometry). */
  resolveArea(area: import('../cap/types.ts').Area): { hits: AreaHit[]; unknownGeocodes: string[] };
  /** Level names in tree order (`country`, `oblast`, ...). */
  levels(): string[];
}
