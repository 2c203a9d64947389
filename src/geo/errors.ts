// The geo module's closed catalogue of errors (the HTTP layer maps codes to statuses).

export const GEO_ERRORS = {
  /** The records do not form a tree: duplicate code, unknown parent, cycle, bad geometry. */
  treeInvalid: 'REGION_TREE_INVALID',
  /** A region level asked for does not exist. */
  levelUnknown: 'REGION_LEVEL_UNKNOWN',
} as const;
export type GeoErrorCode = (typeof GEO_ERRORS)[keyof typeof GEO_ERRORS];

export class GeoError extends Error {
  readonly code: GeoErrorCode;
  readonly details: string[];
  constructor(code: GeoErrorCode, message: string, details: string[] = []) {
    super(message);
    this.name = 'GeoError';
    this.code = code;
    this.details = details;
  }
}
