// Input → a checked CAP alert ready to store: parse (XML, JSON or the short form), validate with
// the Tocsin profile, resolve its areas to regions, serialise the XML once.
import { parseCapJson } from '../cap/json.ts';
import { type EventTypeDefinition, TOCSIN_EVENT_CODE } from '../cap/profiles/event-types.ts';
import type { Profile } from '../cap/profiles/profile.ts';
import type { Alert, Finding } from '../cap/types.ts';
import { validateCap } from '../cap/validate.ts';
import { parseCapXml, serializeCapXml } from '../cap/xml.ts';
import type { RegionTree } from '../geo/types.ts';
import type { RegionLink } from '../store/store.ts';
import { parseTime } from './clock.ts';
import { type ErrorDetail, TocsinError } from './errors.ts';
import { buildAlert, parseShortForm, type ShortForm } from './short-form.ts';
import type { AlertInput } from './types.ts';

/** A CAP alert that passed every check, with what the store needs. */
export interface PreparedAlert {
  cap: Alert;
  xml: string;
  eventType: string;
  regions: RegionLink[];
  sentMs: number;
  expiresMs: number | null;
}

/** What a short form inherits and is forced to when it continues an incident. */
export interface ShortFormDefaults {
  event: string;
  regions: string[];
  status: Alert['status'];
}

export interface PrepareContext {
  tree: RegionTree;
  profile: Profile;
  eventTypes: ReadonlyMap<string, EventTypeDefinition>;
  nowMs: number;
  sender: string;
  identifier: () => string;
  formatTime: (ms: number) => string;
}

/** Reads the input into a CAP model (no checks beyond the format's own). */
export function readInput(
  input: AlertInput,
  ctx: PrepareContext,
  shape: { msgType: Alert['msgType']; references?: string; defaults?: ShortFormDefaults },
): Alert {
  if (input.format === 'cap-xml' || input.format === 'cap-json') {
    if (input.format === 'cap-xml' && typeof input.text !== 'string')
      throw inputError('CAP XML must be text');
    const parsed = input.format === 'cap-xml' ? parseCapXml(input.text) : parseCapJson(input.body);
    if (!parsed.ok) throw capInvalid(parsed.errors);
    return parsed.alert;
  }
  if (input.format !== 'short') throw inputError('format must be short, cap-xml or cap-json');
  const form = parseShortForm(input.body, { event: !shape.defaults, regions: !shape.defaults });
  const defaults = shape.defaults;
  if (defaults) {
    if (form.event !== undefined && form.event !== defaults.event) {
      throw inputError('The event type of an incident cannot change', [
        { path: 'event', message: `the incident is ${defaults.event}` },
      ]);
    }
    if (form.status !== undefined && form.status !== defaults.status) {
      throw inputError('The status of an incident cannot change', [
        { path: 'status', message: `the incident is ${defaults.status}` },
      ]);
    }
  }
  const eventCode = form.event ?? defaults?.event ?? '';
  const eventType = ctx.eventTypes.get(eventCode);
  if (!eventType) {
    throw new TocsinError('ALERT_UNKNOWN_EVENT', `Unknown event type ${JSON.stringify(eventCode)}`, [
      { path: 'event', message: `expected one of ${[...ctx.eventTypes.keys()].join(', ')}` },
    ]);
  }
  const regions = form.regions ?? defaults?.regions ?? [];
  checkRegionsKnown(regions, ctx.tree);
  const complete: ShortForm = {
    ...form,
    ...(defaults && form.status === undefined ? { status: defaults.status } : {}),
  };
  return buildAlert(complete, {
    identifier: ctx.identifier(),
    sender: ctx.sender,
    sent: ctx.formatTime(ctx.nowMs),
    formatTime: ctx.formatTime,
    nowMs: ctx.nowMs,
    eventType,
    regions,
    tree: ctx.tree,
    msgType: shape.msgType,
    ...(shape.references === undefined ? {} : { references: shape.references }),
  });
}

