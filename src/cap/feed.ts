// CAP feeds: Atom (RFC 4287) and RSS 2.0 indexes of CAP messages, as published by NWS,
// MeteoAlarm, Google's "CAP for the web" and the OASIS CAP-feeds note. Each entry either embeds
// the <alert> (Atom <content type="application/cap+xml">, or any CAP-namespaced <alert> inside
// the entry) or links to it (link type="application/cap+xml", content src, RSS enclosure, or
// the entry's own link). Parsing is as guarded as the CAP parser's: saxes, no DOCTYPE (so no
// entity expansion), bounded size, depth and entry count. Pure: links are reported, not fetched.

import type { SaxesTagNS } from 'saxes';
import { SaxesParser } from 'saxes';
import type { Finding, Position } from './types.ts';
import { CAP_NAMESPACES } from './types.ts';

const ATOM_NS = 'http://www.w3.org/2005/Atom';
const CAP_MEDIA_TYPE = 'application/cap+xml';
const XML_MEDIA_TYPES = new Set([CAP_MEDIA_TYPE, 'application/xml', 'text/xml']);
const CAP_NS_SET: ReadonlySet<string> = new Set(Object.values(CAP_NAMESPACES));

export interface FeedLimits {
  maxBytes: number;
  maxDepth: number;
  maxEntries: number;
}

/** Large national feeds (NWS all-US) reach a few MB; beyond these limits a feed is refused. */
export const DEFAULT_FEED_LIMITS: FeedLimits = {
  maxBytes: 32 * 1024 * 1024,
  maxDepth: 64,
  maxEntries: 20_000,
};

/** Stable codes of feed-level problems (CAP message problems come from the CAP parser). */
export const FEED_CODES = {
  tooLarge: 'FEED_TOO_LARGE',
  tooDeep: 'FEED_TOO_DEEP',
  tooManyEntries: 'FEED_TOO_MANY_ENTRIES',
  doctype: 'FEED_DOCTYPE_FORBIDDEN',
  malformed: 'FEED_XML_MALFORMED',
  notAFeed: 'FEED_ROOT_UNKNOWN',
  encoding: 'FEED_ENCODING_INVALID',
} as const;

export interface FeedEntry {
  /** Atom <id>, RSS <guid>. */
  id?: string;
  title?: string;
  /** Atom <updated> (or <published>), RSS <pubDate>, as written. */
  updated?: string;
  /** The embedded CAP message as a standalone document (inherited namespace declarations added). */
  capXml?: string;
  /** Where the embedded <alert> starts in the feed text. */
  capPosition?: Position;
  /** Link to the CAP message, as written (may be relative to the feed). */
  capUrl?: string;
  /** Where the <entry> or <item> starts. */
  position: Position;
}

export type FeedKind = 'atom' | 'rss';

export type FeedParseResult =
  | { ok: true; kind: FeedKind; entries: FeedEntry[] }
  | { ok: false; errors: Finding[] };

/** What a document is, from its root element name: a CAP message, a feed, or something else. */
export function documentKind(text: string): 'alert' | FeedKind | 'unknown' {
  // Skip the BOM, XML declaration, processing instructions, comments, a DOCTYPE (the parsers
  // refuse it with a precise error, so it must not hide the kind) and whitespace.
  const prolog = /^\uFEFF?(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^[>]*(?:\[[\s\S]*?\])?\s*>)*/;
  const rest = text.slice(prolog.exec(text)?.[0].length ?? 0);
  const match = /^<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(rest);
  const name = match?.[2];
  if (name === 'alert') return 'alert';
  if (name === 'feed') return 'atom';
  if (name === 'rss') return 'rss';
  return 'unknown';
}

class Stop extends Error {}

interface OpenEntry {
  entry: FeedEntry;
  depth: number;
  fields: Map<string, string>;
  links: { rel: string; type: string; href: string }[];
  enclosure?: string;
  contentSrc?: string;
  /** Escaped CAP text in a content/description element (some feeds embed it as text). */
  escapedCap?: { text: string; position: Position };
}

