// CAP XML → model, in one pass over the text with a strict XML scanner (xml-scan.ts, which
// never expands entities beyond the five predefined ones and character references). Safe by
// construction:
// any DOCTYPE is refused before its content matters (no XXE, no entity expansion), and size,
// depth, element count and polygon size are bounded by CapXmlLimits. CAP 1.2 is read as is;
// CAP 1.1 and 1.0 are mapped onto the 1.2 model with warnings where meaning changes.

import type { Alert, CapVersion, Finding, Position } from './types.ts';
import { CAP_NAMESPACES } from './types.ts';
import type { RawRecord, Reporter } from './xml-model.ts';
import { buildAlert, childPath, itemPath } from './xml-model.ts';
import {
  LineLocator,
  type ScanHandler,
  type ScanTag,
  scanXml,
  XmlLimitError,
  XmlSyntaxError,
} from './xml-scan.ts';
import type { ChildSpec, ComplexKind, ElementSpec } from './xml-spec.ts';
import { ELEMENT_SPECS, XMLDSIG_NAMESPACE } from './xml-spec.ts';

export { serializeCapXml } from './xml-serialize.ts';

export type CapParseResult =
  | {
      ok: true;
      alert: Alert;
      version: CapVersion;
      warnings: Finding[];
      /** Where each model path starts in the source, e.g. 'info[0].area[1].polygon[0]'. */
      positions: Map<string, Position>;
    }
  | { ok: false; errors: Finding[] };

export interface CapXmlLimits {
  /** Largest accepted document, in UTF-8 bytes. */
  maxBytes: number;
  /** Deepest element nesting (alert = 1). A CAP message needs 5; a signature about 6 more. */
  maxDepth: number;
  /** Most elements in one document, signature included. */
  maxElements: number;
  /** Most points in one polygon. */
  maxPolygonPoints: number;
  /** Parsing stops after this many errors. */
  maxErrors: number;
}

export const DEFAULT_CAP_XML_LIMITS: CapXmlLimits = {
  maxBytes: 1024 * 1024,
  maxDepth: 32,
  maxElements: 10_000,
  maxPolygonPoints: 10_000,
  maxErrors: 50,
};

const VERSION_BY_NAMESPACE = new Map<string, CapVersion>(
  (Object.entries(CAP_NAMESPACES) as [CapVersion, string][]).map(([v, ns]) => [ns, v]),
);

/** Thrown inside scanner handlers to stop the pass at a fatal error; never escapes this module. */
class Stop extends Error {}

