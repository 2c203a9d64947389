// Turns the raw content of a CAP message (element text as written, grouped by element name)
// into the typed model of types.ts. Shared by the XML and the JSON parser so that both accept
// exactly the same values: required elements present, enumerations inside the schema's lists,
// numbers, polygons and circles parsed. Whitespace follows the XSD: types whose whiteSpace facet
// is `collapse` (dateTime, language, anyURI, integer, decimal) and the enumerations are trimmed;
// plain xs:string content (descriptions, names, values) is kept exactly as written.

import type { Alert, Area, CapVersion, Circle, Info, LatLon, NamedValue, Resource } from './types.ts';
import {
  CATEGORIES,
  CERTAINTIES,
  MSG_TYPES,
  RESPONSE_TYPES,
  SCOPES,
  SEVERITIES,
  STATUSES,
  URGENCIES,
} from './types.ts';
import { decimalDigits, fitsDecimal, MAX_DECIMAL_DIGITS } from './xml-decimal.ts';

/** Where findings go; the XML parser adds line and column from the path. */
export interface Reporter {
  error(code: string, path: string, message: string): void;
  warn(code: string, path: string, message: string): void;
}

/** One complex element's children by name: text, a list of texts, or nested records. */
export type RawRecord = { [name: string]: unknown };

export interface BuildOptions {
  version: CapVersion;
  maxPolygonPoints: number;
}

export const childPath = (path: string, name: string): string => (path === '' ? name : `${path}.${name}`);
export const itemPath = (path: string, name: string, i: number): string => `${childPath(path, name)}[${i}]`;

// xs:decimal (XSD 1.0 Part 2 §3.2.3): optional sign, digits, optional fraction; no exponent.
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const INTEGER = /^[+-]?\d+$/;
function isDecimal(s: string): boolean {
  return DECIMAL.test(s) && decimalDigits(s) <= MAX_DECIMAL_DIGITS;
}
// XML whitespace (XML 1.0 §2.3 S): space, tab, CR, LF.
const XML_SPACE = /[ \t\r\n]+/;

/** Builds an Alert from raw content; problems go to the reporter and a partial model results. */
export function buildAlert(raw: RawRecord, opts: BuildOptions, r: Reporter): Alert {
  const p = '';
  const alert: Alert = {
    identifier: text(raw, 'identifier', p, r, true) ?? '',
    sender: text(raw, 'sender', p, r, true) ?? '',
    sent: token(raw, 'sent', p, r, true) ?? '',
    status: oneOf(raw, 'status', STATUSES, p, r) ?? 'Actual',
    msgType: oneOf(raw, 'msgType', MSG_TYPES, p, r) ?? 'Alert',
    scope: 'Public',
    code: texts(raw, 'code'),
    info: [],
  };
  setText(alert, 'source', text(raw, 'source', p, r));
  alert.scope = oneOf(raw, 'scope', SCOPES, p, r) ?? 'Public';
  setText(alert, 'restriction', text(raw, 'restriction', p, r));
  setText(alert, 'addresses', text(raw, 'addresses', p, r));
  setText(alert, 'note', text(raw, 'note', p, r));
  setText(alert, 'references', text(raw, 'references', p, r));
  setText(alert, 'incidents', text(raw, 'incidents', p, r));
  if (raw.password !== undefined) {
    r.warn(
      'CAP_V10_PASSWORD_IGNORED',
      'password',
      'CAP 1.0 <password> is not part of CAP 1.2 and was dropped',
    );
  }
  const infos = records(raw, 'info');
  for (let i = 0; i < infos.length; i++) {
    alert.info.push(buildInfo(infos[i] as RawRecord, itemPath(p, 'info', i), opts, r));
  }
  return alert;
}

function buildInfo(raw: RawRecord, p: string, opts: BuildOptions, r: Reporter): Info {
  const categories = texts(raw, 'category');
  if (categories.length === 0) missing(p, 'category', r);
  const info: Info = {
    category: enumList(categories, 'category', CATEGORIES, p, r),
    event: text(raw, 'event', p, r, true) ?? '',
    responseType: enumList(texts(raw, 'responseType'), 'responseType', RESPONSE_TYPES, p, r),
    urgency: oneOf(raw, 'urgency', URGENCIES, p, r) ?? 'Unknown',
    severity: oneOf(raw, 'severity', SEVERITIES, p, r) ?? 'Unknown',
    certainty: certainty(raw, p, opts.version, r),
    eventCode: pairs(raw, 'eventCode', p, r),
    parameter: pairs(raw, 'parameter', p, r),
    resource: [],
    area: [],
  };
  const language = token(raw, 'language', p, r);
  if (language !== undefined) info.language = language;
  setText(info, 'audience', text(raw, 'audience', p, r));
  setText(info, 'effective', token(raw, 'effective', p, r));
  setText(info, 'onset', token(raw, 'onset', p, r));
  setText(info, 'expires', token(raw, 'expires', p, r));
  setText(info, 'senderName', text(raw, 'senderName', p, r));
  setText(info, 'headline', text(raw, 'headline', p, r));
  setText(info, 'description', text(raw, 'description', p, r));
  setText(info, 'instruction', text(raw, 'instruction', p, r));
  setText(info, 'web', token(raw, 'web', p, r));
  setText(info, 'contact', text(raw, 'contact', p, r));
  const resources = records(raw, 'resource');
  for (let i = 0; i < resources.length; i++) {
    info.resource.push(buildResource(resources[i] as RawRecord, itemPath(p, 'resource', i), opts, r));
  }
  const areas = records(raw, 'area');
  for (let i = 0; i < areas.length; i++) {
    info.area.push(buildArea(areas[i] as RawRecord, itemPath(p, 'area', i), opts, r));
  }
  return info;
}