interface OpenAlert {
  start: number;
  depth: number;
  position: Position;
  inherited: Record<string, string>;
  own: Record<string, string>;
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function positionAt(starts: number[], index: number): Position {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= index) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: index - starts[lo]! + 1 };
}

function error(code: string, message: string, position?: Position): Finding {
  return { code, severity: 'error', path: '', message, ...(position ?? {}) };
}

function decode(input: string | Uint8Array): string {
  return typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
}

/** Adds the namespace declarations an embedded <alert> inherits, so the slice stands alone. */
function standalone(slice: string, alert: OpenAlert): string {
  const extra = Object.entries(alert.inherited)
    .filter(([prefix]) => !(prefix in alert.own) && prefix !== 'xml')
    .map(
      ([prefix, uri]) =>
        ` ${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}="${uri.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`,
    )
    .join('');
  if (!extra) return slice;
  const nameEnd = /^<[^\s/>]+/.exec(slice)?.[0].length ?? 0;
  return `${slice.slice(0, nameEnd)}${extra}${slice.slice(nameEnd)}`;
}

function finishEntry(open: OpenEntry, kind: FeedKind): FeedEntry {
  const { entry, fields, links } = open;
  const id = fields.get(kind === 'atom' ? 'id' : 'guid');
  const title = fields.get('title');
  const updated =
    kind === 'atom' ? (fields.get('updated') ?? fields.get('published')) : fields.get('pubDate');
  if (id) entry.id = id;
  if (title) entry.title = title;
  if (updated) entry.updated = updated;
  if (!entry.capXml && open.escapedCap) {
    entry.capXml = open.escapedCap.text;
    entry.capPosition = open.escapedCap.position;
  }
  const capLink =
    links.find((l) => l.type === CAP_MEDIA_TYPE)?.href ??
    open.enclosure ??
    open.contentSrc ??
    (entry.capXml
      ? undefined
      : links.find(
          (l) => (l.rel === '' || l.rel === 'alternate') && (l.type === '' || XML_MEDIA_TYPES.has(l.type)),
        )?.href) ??
    (entry.capXml || kind === 'atom' ? undefined : fields.get('link'));
  if (capLink) entry.capUrl = capLink;
  return entry;
}