interface Frame {
  kind: ComplexKind;
  spec: ElementSpec;
  path: string;
  raw: RawRecord;
  /** Index in spec.children of the last child seen (schema sequence position). */
  last: number;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Parses a CAP 1.2 (or 1.1 / 1.0) XML message into the model; never throws on bad input. */
export function parseCapXml(input: string | Uint8Array, limits?: Partial<CapXmlLimits>): CapParseResult {
  const lim: CapXmlLimits = { ...DEFAULT_CAP_XML_LIMITS, ...limits };
  const tooLarge = (): CapParseResult =>
    fail('CAP_XML_TOO_LARGE', `Document is larger than ${lim.maxBytes} bytes`);
  let xml: string;
  if (typeof input === 'string') {
    // A string of n UTF-16 units has between n and 3n UTF-8 bytes: measure only when unsure.
    if (input.length > lim.maxBytes) return tooLarge();
    if (input.length * 3 > lim.maxBytes && Buffer.byteLength(input, 'utf8') > lim.maxBytes) {
      return tooLarge();
    }
    xml = input;
  } else {
    if (input.byteLength > lim.maxBytes) return tooLarge();
    try {
      xml = UTF8.decode(input);
    } catch {
      return fail(
        'CAP_XML_INVALID_UTF8',
        `Document is not valid UTF-8 (byte ${firstBadUtf8(input)}, counting from 0)`,
      );
    }
  }
  return new CapXmlReader(lim, typeof input !== 'string').read(xml);
}

function fail(code: string, message: string, pos?: Position): CapParseResult {
  const finding: Finding = { code, severity: 'error', path: '', message };
  if (pos !== undefined) {
    finding.line = pos.line;
    finding.column = pos.column;
  }
  return { ok: false, errors: [finding] };
}

/**
 * A successful parse. `positions` is built on first use: most callers never ask, and a Map of
 * every path costs as much as the rest of the parse (CPU profile, docs/cap-formats.md). Until
 * then the result keeps the source text alive.
 */
class ParsedCapXml {
  readonly ok = true as const;
  readonly alert: Alert;
  readonly version: CapVersion;
  readonly warnings: Finding[];
  readonly #reader: CapXmlReader;
  constructor(alert: Alert, version: CapVersion, warnings: Finding[], reader: CapXmlReader) {
    this.alert = alert;
    this.version = version;
    this.warnings = warnings;
    this.#reader = reader;
  }
  get positions(): Map<string, Position> {
    return this.#reader.positionMap();
  }
}

class CapXmlReader implements ScanHandler, Reporter {
  private readonly lim: CapXmlLimits;
  private readonly fromBytes: boolean;
  private locator: LineLocator = new LineLocator('');
  private readonly errors: Finding[] = [];
  private readonly warnings: Finding[] = [];
  /** Model paths and the offsets where their elements start; made into positions on demand. */
  private readonly paths: string[] = [];
  private readonly offsets: number[] = [];
  private positions: Map<string, Position> | undefined;
  /** The root's namespace string: children that inherit it compare by identity, cheaply. */
  private capUri = '';
  private readonly stack: Frame[] = [];
  private specs: Record<ComplexKind, ElementSpec> = ELEMENT_SPECS['1.2'];
  private version: CapVersion | undefined;
  private root: RawRecord | undefined;
  private depth = 0;
  private elements = 0;
  /** Depth at which a skipped subtree (ds:Signature) started; 0 when not skipping. */
  private skipDepth = 0;
  /** The simple element being read: its name, path and text so far. */
  private textName: string | undefined;
  private textPath = '';
  private textValue = '';
  private tagOffset = 0;
  private seenSignature = false;

  constructor(lim: CapXmlLimits, fromBytes: boolean) {
    this.lim = lim;
    this.fromBytes = fromBytes;
  }

  // ScanHandler: the scanner calls these in document order. (Methods rather than closures:
  // nothing is allocated per document for the handler.)
  xmlDecl(encoding: string | undefined): void {
    if (this.fromBytes && encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
      this.fatal('CAP_XML_UNSUPPORTED_ENCODING', `Encoding "${encoding}" is not supported; send UTF-8`, 0);
    }
  }

  doctype(offset: number): void {
    this.fatal(
      'CAP_XML_DOCTYPE_FORBIDDEN',
      'DOCTYPE declarations are not allowed in CAP messages (entity expansion, external entities)',
      offset,
    );
  }

  read(xml: string): CapParseResult {
    this.locator = new LineLocator(xml);
    try {
      scanXml(xml, this);
    } catch (err) {
      if (err instanceof XmlLimitError) {
        return fail('CAP_XML_TOO_MANY_ATTRIBUTES', err.message, this.locator.at(err.offset));
      }
      if (err instanceof XmlSyntaxError) {
        const at = this.locator.at(err.offset);
        return fail('CAP_XML_MALFORMED', `Malformed XML: ${err.message}`, at);
      }
      if (!(err instanceof Stop)) throw err;
      return { ok: false, errors: this.errors };
    }
    if (this.root === undefined || this.version === undefined) {
      return fail('CAP_XML_MALFORMED', 'No root element');
    }
    const alert = buildAlert(
      this.root,
      { version: this.version, maxPolygonPoints: this.lim.maxPolygonPoints },
      this,
    );
    if (this.errors.length > 0) return { ok: false, errors: this.errors };
    return new ParsedCapXml(alert, this.version, this.warnings, this);
  }

  positionMap(): Map<string, Position> {
    if (this.positions === undefined) {
      this.positions = new Map();
      for (let i = 0; i < this.paths.length; i++) {
        this.positions.set(this.paths[i] as string, this.locator.at(this.offsets[i] as number));
      }
    }
    return this.positions;
  }