function buildResource(raw: RawRecord, p: string, opts: BuildOptions, r: Reporter): Resource {
  let mimeType = token(raw, 'mimeType', p, r, opts.version === '1.2');
  if (mimeType === undefined) {
    mimeType = 'application/octet-stream';
    if (opts.version !== '1.2') {
      r.warn(
        'CAP_MIME_TYPE_DEFAULTED',
        childPath(p, 'mimeType'),
        `CAP ${opts.version} resource without <mimeType>: application/octet-stream assumed (required in CAP 1.2)`,
      );
    }
  }
  const resource: Resource = { resourceDesc: text(raw, 'resourceDesc', p, r, true) ?? '', mimeType };
  const size = number(raw, 'size', p, r, true);
  if (size !== undefined) resource.size = size;
  setText(resource, 'uri', token(raw, 'uri', p, r));
  setText(resource, 'derefUri', text(raw, 'derefUri', p, r));
  setText(resource, 'digest', token(raw, 'digest', p, r));
  return resource;
}

function buildArea(raw: RawRecord, p: string, opts: BuildOptions, r: Reporter): Area {
  const area: Area = {
    areaDesc: text(raw, 'areaDesc', p, r, true) ?? '',
    polygon: [],
    circle: [],
    geocode: pairs(raw, 'geocode', p, r),
  };
  const polygons = texts(raw, 'polygon');
  for (let i = 0; i < polygons.length; i++) {
    const polygon = parsePolygon(polygons[i] as string, itemPath(p, 'polygon', i), opts, r);
    if (polygon !== undefined) area.polygon.push(polygon);
  }
  const circles = texts(raw, 'circle');
  for (let i = 0; i < circles.length; i++) {
    const circle = parseCircle(circles[i] as string, itemPath(p, 'circle', i), r);
    if (circle !== undefined) area.circle.push(circle);
  }
  const altitude = number(raw, 'altitude', p, r, false);
  if (altitude !== undefined) area.altitude = altitude;
  const ceiling = number(raw, 'ceiling', p, r, false);
  if (ceiling !== undefined) area.ceiling = ceiling;
  return area;
}

/** CAP 1.2 §3.2.4 polygon: whitespace-separated `lat,lon` pairs. */
export function parsePolygon(
  source: string,
  path: string,
  opts: BuildOptions,
  r: Reporter,
): LatLon[] | undefined {
  const tokens = source.trim().split(XML_SPACE);
  if (tokens.length === 1 && tokens[0] === '') {
    // Real feeds (the US NWS among them) send <polygon></polygon> for "no polygon". The XSD
    // allows it and its meaning is plain, so it is dropped with a warning rather than refused.
    r.warn('CAP_POLYGON_EMPTY', path, 'Empty <polygon> ignored (CAP 1.2 §3.2.4 wants at least 4 points)');
    return undefined;
  }
  if (tokens.length > opts.maxPolygonPoints) {
    r.error(
      'CAP_POLYGON_TOO_MANY_POINTS',
      path,
      `Polygon has ${tokens.length} points; the limit is ${opts.maxPolygonPoints}`,
    );
    return undefined;
  }
  const points: LatLon[] = new Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const point = parsePoint(tokens[i] as string);
    if (point === undefined) {
      r.error(
        'CAP_POLYGON_SYNTAX',
        path,
        `Polygon point ${i + 1} "${clip(tokens[i] as string)}" is not "lat,lon" in decimal degrees`,
      );
      return undefined;
    }
    points[i] = point;
  }
  return points;
}

/** CAP 1.2 §3.2.4 circle: `lat,lon radius` (radius in kilometres). */
export function parseCircle(source: string, path: string, r: Reporter): Circle | undefined {
  const tokens = source.trim().split(XML_SPACE);
  const centre = tokens.length === 2 ? parsePoint(tokens[0] as string) : undefined;
  const radius = tokens.length === 2 ? (tokens[1] as string) : '';
  if (centre === undefined || !isDecimal(radius)) {
    r.error(
      'CAP_CIRCLE_SYNTAX',
      path,
      `Circle "${clip(source.trim())}" is not "lat,lon radius" in decimal degrees and kilometres`,
    );
    return undefined;
  }
  return { lat: centre[0], lon: centre[1], radiusKm: Number(radius) };
}

