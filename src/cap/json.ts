// The JSON form of a CAP 1.2 message: the XML's element names as field names, repeatable
// elements as arrays (left out when empty), polygon and circle as their CAP strings
// ("lat,lon lat,lon ...", "lat,lon radius"), size / altitude / ceiling as JSON numbers.
// parseCapJson checks field names and types, then builds the model through the same rules as
// the XML parser (xml-model.ts), so both forms accept exactly the same alerts.
import type { Alert, Area, Finding, Info, NamedValue, Resource } from './types.ts';
import type { CapParseResult } from './xml.ts';
import { DEFAULT_CAP_XML_LIMITS } from './xml.ts';
import type { RawRecord, Reporter } from './xml-model.ts';
import { buildAlert, childPath, itemPath } from './xml-model.ts';
import { formatCircle, formatPolygon } from './xml-serialize.ts';

export interface CapJsonLimits {
  /** Largest accepted JSON text, in UTF-16 code units (about bytes for CAP's mostly-ASCII text). */
  maxBytes: number;
  maxPolygonPoints: number;
  maxErrors: number;
}

export const DEFAULT_CAP_JSON_LIMITS: CapJsonLimits = {
  maxBytes: DEFAULT_CAP_XML_LIMITS.maxBytes,
  maxPolygonPoints: DEFAULT_CAP_XML_LIMITS.maxPolygonPoints,
  maxErrors: DEFAULT_CAP_XML_LIMITS.maxErrors,
};

type JsonKind = 'alert' | 'info' | 'resource' | 'area' | 'pair';
type FieldType = 'string' | 'strings' | 'number' | { list: JsonKind };

const FIELDS: Record<JsonKind, Record<string, FieldType>> = {
  alert: {
    identifier: 'string',
    sender: 'string',
    sent: 'string',
    status: 'string',
    msgType: 'string',
    source: 'string',
    scope: 'string',
    restriction: 'string',
    addresses: 'string',
    code: 'strings',
    note: 'string',
    references: 'string',
    incidents: 'string',
    info: { list: 'info' },
  },
  info: {
    language: 'string',
    category: 'strings',
    event: 'string',
    responseType: 'strings',
    urgency: 'string',
    severity: 'string',
    certainty: 'string',
    audience: 'string',
    eventCode: { list: 'pair' },
    effective: 'string',
    onset: 'string',
    expires: 'string',
    senderName: 'string',
    headline: 'string',
    description: 'string',
    instruction: 'string',
    web: 'string',
    contact: 'string',
    parameter: { list: 'pair' },
    resource: { list: 'resource' },
    area: { list: 'area' },
  },
  resource: {
    resourceDesc: 'string',
    mimeType: 'string',
    size: 'number',
    uri: 'string',
    derefUri: 'string',
    digest: 'string',
  },
  area: {
    areaDesc: 'string',
    polygon: 'strings',
    circle: 'strings',
    geocode: { list: 'pair' },
    altitude: 'number',
    ceiling: 'number',
  },
  pair: { valueName: 'string', value: 'string' },
};

// Characters XML 1.0 §2.2 cannot carry: refused here so that every JSON alert can become XML.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Parses CAP JSON (text, or an already parsed value) into the model; never throws. */
export function parseCapJson(input: string | unknown, limits?: Partial<CapJsonLimits>): CapParseResult {
  const lim: CapJsonLimits = { ...DEFAULT_CAP_JSON_LIMITS, ...limits };
  let value: unknown = input;
  if (typeof input === 'string') {
    if (input.length > lim.maxBytes) {
      return failure('CAP_JSON_TOO_LARGE', '', `JSON text is larger than ${lim.maxBytes} bytes`);
    }
    try {
      value = JSON.parse(input);
    } catch (err) {
      return failure('CAP_JSON_MALFORMED', '', `Malformed JSON: ${(err as Error).message}`);
    }
  }
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const push =
    (list: Finding[], severity: Finding['severity']) => (code: string, path: string, message: string) => {
      if (list.length < lim.maxErrors) list.push({ code, severity, path, message });
    };
  const r: Reporter = { error: push(errors, 'error'), warn: push(warnings, 'warning') };
  const raw = checkObject(value, 'alert', '', r);
  if (raw === undefined || errors.length > 0) return { ok: false, errors };
  const alert = buildAlert(raw, { version: '1.2', maxPolygonPoints: lim.maxPolygonPoints }, r);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, alert, version: '1.2', warnings, positions: new Map() };
}

