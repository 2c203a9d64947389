// Turns a GeoJSON FeatureCollection (RFC 7946) into region records for one level, using the
// properties the operator names. Structural checks only (is it GeoJSON, are the numbers numbers);
// validate-import.ts judges the records against the tree. Every problem is collected, none thrown.
import type { ImportFinding } from './import-findings.ts';
import { IMPORT_FINDINGS, IMPORT_LIMITS } from './import-findings.ts';
import type { Position, RegionGeometry, RegionRecord } from './types.ts';

export interface ImportOptions {
  level: string;
  /** Feature property holding the region code. */
  codeProperty: string;
  /** Language tag → feature property holding the name, e.g. `{ uk: 'name_uk', en: 'name_en' }`. */
  nameProperties: Record<string, string>;
  /** Feature property holding the parent code; or `parent` for one parent for all; neither:
   * the parent is inferred from the geometry (validate-import.ts). */
  parentProperty?: string;
  /** One parent for every feature; null imports roots (another country). */
  parent?: string | null;
  /** Feature properties copied into `ids` (e.g. `{ katotth: 'KATOTTH' }`). */
  idProperties?: Record<string, string>;
}

/** A parsed record; `parent` undefined means "infer from the geometry". */
export type ImportRecord = Omit<RegionRecord, 'parent'> & { parent: string | null | undefined };

export interface ParsedImport {
  records: ImportRecord[];
  /** Feature index of each record (features that failed to parse are left out). */
  indexes: number[];
  findings: ImportFinding[];
}

const finding = (
  code: keyof typeof IMPORT_FINDINGS,
  index: number | null,
  path: string,
  message?: string,
): ImportFinding => ({
  code,
  index,
  path,
  message: message ?? IMPORT_FINDINGS[code],
});

/** Parses the text of a GeoJSON file into records of `options.level`. */
export function parseImport(text: string, options: ImportOptions): ParsedImport {
  const findings: ImportFinding[] = [];
  const out: ParsedImport = { records: [], indexes: [], findings };
  if (text.length > IMPORT_LIMITS.maxBytes) {
    findings.push(
      finding(
        'REGION_IMPORT_TOO_LARGE',
        null,
        '',
        `The file is larger than ${IMPORT_LIMITS.maxBytes} bytes.`,
      ),
    );
    return out;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    findings.push(finding('REGION_IMPORT_NOT_GEOJSON', null, '', `Not JSON: ${(error as Error).message}`));
    return out;
  }
  if (!isObject(json) || json.type !== 'FeatureCollection' || !Array.isArray(json.features)) {
    findings.push(
      finding(
        'REGION_IMPORT_NOT_GEOJSON',
        null,
        'type',
        'Expected a GeoJSON object with "type": "FeatureCollection" and a "features" array.',
      ),
    );
    return out;
  }
  if (json.features.length > IMPORT_LIMITS.maxFeatures) {
    findings.push(
      finding(
        'REGION_IMPORT_TOO_LARGE',
        null,
        'features',
        `More than ${IMPORT_LIMITS.maxFeatures} features.`,
      ),
    );
    return out;
  }
  const budget = { positions: 0 };
  json.features.forEach((feature: unknown, index: number) => {
    if (budget.positions > IMPORT_LIMITS.maxPositions) return;
    const record = parseFeature(feature, index, options, findings, budget);
    if (record) {
      out.records.push(record);
      out.indexes.push(index);
    }
  });
  if (budget.positions > IMPORT_LIMITS.maxPositions) {
    findings.push(
      finding(
        'REGION_IMPORT_TOO_LARGE',
        null,
        'features',
        `More than ${IMPORT_LIMITS.maxPositions} points in all.`,
      ),
    );
  }
  return out;
}