  // Reporter: findings of the model builder, placed by their path.
  error(code: string, path: string, message: string): void {
    this.add(this.errors, code, 'error', path, message);
  }

  warn(code: string, path: string, message: string): void {
    this.add(this.warnings, code, 'warning', path, message);
  }

  private add(
    list: Finding[],
    code: string,
    severity: Finding['severity'],
    path: string,
    message: string,
  ): void {
    if (list.length >= this.lim.maxErrors) return;
    const finding: Finding = { code, severity, path, message };
    const pos = this.positionOf(path);
    if (pos !== undefined) {
      finding.line = pos.line;
      finding.column = pos.column;
    }
    list.push(finding);
  }

  /** The position of a path, or of its nearest ancestor that has one. */
  private positionOf(path: string): Position | undefined {
    let p = path;
    for (;;) {
      const pos = this.positionMap().get(p);
      if (pos !== undefined) return pos;
      if (p === '') return undefined;
      const dot = p.lastIndexOf('.');
      p = dot < 0 ? '' : p.slice(0, dot);
    }
  }

  private fatal(code: string, message: string, where: Position | number): never {
    const at = typeof where === 'number' ? this.locator.at(where) : where;
    this.errors.push({ code, severity: 'error', path: '', message, line: at.line, column: at.column });
    throw new Stop(code);
  }

  /** An error at the current tag that ends the parse (the structure after it is unknowable). */
  private structural(code: string, path: string, message: string): never {
    this.errors.push({
      code,
      severity: 'error',
      path,
      message,
      ...this.locator.at(this.tagOffset),
    });
    throw new Stop(code);
  }

  open(tag: ScanTag, offset: number): void {
    this.tagOffset = offset;
    this.depth++;
    this.elements++;
    if (this.depth > this.lim.maxDepth) {
      this.fatal('CAP_XML_TOO_DEEP', `Elements are nested deeper than ${this.lim.maxDepth}`, offset);
    }
    if (this.elements > this.lim.maxElements) {
      this.fatal('CAP_XML_TOO_MANY_ELEMENTS', `More than ${this.lim.maxElements} elements`, offset);
    }
    if (this.skipDepth > 0) return;
    if (this.root === undefined) {
      this.openRoot(tag);
      return;
    }
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined || this.textName !== undefined) {
      const where = this.textName ?? 'alert';
      this.structural(
        'CAP_XML_UNKNOWN_ELEMENT',
        this.textPath,
        `<${tag.name}> is not allowed inside <${where}>`,
      );
    }
    if (tag.uri === XMLDSIG_NAMESPACE && parent.kind === 'alert') {
      // CAP 1.2 §4.2 (schema `any` in the xmldsig namespace): an enveloped signature after the
      // last info. It is checked by dsig.ts, not modelled here.
      this.seenSignature = true;
      this.skipDepth = this.depth;
      return;
    }
    if (tag.uri !== this.capUri) {
      this.structural(
        tag.uri === '' ? 'CAP_XML_WRONG_NAMESPACE' : 'CAP_XML_UNKNOWN_ELEMENT',
        parent.path,
        `<${tag.name}> (namespace "${tag.uri}") is not allowed in <${parent.kind === 'pair' ? 'valueName/value' : parent.kind}>; CAP elements must be in namespace ${CAP_NAMESPACES[this.version as CapVersion]}`,
      );
    }
    const index = parent.spec.index.get(tag.local);
    if (index === undefined) {
      this.structural(
        'CAP_XML_UNKNOWN_ELEMENT',
        parent.path,
        `<${tag.local}> is not a CAP ${this.version} element of <${parentName(parent)}>`,
      );
    }
    const child = parent.spec.children[index] as ChildSpec;
    if (this.seenSignature || index < parent.last || (index === parent.last && !child.repeat)) {
      const what = index === parent.last ? 'appears more than once' : 'is out of order';
      this.structural(
        'CAP_XML_ELEMENT_ORDER',
        childPath(parent.path, tag.local),
        `<${tag.local}> ${what} in <${parentName(parent)}> (the schema's order: ${parent.spec.children.map((c) => c.name).join(', ')})`,
      );
    }
    parent.last = index;
    this.checkAttributes(tag);
    let path: string;
    if (child.repeat) {
      let list = parent.raw[child.name] as unknown[] | undefined;
      if (list === undefined) {
        list = [];
        parent.raw[child.name] = list;
      }
      path = itemPath(parent.path, child.name, list.length);
      if (child.kind === 'text') list.push('');
      else {
        const raw: RawRecord = {};
        list.push(raw);
        this.push(child.kind, path, raw);
      }
    } else {
      path = childPath(parent.path, child.name);
      if (child.kind !== 'text') {
        const raw: RawRecord = {};
        parent.raw[child.name] = raw;
        this.push(child.kind, path, raw);
      }
    }
    this.paths.push(path);
    this.offsets.push(this.tagOffset);
    if (child.kind === 'text') {
      this.textName = child.name;
      this.textPath = path;
      this.textValue = '';
    }
  }