function failure(code: string, path: string, message: string): CapParseResult {
  return { ok: false, errors: [{ code, severity: 'error', path, message }] };
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function wrongType(r: Reporter, path: string, expected: string, v: unknown): undefined {
  r.error(
    'CAP_JSON_WRONG_TYPE',
    path,
    `${path === '' ? 'The alert' : path} must be ${expected}, not ${typeName(v)}`,
  );
  return undefined;
}

function checkString(v: unknown, path: string, r: Reporter): string | undefined {
  if (typeof v !== 'string') return wrongType(r, path, 'a string', v);
  if (NOT_XML_CHAR.test(v)) {
    r.error(
      'CAP_INVALID_CHARACTER',
      path,
      `${path} holds a control character or lone surrogate, which CAP XML cannot carry`,
    );
    return undefined;
  }
  return v;
}

/** Checks one object against its field table and returns the raw record the builder reads. */
function checkObject(v: unknown, kind: JsonKind, path: string, r: Reporter): RawRecord | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return wrongType(r, path, 'an object', v);
  const fields = FIELDS[kind];
  const raw: RawRecord = {};
  for (const name of Object.keys(v)) {
    const type = Object.hasOwn(fields, name) ? fields[name] : undefined;
    const value = (v as Record<string, unknown>)[name];
    const p = childPath(path, name);
    if (type === undefined) {
      r.error(
        'CAP_JSON_UNKNOWN_FIELD',
        p,
        `Unknown field "${name}" in ${kind === 'pair' ? 'a valueName/value pair' : kind}`,
      );
      continue;
    }
    if (type === 'string') {
      raw[name] = checkString(value, p, r);
    } else if (type === 'number') {
      if (typeof value === 'number') raw[name] = value;
      else wrongType(r, p, 'a number', value);
    } else if (!Array.isArray(value)) {
      wrongType(r, p, 'an array', value);
    } else if (type === 'strings') {
      raw[name] = value.map((item, i) => checkString(item, itemPath(path, name, i), r) ?? '');
    } else {
      const list: RawRecord[] = [];
      for (let i = 0; i < value.length; i++) {
        list.push(checkObject(value[i], type.list, itemPath(path, name, i), r) ?? {});
      }
      raw[name] = list;
    }
  }
  return raw;
}

/** The JSON form of an alert as a plain object (field order follows the XSD). */
export function toCapJson(alert: Alert): Record<string, unknown> {
  const o: Record<string, unknown> = {
    identifier: alert.identifier,
    sender: alert.sender,
    sent: alert.sent,
    status: alert.status,
    msgType: alert.msgType,
  };
  opt(o, 'source', alert.source);
  o.scope = alert.scope;
  opt(o, 'restriction', alert.restriction);
  opt(o, 'addresses', alert.addresses);
  list(o, 'code', alert.code);
  opt(o, 'note', alert.note);
  opt(o, 'references', alert.references);
  opt(o, 'incidents', alert.incidents);
  list(o, 'info', alert.info.map(infoJson));
  return o;
}

/** The JSON form of an alert as text: the same alert always gives the same string. */
export function serializeCapJson(alert: Alert): string {
  return JSON.stringify(toCapJson(alert));
}

function infoJson(info: Info): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  opt(o, 'language', info.language);
  o.category = [...info.category];
  o.event = info.event;
  list(o, 'responseType', info.responseType);
  o.urgency = info.urgency;
  o.severity = info.severity;
  o.certainty = info.certainty;
  opt(o, 'audience', info.audience);
  list(o, 'eventCode', info.eventCode.map(pairJson));
  opt(o, 'effective', info.effective);
  opt(o, 'onset', info.onset);
  opt(o, 'expires', info.expires);
  opt(o, 'senderName', info.senderName);
  opt(o, 'headline', info.headline);
  opt(o, 'description', info.description);
  opt(o, 'instruction', info.instruction);
  opt(o, 'web', info.web);
  opt(o, 'contact', info.contact);
  list(o, 'parameter', info.parameter.map(pairJson));
  list(o, 'resource', info.resource.map(resourceJson));
  list(o, 'area', info.area.map(areaJson));
  return o;
}

function resourceJson(r: Resource): Record<string, unknown> {
  const o: Record<string, unknown> = { resourceDesc: r.resourceDesc, mimeType: r.mimeType };
  opt(o, 'size', r.size);
  opt(o, 'uri', r.uri);
  opt(o, 'derefUri', r.derefUri);
  opt(o, 'digest', r.digest);
  return o;
}

function areaJson(a: Area): Record<string, unknown> {
  const o: Record<string, unknown> = { areaDesc: a.areaDesc };
  list(
    o,
    'polygon',
    a.polygon.map((p) => formatPolygon(p)),
  );
  list(
    o,
    'circle',
    a.circle.map((c) => formatCircle(c)),
  );
  list(o, 'geocode', a.geocode.map(pairJson));
  opt(o, 'altitude', a.altitude);
  opt(o, 'ceiling', a.ceiling);
  return o;
}

function pairJson(p: NamedValue): Record<string, unknown> {
  return { valueName: p.valueName, value: p.value };
}

function opt(o: Record<string, unknown>, name: string, v: string | number | undefined): void {
  if (v !== undefined) o[name] = v;
}

function list(o: Record<string, unknown>, name: string, v: readonly unknown[]): void {
  if (v.length > 0) o[name] = [...v];
}
