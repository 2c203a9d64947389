// Judges the records of one level against the existing tree before anything is stored: codes,
// rings, parents, containment, and what replacing the level would do to the levels below.
// Nothing is half-imported: the caller stores the level only when this finds nothing.
import type { ImportFinding, ImportFindingCode } from './import-findings.ts';
import { IMPORT_FINDINGS } from './import-findings.ts';
import type { ImportRecord } from './import-geojson.ts';
import { buildEdgeIndex, LOCATION, locatePoint, ringsOf } from './point-in-polygon.ts';
import { representativePoint } from './representative-point.ts';
import { findCrossing } from './self-intersection.ts';
import type { Position, RegionGeometry, RegionRecord, RegionTree } from './types.ts';

/** Level names: lower-case words, so they read well in URLs (`?level=hromada`). */
export const LEVEL_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
/** Codes: up to 64 characters, no spaces or control characters. */
const CODE = /^[^\s\p{Cc}]{1,64}$/u;

const make = (
  code: ImportFindingCode,
  index: number | null,
  path: string,
  message?: string,
): ImportFinding => ({
  code,
  index,
  path,
  message: message ?? IMPORT_FINDINGS[code],
});

/** Fills in the parents left to inference: the deepest existing region (above `level`) that
 * holds the feature's inner point. Returns the records with every parent decided. */
export function inferParents(
  existing: RegionTree,
  level: string,
  records: readonly ImportRecord[],
  indexes: readonly number[],
): { records: RegionRecord[]; findings: ImportFinding[] } {
  const findings: ImportFinding[] = [];
  const out: RegionRecord[] = records.map((record, i) => {
    if (record.parent !== undefined) return { ...record, parent: record.parent };
    const point = record.geometry ? representativePoint(record.geometry) : undefined;
    const chain = point ? existing.lookupPoint(point[1], point[0]) : [];
    const cut = chain.findIndex((r) => r.level === level);
    const above = cut < 0 ? chain : chain.slice(0, cut);
    const parent = above.at(-1)?.code;
    if (parent === undefined) findings.push(make('REGION_IMPORT_NO_PARENT', indexes[i] ?? i, 'geometry'));
    return { ...record, parent: parent ?? null };
  });
  return { records: out, findings };
}

/** Every problem with replacing `level` by `records` in `existing`; empty when the import is sound.
 * `indexes[i]` is record i's feature index (defaults to i). */
export function validateImport(
  existing: RegionTree,
  level: string,
  records: readonly RegionRecord[],
  indexes?: readonly number[],
): ImportFinding[] {
  const findings: ImportFinding[] = [];
  const at = (i: number) => indexes?.[i] ?? i;
  if (!LEVEL_NAME.test(level)) {
    findings.push(
      make(
        'REGION_IMPORT_BAD_OPTION',
        null,
        'level',
        `Level name ${JSON.stringify(level)} must match ${LEVEL_NAME.source}.`,
      ),
    );
    return findings;
  }
  const replaced = new Set(
    existing
      .all()
      .filter((r) => r.level === level)
      .map((r) => r.code),
  );
  const firstIndex = new Map<string, number>();
  const parentIndexes = new Map<string, ReturnType<typeof buildEdgeIndex>>();
  records.forEach((record, i) => {
    if (!CODE.test(record.code))
      findings.push(
        make(
          'REGION_IMPORT_BAD_CODE',
          at(i),
          'properties',
          `Code ${JSON.stringify(record.code.slice(0, 80))} is not usable: up to 64 characters, no spaces.`,
        ),
      );
    const seen = firstIndex.get(record.code);
    if (seen !== undefined)
      findings.push(
        make(
          'REGION_IMPORT_DUPLICATE_CODE',
          at(i),
          'properties',
          `Code ${record.code} is also the code of feature ${seen}.`,
        ),
      );
    else firstIndex.set(record.code, at(i));
    if (existing.has(record.code) && !replaced.has(record.code)) {
      findings.push(
        make(
          'REGION_IMPORT_CODE_TAKEN',
          at(i),
          'properties',
          `Code ${record.code} already names a ${existing.get(record.code)?.level} region.`,
        ),
      );
    }
    if (!record.geometry)
      findings.push(
        make('REGION_IMPORT_BAD_GEOMETRY', at(i), 'geometry', 'An imported region needs a geometry.'),
      );
    else checkRings(record.geometry, at(i), findings);
    checkParent(existing, level, replaced, record, at(i), findings, parentIndexes);
  });
  // Regions of other levels hanging below the replaced level must find their parent again.
  const newCodes = new Set(records.map((r) => r.code));
  const orphans = existing
    .all()
    .filter(
      (r) => r.parent !== null && replaced.has(r.parent) && r.level !== level && !newCodes.has(r.parent),
    );
  if (orphans.length > 0) {
    const list = orphans
      .slice(0, 10)
      .map((r) => r.code)
      .join(', ');
    findings.push(
      make(
        'REGION_IMPORT_ORPHANS',
        null,
        '',
        `${orphans.length} region(s) below level ${level} would lose their parent: ${list}${orphans.length > 10 ? ', ...' : ''}.`,
      ),
    );
  }
  return findings;
}

