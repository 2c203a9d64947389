// What can be wrong with a region import, each with a stable code. A finding names the feature
// (its index in the FeatureCollection) and where inside it, so the file can be fixed in one pass.

export const IMPORT_FINDINGS = {
  REGION_IMPORT_NOT_GEOJSON: 'The file is not a GeoJSON FeatureCollection.',
  REGION_IMPORT_TOO_LARGE: 'The file exceeds a size limit (bytes, features or points).',
  REGION_IMPORT_BAD_OPTION: 'An import option is unusable (level name, property name, parent code).',
  REGION_IMPORT_MISSING_CODE: 'A feature has no value for the code property.',
  REGION_IMPORT_BAD_CODE: 'A code is too long or contains spaces or control characters.',
  REGION_IMPORT_DUPLICATE_CODE: 'Two features carry the same code.',
  REGION_IMPORT_CODE_TAKEN: 'The code already names a region of another level.',
  REGION_IMPORT_MISSING_NAME: 'A feature has no value for a name property.',
  REGION_IMPORT_BAD_GEOMETRY: 'The geometry is missing or not a well-formed Polygon or MultiPolygon.',
  REGION_IMPORT_RING_NOT_CLOSED: 'A ring does not end where it starts.',
  REGION_IMPORT_SELF_INTERSECTION: 'Two edges of a polygon cross.',
  REGION_IMPORT_UNKNOWN_PARENT:
    'The parent code names no region of the existing tree (outside the level imported).',
  REGION_IMPORT_NO_PARENT: 'No existing region contains the feature, so no parent could be inferred.',
  REGION_IMPORT_OUTSIDE_PARENT: 'The feature lies outside its parent region.',
  REGION_IMPORT_ORPHANS: 'Regions below the level would lose their parent.',
} as const;
export type ImportFindingCode = keyof typeof IMPORT_FINDINGS;

export interface ImportFinding {
  code: ImportFindingCode;
  /** The feature's index in the FeatureCollection; null for the file or the options as a whole. */
  index: number | null;
  /** Where inside the feature, e.g. `properties.code` or `geometry.coordinates[0][2]`. */
  path: string;
  message: string;
}

/** Limits on what an import may hold; past them the file is refused before any work. */
export const IMPORT_LIMITS = {
  maxBytes: 64 * 1024 * 1024,
  maxFeatures: 100_000,
  maxPositions: 10_000_000,
} as const;