  private openRoot(tag: ScanTag): void {
    const version = VERSION_BY_NAMESPACE.get(tag.uri);
    if (tag.local !== 'alert' || version === undefined) {
      const ns = tag.uri === '' ? 'no namespace' : `namespace "${tag.uri}"`;
      this.structural(
        'CAP_XML_WRONG_NAMESPACE',
        '',
        `Root element <${tag.name}> in ${ns} is not a CAP alert; expected <alert xmlns="${CAP_NAMESPACES['1.2']}"> (or CAP 1.1 / 1.0)`,
      );
    }
    this.version = version;
    this.specs = ELEMENT_SPECS[version];
    this.checkAttributes(tag);
    this.root = {};
    this.capUri = tag.uri;
    this.paths.push('');
    this.offsets.push(this.tagOffset);
    this.push('alert', '', this.root);
  }

  private push(kind: ComplexKind, path: string, raw: RawRecord): void {
    this.stack.push({ kind, spec: this.specs[kind], path, raw, last: -1 });
  }

  private checkAttributes(tag: ScanTag): void {
    for (const attr of tag.attributes) {
      // xsi:* (schemaLocation, ...) is allowed on any element; namespace declarations never
      // reach here.
      if (attr.uri === 'http://www.w3.org/2001/XMLSchema-instance') continue;
      this.structural(
        'CAP_XML_UNEXPECTED_ATTRIBUTE',
        this.stack[this.stack.length - 1]?.path ?? '',
        `Attribute ${attr.name} is not allowed on <${tag.local}>`,
      );
    }
  }

  close(): void {
    this.depth--;
    if (this.skipDepth > 0) {
      if (this.depth < this.skipDepth) this.skipDepth = 0;
      return;
    }
    if (this.textName !== undefined) {
      const parent = this.stack[this.stack.length - 1] as Frame;
      const value = parent.raw[this.textName];
      if (Array.isArray(value)) value[value.length - 1] = this.textValue;
      else parent.raw[this.textName] = this.textValue;
      this.textName = undefined;
      this.textValue = '';
      return;
    }
    this.stack.pop();
  }

  text(t: string, offset: number): void {
    if (this.skipDepth > 0) return;
    if (this.textName !== undefined) {
      this.textValue += t;
      return;
    }
    if (this.stack.length === 0 || isXmlSpace(t)) return;
    const frame = this.stack[this.stack.length - 1] as Frame;
    this.fatal(
      'CAP_XML_UNEXPECTED_TEXT',
      `Text "${t.trim().slice(0, 40)}" is not allowed directly inside <${parentName(frame)}>`,
      offset,
    );
  }
}

function parentName(frame: Frame): string {
  return frame.kind === 'pair'
    ? frame.path.slice(frame.path.lastIndexOf('.') + 1).replace(/\[\d+\]$/, '')
    : frame.kind;
}

function isXmlSpace(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

function firstBadUtf8(bytes: Uint8Array): number {
  // Binary search for the shortest prefix that fails to decode (an error path only, so the
  // repeated decoding is acceptable); its last byte is where UTF-8 goes wrong.
  let lo = 0;
  let hi = bytes.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  return hi - 1;
}
