// Model → CAP 1.2 XML. Elements in exactly the order of the OASIS XSD sequence, text escaped,
// numbers written the same way every time (the shortest text that reads back as the same
// double, never with an exponent, which xs:decimal forbids): the same alert gives the same bytes.

import type { Alert, Area, Circle, Info, LatLon, NamedValue, Resource } from './types.ts';
import { CAP_NAMESPACES } from './types.ts';
import { CapSerializeError, formatDecimal } from './xml-decimal.ts';

export { CapSerializeError };

/** Serialises an alert as CAP 1.2 XML (UTF-8, with an XML declaration); valid against the XSD. */
export function serializeCapXml(alert: Alert): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<alert xmlns="${CAP_NAMESPACES['1.2']}">\n`,
  ];
  const w = new Writer(out);
  w.el(1, 'identifier', alert.identifier, 'identifier');
  w.el(1, 'sender', alert.sender, 'sender');
  w.el(1, 'sent', alert.sent, 'sent');
  w.el(1, 'status', alert.status, 'status');
  w.el(1, 'msgType', alert.msgType, 'msgType');
  w.opt(1, 'source', alert.source, 'source');
  w.el(1, 'scope', alert.scope, 'scope');
  w.opt(1, 'restriction', alert.restriction, 'restriction');
  w.opt(1, 'addresses', alert.addresses, 'addresses');
  w.list(1, 'code', alert.code, 'code');
  w.opt(1, 'note', alert.note, 'note');
  w.opt(1, 'references', alert.references, 'references');
  w.opt(1, 'incidents', alert.incidents, 'incidents');
  for (let i = 0; i < alert.info.length; i++) writeInfo(w, alert.info[i] as Info, `info[${i}]`);
  out.push('</alert>\n');
  return out.join('');
}

function writeInfo(w: Writer, info: Info, p: string): void {
  w.open(1, 'info');
  w.opt(2, 'language', info.language, `${p}.language`);
  w.list(2, 'category', info.category, `${p}.category`);
  w.el(2, 'event', info.event, `${p}.event`);
  w.list(2, 'responseType', info.responseType, `${p}.responseType`);
  w.el(2, 'urgency', info.urgency, `${p}.urgency`);
  w.el(2, 'severity', info.severity, `${p}.severity`);
  w.el(2, 'certainty', info.certainty, `${p}.certainty`);
  w.opt(2, 'audience', info.audience, `${p}.audience`);
  w.pairs(2, 'eventCode', info.eventCode, `${p}.eventCode`);
  w.opt(2, 'effective', info.effective, `${p}.effective`);
  w.opt(2, 'onset', info.onset, `${p}.onset`);
  w.opt(2, 'expires', info.expires, `${p}.expires`);
  w.opt(2, 'senderName', info.senderName, `${p}.senderName`);
  w.opt(2, 'headline', info.headline, `${p}.headline`);
  w.opt(2, 'description', info.description, `${p}.description`);
  w.opt(2, 'instruction', info.instruction, `${p}.instruction`);
  w.opt(2, 'web', info.web, `${p}.web`);
  w.opt(2, 'contact', info.contact, `${p}.contact`);
  w.pairs(2, 'parameter', info.parameter, `${p}.parameter`);
  for (let i = 0; i < info.resource.length; i++) {
    writeResource(w, info.resource[i] as Resource, `${p}.resource[${i}]`);
  }
  for (let i = 0; i < info.area.length; i++) writeArea(w, info.area[i] as Area, `${p}.area[${i}]`);
  w.close(1, 'info');
}

function writeResource(w: Writer, r: Resource, p: string): void {
  w.open(2, 'resource');
  w.el(3, 'resourceDesc', r.resourceDesc, `${p}.resourceDesc`);
  w.el(3, 'mimeType', r.mimeType, `${p}.mimeType`);
  if (r.size !== undefined) w.el(3, 'size', formatInteger(r.size, `${p}.size`), `${p}.size`);
  w.opt(3, 'uri', r.uri, `${p}.uri`);
  w.opt(3, 'derefUri', r.derefUri, `${p}.derefUri`);
  w.opt(3, 'digest', r.digest, `${p}.digest`);
  w.close(2, 'resource');
}

function writeArea(w: Writer, a: Area, p: string): void {
  w.open(2, 'area');
  w.el(3, 'areaDesc', a.areaDesc, `${p}.areaDesc`);
  for (let i = 0; i < a.polygon.length; i++) {
    const path = `${p}.polygon[${i}]`;
    w.el(3, 'polygon', formatPolygon(a.polygon[i] as LatLon[], path), path);
  }
  for (let i = 0; i < a.circle.length; i++) {
    const path = `${p}.circle[${i}]`;
    w.el(3, 'circle', formatCircle(a.circle[i] as Circle, path), path);
  }
  w.pairs(3, 'geocode', a.geocode, `${p}.geocode`);
  if (a.altitude !== undefined) w.el(3, 'altitude', formatDecimal(a.altitude, `${p}.altitude`), '');
  if (a.ceiling !== undefined) w.el(3, 'ceiling', formatDecimal(a.ceiling, `${p}.ceiling`), '');
  w.close(2, 'area');
}

/** CAP polygon text: `lat,lon lat,lon ...`. */
export function formatPolygon(points: readonly LatLon[], path = ''): string {
  return points.map((pt) => `${formatDecimal(pt[0], path)},${formatDecimal(pt[1], path)}`).join(' ');
}

/** CAP circle text: `lat,lon radius`. */
export function formatCircle(c: Circle, path = ''): string {
  return `${formatDecimal(c.lat, path)},${formatDecimal(c.lon, path)} ${formatDecimal(c.radiusKm, path)}`;
}

function formatInteger(n: number, path: string): string {
  if (!Number.isSafeInteger(n)) {
    throw new CapSerializeError('CAP_NUMBER_NOT_INTEGER', path, `${n} is not an integer`);
  }
  return formatDecimal(n, path);
}

// Characters XML 1.0 §2.2 cannot carry at all, even as character references.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const NEEDS_ESCAPE = /[&<>\r]/;

/** Escapes text content; CR becomes &#13; so that it survives XML's line-end normalisation. */
export function escapeXmlText(s: string, path = ''): string {
  if (NOT_XML_CHAR.test(s)) {
    throw new CapSerializeError(
      'CAP_XML_INVALID_CHARACTER',
      path,
      'Text holds a character that XML 1.0 cannot carry (a control character or lone surrogate)',
    );
  }
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(/[&<>\r]/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;',
  );
}

const INDENT = ['', '  ', '    ', '      ', '        '];

class Writer {
  private readonly out: string[];
  constructor(out: string[]) {
    this.out = out;
  }
  el(depth: number, name: string, value: string, path: string): void {
    this.out.push(`${INDENT[depth]}<${name}>${escapeXmlText(value, path)}</${name}>\n`);
  }
  opt(depth: number, name: string, value: string | undefined, path: string): void {
    if (value !== undefined) this.el(depth, name, value, path);
  }
  list(depth: number, name: string, values: readonly string[], path: string): void {
    for (let i = 0; i < values.length; i++) this.el(depth, name, values[i] as string, `${path}[${i}]`);
  }
  pairs(depth: number, name: string, values: readonly NamedValue[], path: string): void {
    values.forEach((v, i) => {
      this.open(depth, name);
      this.el(depth + 1, 'valueName', v.valueName, `${path}[${i}].valueName`);
      this.el(depth + 1, 'value', v.value, `${path}[${i}].value`);
      this.close(depth, name);
    });
  }
  open(depth: number, name: string): void {
    this.out.push(`${INDENT[depth]}<${name}>\n`);
  }
  close(depth: number, name: string): void {
    this.out.push(`${INDENT[depth]}</${name}>\n`);
  }
}