/** Parses a CAP Atom or RSS 2.0 feed into its entries: embedded CAP messages and links to them. */
export function parseCapFeed(input: string | Uint8Array, limits: Partial<FeedLimits> = {}): FeedParseResult {
  const { maxBytes, maxDepth, maxEntries } = { ...DEFAULT_FEED_LIMITS, ...limits };
  const byteLength = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (byteLength > maxBytes)
    return {
      ok: false,
      errors: [error(FEED_CODES.tooLarge, `The feed is ${byteLength} bytes; the limit is ${maxBytes}.`)],
    };
  let text: string;
  try {
    text = decode(input);
  } catch {
    return { ok: false, errors: [error(FEED_CODES.encoding, 'The feed is not valid UTF-8.')] };
  }
  const starts = lineStarts(text);
  const parser = new SaxesParser({ xmlns: true, position: true });
  const nsStack: Record<string, string>[] = [{}];
  const entries: FeedEntry[] = [];
  const errors: Finding[] = [];
  let kind: FeedKind | undefined;
  let depth = 0;
  let entry: OpenEntry | undefined;
  let alert: OpenAlert | undefined;
  let field: { name: string; text: string; depth: number; maybeCap: boolean; position: Position } | undefined;
  let tagStart = 0;

  const stop = (code: string, message: string, position?: Position): never => {
    errors.push(error(code, message, position ?? { line: parser.line, column: parser.column + 1 }));
    throw new Stop();
  };

  parser.on('doctype', () =>
    stop(FEED_CODES.doctype, 'DOCTYPE declarations are not allowed (they enable entity expansion).'),
  );
  parser.on('error', (e) => stop(FEED_CODES.malformed, e.message.replace(/^\d+:\d+: /, '')));
  parser.on('opentagstart', () => {
    tagStart = text.lastIndexOf('<', parser.position - 1);
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    depth += 1;
    if (depth > maxDepth) stop(FEED_CODES.tooDeep, `Elements are nested more than ${maxDepth} deep.`);
    const scope = { ...nsStack[nsStack.length - 1], ...tag.ns };
    nsStack.push(scope);
    const here = () => positionAt(starts, tagStart);
    if (depth === 1) {
      if (tag.local === 'feed' && tag.uri === ATOM_NS) kind = 'atom';
      else if (tag.local === 'rss' && tag.uri === '') kind = 'rss';
      else
        stop(
          FEED_CODES.notAFeed,
          `The root element <${tag.name}> is neither an Atom <feed> nor an RSS <rss>.`,
          here(),
        );
      return;
    }
    if (alert) return;
    const isEntry =
      kind === 'atom' ? tag.local === 'entry' && tag.uri === ATOM_NS : tag.local === 'item' && tag.uri === '';
    if (!entry) {
      if (isEntry) {
        if (entries.length >= maxEntries)
          stop(FEED_CODES.tooManyEntries, `The feed has more than ${maxEntries} entries.`, here());
        entry = { entry: { position: here() }, depth, fields: new Map(), links: [] };
      }
      return;
    }
    if (tag.local === 'alert' && CAP_NS_SET.has(tag.uri)) {
      alert = {
        start: tagStart,
        depth,
        position: here(),
        inherited: nsStack[nsStack.length - 2]!,
        own: tag.ns,
      };
      return;
    }
    const attr = (name: string) => tag.attributes[name]?.value ?? '';
    if (depth === entry.depth + 1) {
      if (tag.local === 'link' && kind === 'atom')
        entry.links.push({ rel: attr('rel'), type: attr('type').toLowerCase(), href: attr('href') });
      if (tag.local === 'enclosure' && attr('type').toLowerCase() === CAP_MEDIA_TYPE)
        entry.enclosure = attr('url');
      if (tag.local === 'content' && attr('src')) entry.contentSrc = attr('src');
      const maybeCap = ['content', 'description', 'encoded'].includes(tag.local);
      // Only the feed format's own elements are fields (RSS items often carry atom:link too).
      const name = tag.uri === (kind === 'atom' ? ATOM_NS : '') ? tag.local : `{${tag.uri}}${tag.local}`;
      field = { name, text: '', depth, maybeCap, position: here() };
    }
  });
  parser.on('text', (t) => {
    if (field && !alert) field.text += t;
  });
  parser.on('cdata', (t) => {
    if (field && !alert) field.text += t;
  });
  parser.on('closetag', () => {
    if (alert && depth === alert.depth && entry) {
      entry.entry.capXml = standalone(text.slice(alert.start, parser.position), alert);
      entry.entry.capPosition = alert.position;
      alert = undefined;
    } else if (field && depth === field.depth && entry) {
      const value = field.text.trim();
      if (!entry.fields.has(field.name)) entry.fields.set(field.name, value);
      if (field.maybeCap && /^(?:<\?xml[\s\S]*?\?>\s*)?<([\w.-]+:)?alert[\s>]/.test(value)) {
        entry.escapedCap = { text: value, position: field.position };
      }
      field = undefined;
    } else if (entry && depth === entry.depth) {
      entries.push(finishEntry(entry, kind!));
      entry = undefined;
    }
    nsStack.pop();
    depth -= 1;
  });

  try {
    parser.write(text).close();
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    return { ok: false, errors };
  }
  if (!kind) return { ok: false, errors: [error(FEED_CODES.notAFeed, 'The document has no root element.')] };
  return { ok: true, kind, entries };
}