function parseFeature(
  feature: unknown,
  index: number,
  options: ImportOptions,
  findings: ImportFinding[],
  budget: { positions: number },
): ImportRecord | undefined {
  if (!isObject(feature) || feature.type !== 'Feature') {
    findings.push(finding('REGION_IMPORT_NOT_GEOJSON', index, '', 'Not a GeoJSON Feature.'));
    return undefined;
  }
  const properties = isObject(feature.properties) ? feature.properties : {};
  const before = findings.length;
  const code = scalar(properties[options.codeProperty]);
  if (code === undefined || code.trim() === '') {
    findings.push(
      finding(
        'REGION_IMPORT_MISSING_CODE',
        index,
        `properties.${options.codeProperty}`,
        `No value for the code property "${options.codeProperty}".`,
      ),
    );
  }
  const names: Record<string, string> = {};
  for (const [lang, property] of Object.entries(options.nameProperties)) {
    const name = scalar(properties[property]);
    if (name === undefined || name.trim() === '') {
      findings.push(
        finding(
          'REGION_IMPORT_MISSING_NAME',
          index,
          `properties.${property}`,
          `No value for the ${lang} name property "${property}".`,
        ),
      );
    } else names[lang] = name.trim();
  }
  let parent: string | null | undefined = options.parent;
  if (options.parentProperty !== undefined) {
    const value = scalar(properties[options.parentProperty]);
    if (value === undefined || value.trim() === '') {
      findings.push(
        finding(
          'REGION_IMPORT_UNKNOWN_PARENT',
          index,
          `properties.${options.parentProperty}`,
          `No value for the parent property "${options.parentProperty}".`,
        ),
      );
    } else parent = value.trim();
  }
  const ids: Record<string, string> = {};
  for (const [key, property] of Object.entries(options.idProperties ?? {})) {
    const value = scalar(properties[property]);
    if (value !== undefined && value !== '') ids[key] = value;
  }
  const geometry = parseGeometry(feature.geometry, index, findings, budget);
  if (findings.length > before || code === undefined || !geometry) return undefined;
  return {
    code: code.trim(),
    parent,
    level: options.level,
    names,
    ...(Object.keys(ids).length > 0 ? { ids } : {}),
    geometry,
  };
}

function parseGeometry(
  value: unknown,
  index: number,
  findings: ImportFinding[],
  budget: { positions: number },
): RegionGeometry | undefined {
  if (
    !isObject(value) ||
    (value.type !== 'Polygon' && value.type !== 'MultiPolygon') ||
    !Array.isArray(value.coordinates)
  ) {
    const type = isObject(value) ? `type ${describeJson(value.type)}` : describeJson(value);
    findings.push(
      finding(
        'REGION_IMPORT_BAD_GEOMETRY',
        index,
        'geometry',
        `Expected a Polygon or MultiPolygon geometry, got ${type}.`,
      ),
    );
    return undefined;
  }
  const polygons =
    value.type === 'Polygon' ? [value.coordinates as unknown] : (value.coordinates as unknown[]);
  const prefix = (p: number) =>
    value.type === 'Polygon' ? 'geometry.coordinates' : `geometry.coordinates[${p}]`;
  const parsed: Position[][][] = [];
  for (let p = 0; p < polygons.length; p++) {
    const polygon = polygons[p];
    if (!Array.isArray(polygon) || polygon.length === 0) {
      findings.push(
        finding(
          'REGION_IMPORT_BAD_GEOMETRY',
          index,
          prefix(p),
          'A polygon must be a non-empty array of rings.',
        ),
      );
      return undefined;
    }
    const rings: Position[][] = [];
    for (let r = 0; r < polygon.length; r++) {
      const ring = polygon[r];
      const path = `${prefix(p)}[${r}]`;
      if (!Array.isArray(ring) || ring.length < 4) {
        findings.push(
          finding(
            'REGION_IMPORT_BAD_GEOMETRY',
            index,
            path,
            'A ring needs at least 4 positions (RFC 7946 §3.1.6).',
          ),
        );
        return undefined;
      }
      budget.positions += ring.length;
      const positions: Position[] = [];
      for (let k = 0; k < ring.length; k++) {
        const point = ring[k];
        if (!Array.isArray(point) || point.length < 2 || !validLon(point[0]) || !validLat(point[1])) {
          findings.push(
            finding(
              'REGION_IMPORT_BAD_GEOMETRY',
              index,
              `${path}[${k}]`,
              'A position must be [longitude, latitude] in degrees (-180…180, -90…90).',
            ),
          );
          return undefined;
        }
        positions.push([point[0], point[1]]);
      }
      rings.push(positions);
    }
    parsed.push(rings);
  }
  if (parsed.length === 0) {
    findings.push(
      finding(
        'REGION_IMPORT_BAD_GEOMETRY',
        index,
        'geometry.coordinates',
        'A MultiPolygon needs at least one polygon.',
      ),
    );
    return undefined;
  }
  return value.type === 'Polygon'
    ? { type: 'Polygon', coordinates: parsed[0] as Position[][] }
    : { type: 'MultiPolygon', coordinates: parsed };
}

/** Names a parsed JSON value in a finding without calling anything on it (hostile objects). */
function describeJson(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${value}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function validLon(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= -180 && value <= 180;
}

function validLat(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= -90 && value <= 90;
}