function checkRings(geometry: RegionGeometry, index: number, findings: ImportFinding[]): void {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  polygons.forEach((polygon, p) => {
    const base = geometry.type === 'Polygon' ? 'geometry.coordinates' : `geometry.coordinates[${p}]`;
    let closed = true;
    polygon.forEach((ring, r) => {
      const first = ring[0] as Position;
      const last = ring.at(-1) as Position;
      if (ring.length < 4 || first[0] !== last[0] || first[1] !== last[1]) {
        closed = false;
        findings.push(
          make(
            'REGION_IMPORT_RING_NOT_CLOSED',
            index,
            `${base}[${r}]`,
            `Ring ${r} ends at [${last}] but starts at [${first}] (RFC 7946 §3.1.6).`,
          ),
        );
      }
    });
    if (!closed) return;
    const crossing = findCrossing(polygon);
    if (crossing === 'budget') {
      findings.push(
        make(
          'REGION_IMPORT_TOO_LARGE',
          index,
          base,
          'The polygon is too complex to check for crossing edges.',
        ),
      );
    } else if (crossing) {
      findings.push(
        make(
          'REGION_IMPORT_SELF_INTERSECTION',
          index,
          `${base}[${crossing.ring}][${crossing.position}]`,
          `The edge from position ${crossing.position} of ring ${crossing.ring} crosses the edge from position ${crossing.otherPosition} of ring ${crossing.otherRing}.`,
        ),
      );
    }
  });
}

function checkParent(
  existing: RegionTree,
  level: string,
  replaced: Set<string>,
  record: RegionRecord,
  index: number,
  findings: ImportFinding[],
  parentIndexes: Map<string, ReturnType<typeof buildEdgeIndex>>,
): void {
  if (record.parent === null) return; // a root: another country
  const parent = existing.get(record.parent);
  if (
    !parent ||
    replaced.has(parent.code) ||
    existing.ancestors(parent.code).some((a) => a.level === level)
  ) {
    findings.push(
      make(
        'REGION_IMPORT_UNKNOWN_PARENT',
        index,
        'properties',
        `Parent ${record.parent} is not a region above level ${level}.`,
      ),
    );
    return;
  }
  if (!record.geometry) return;
  const point = representativePoint(record.geometry);
  if (!point) return;
  let parentIndex = parentIndexes.get(parent.code);
  if (!parentIndex && parent.geometry) {
    parentIndex = buildEdgeIndex(
      ringsOf(parent.geometry.coordinates, parent.geometry.type === 'MultiPolygon'),
    );
    parentIndexes.set(parent.code, parentIndex);
  }
  const inside = parentIndex
    ? locatePoint(parentIndex, point[0], point[1]) !== LOCATION.outside
    : existing.lookupPoint(point[1], point[0]).some((r) => r.code === parent.code);
  if (!inside) {
    findings.push(
      make(
        'REGION_IMPORT_OUTSIDE_PARENT',
        index,
        'geometry',
        `The feature's inner point [${point.map((v) => v.toFixed(5))}] lies outside its parent ${parent.code}.`,
      ),
    );
  }
}