function parsePoint(token: string): LatLon | undefined {
  const comma = token.indexOf(',');
  if (comma < 0) return undefined;
  const lat = token.slice(0, comma);
  const lon = token.slice(comma + 1);
  if (!isDecimal(lat) || !isDecimal(lon)) return undefined;
  return [Number(lat), Number(lon)];
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function missing(p: string, name: string, r: Reporter): void {
  r.error('CAP_MISSING_ELEMENT', childPath(p, name), `Missing required element <${name}>`);
}

function text(raw: RawRecord, name: string, p: string, r: Reporter, required = false): string | undefined {
  const v = raw[name];
  if (v === undefined) {
    if (required) missing(p, name, r);
    return undefined;
  }
  return v as string;
}

function token(raw: RawRecord, name: string, p: string, r: Reporter, required = false): string | undefined {
  const v = text(raw, name, p, r, required);
  return v === undefined ? undefined : v.trim();
}

function texts(raw: RawRecord, name: string): string[] {
  return (raw[name] as string[] | undefined) ?? [];
}

function records(raw: RawRecord, name: string): unknown[] {
  return (raw[name] as unknown[] | undefined) ?? [];
}

function setText<T extends object>(target: T, name: keyof T & string, value: string | undefined): void {
  if (value !== undefined) (target as Record<string, unknown>)[name] = value;
}

function isOneOf<T extends string>(list: readonly T[], v: string): v is T {
  return (list as readonly string[]).includes(v);
}

function enumError(path: string, name: string, v: string, list: readonly string[], r: Reporter): void {
  r.error('CAP_INVALID_ENUM', path, `<${name}> "${clip(v)}" is not one of ${list.join(', ')}`);
}

function oneOf<T extends string>(
  raw: RawRecord,
  name: string,
  list: readonly T[],
  p: string,
  r: Reporter,
): T | undefined {
  const v = token(raw, name, p, r, true);
  if (v === undefined) return undefined;
  if (isOneOf(list, v)) return v;
  enumError(childPath(p, name), name, v, list, r);
  return undefined;
}

function enumList<T extends string>(
  values: string[],
  name: string,
  list: readonly T[],
  p: string,
  r: Reporter,
): T[] {
  const out: T[] = [];
  for (let i = 0; i < values.length; i++) {
    const v = (values[i] as string).trim();
    if (isOneOf(list, v)) out.push(v);
    else enumError(itemPath(p, name, i), name, v, list, r);
  }
  return out;
}

function certainty(raw: RawRecord, p: string, version: CapVersion, r: Reporter): Info['certainty'] {
  const v = token(raw, 'certainty', p, r, true);
  if (v === undefined) return 'Unknown';
  if (isOneOf(CERTAINTIES, v)) return v;
  if (v === 'Very Likely' && version !== '1.2') {
    r.warn(
      'CAP_CERTAINTY_VERY_LIKELY',
      childPath(p, 'certainty'),
      `CAP ${version} certainty "Very Likely" was read as "Likely" (CAP 1.2 §3.2.2)`,
    );
    return 'Likely';
  }
  enumError(childPath(p, 'certainty'), 'certainty', v, CERTAINTIES, r);
  return 'Unknown';
}

function number(raw: RawRecord, name: string, p: string, r: Reporter, integer: boolean): number | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  const path = childPath(p, name);
  const kind = integer ? 'an integer' : 'a decimal number';
  if (typeof v === 'number') {
    if (fitsDecimal(v) && (!integer || Number.isSafeInteger(v))) {
      return v;
    }
    r.error('CAP_NUMBER_SYNTAX', path, `<${name}> ${v} is not ${kind}`);
    return undefined;
  }
  const s = (v as string).trim();
  const n = Number(s);
  if (
    (integer ? INTEGER.test(s) : isDecimal(s)) &&
    Number.isFinite(n) &&
    (!integer || Number.isSafeInteger(n))
  ) {
    return n;
  }
  r.error('CAP_NUMBER_SYNTAX', path, `<${name}> "${clip(s)}" is not ${kind}`);
  return undefined;
}

function pairs(raw: RawRecord, name: string, p: string, r: Reporter): NamedValue[] {
  const items = records(raw, name);
  const out: NamedValue[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const path = itemPath(p, name, i);
    if (typeof item === 'string') {
      // CAP 1.0 §3.2.2: eventCode, parameter and geocode are written "valueName=value".
      const eq = item.indexOf('=');
      if (eq < 0) {
        r.error('CAP_NAMED_VALUE_SYNTAX', path, `CAP 1.0 <${name}> "${clip(item)}" is not "valueName=value"`);
        continue;
      }
      out.push({ valueName: item.slice(0, eq).trim(), value: item.slice(eq + 1).trim() });
      continue;
    }
    const rec = item as RawRecord;
    const valueName = text(rec, 'valueName', path, r, true);
    const value = text(rec, 'value', path, r, true);
    if (valueName !== undefined && value !== undefined) out.push({ valueName, value });
  }
  return out;
}