/** Validates, resolves regions and serialises; throws CAP_INVALID / ALERT_UNKNOWN_REGION. */
export function checkAlert(cap: Alert, ctx: PrepareContext): PreparedAlert {
  const findings = validateCap(cap, { profile: ctx.profile, now: new Date(ctx.nowMs) });
  const errors = findings.filter((f) => f.severity === 'error');
  if (errors.length > 0 && errors.every((f) => f.code === 'CAP_REGION_UNKNOWN')) {
    throw new TocsinError(
      'ALERT_UNKNOWN_REGION',
      'The alert names regions the hub does not know',
      errors.map(toDetail),
    );
  }
  if (errors.length > 0) throw capInvalid(errors);
  const regions = resolveRegions(cap, ctx.tree);
  let xml: string;
  try {
    xml = serializeCapXml(cap);
  } catch (error) {
    throw new TocsinError('CAP_INVALID', 'The alert cannot be written as CAP XML', [
      { message: (error as Error).message },
    ]);
  }
  const code = cap.info[0]?.eventCode.find((c) => c.valueName === TOCSIN_EVENT_CODE)?.value.trim();
  const expires = cap.info
    .map((i) => (i.expires === undefined ? Number.NaN : parseTime(i.expires)))
    .filter((t) => !Number.isNaN(t));
  return {
    cap,
    xml,
    eventType: code ?? 'other',
    regions,
    sentMs: parseTime(cap.sent),
    expiresMs: expires.length > 0 ? Math.min(...expires) : null,
  };
}

/** The regions every area of every info reaches, merged (largest coverage wins). */
function resolveRegions(cap: Alert, tree: RegionTree): RegionLink[] {
  const links = new Map<string, RegionLink>();
  const unknown: ErrorDetail[] = [];
  cap.info.forEach((info, i) => {
    info.area.forEach((area, a) => {
      const { hits, unknownGeocodes } = tree.resolveArea(area);
      for (const code of unknownGeocodes)
        unknown.push({ path: `info[${i}].area[${a}]`, message: `unknown geocode ${code}` });
      for (const hit of hits) {
        const known = links.get(hit.code);
        if (!known || hit.coverage > known.coverage)
          links.set(hit.code, { code: hit.code, coverage: hit.coverage, whole: hit.whole });
      }
    });
  });
  if (links.size === 0) {
    throw new TocsinError('ALERT_UNKNOWN_REGION', 'The alert areas reach no known region', [
      ...unknown,
      ...(unknown.length === 0
        ? [
            {
              path: 'info',
              message: 'no area geocode names a region and no polygon or circle intersects one',
            },
          ]
        : []),
    ]);
  }
  return [...links.values()];
}

function checkRegionsKnown(codes: string[], tree: RegionTree): void {
  const unknown = codes.flatMap((code, i) =>
    tree.has(code)
      ? []
      : [{ path: `regions[${i}]`, message: `unknown region ${JSON.stringify(code.slice(0, 64))}` }],
  );
  if (unknown.length > 0)
    throw new TocsinError('ALERT_UNKNOWN_REGION', 'The alert names regions the hub does not know', unknown);
}

function toDetail(f: Finding): ErrorDetail {
  return {
    code: f.code,
    path: f.path,
    message: f.message,
    severity: f.severity,
    ...(f.line === undefined ? {} : { line: f.line }),
    ...(f.column === undefined ? {} : { column: f.column }),
  };
}

function capInvalid(findings: Finding[]): TocsinError {
  return new TocsinError('CAP_INVALID', 'The CAP message is not valid', findings.map(toDetail));
}

function inputError(message: string, details: ErrorDetail[] = []): TocsinError {
  return new TocsinError('ALERT_INPUT_INVALID', message, details);
}

/** `sender,identifier,sent` of a message, for another's `references` (CAP 1.2 §3.2.1). */
export function referenceOf(cap: Alert): string {
  return `${cap.sender},${cap.identifier},${cap.sent}`;
}
