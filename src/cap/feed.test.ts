import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { documentKind, FEED_CODES, parseCapFeed } from './feed.ts';

const FEEDS = new URL('../../test/fixtures/cap/feeds/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, FEEDS), 'utf8');

function parseOk(text: string | Uint8Array) {
  const result = parseCapFeed(text);
  if (!result.ok) assert.fail(`expected a feed, got ${JSON.stringify(result.errors)}`);
  return result;
}

test('NWS Atom index: three entries, each linking to its CAP message, with id, title and updated', () => {
  const feed = parseOk(read('nws-atom-2018-excerpt.xml'));
  assert.equal(feed.kind, 'atom');
  assert.equal(feed.entries.length, 3);
  const [first] = feed.entries;
  assert.match(
    first?.capUrl ?? '',
    /^https:\/\/alerts\.weather\.gov\/cap\/wwacapget\.php\?x=AK125AB652A170\.HighWindWarning/,
  );
  assert.equal(first?.id, first?.capUrl);
  assert.equal(
    first?.title,
    'High Wind Warning issued August 15 at 2:52PM AKDT until August 16 at 7:00AM AKDT by NWS',
  );
  assert.equal(first?.updated, '2018-08-15T14:52:00-08:00');
  assert.equal(first?.capXml, undefined);
  assert.deepEqual(first?.position, { line: 30, column: 1 });
});

test('MeteoAlarm Atom: the application/cap+xml link wins over the related and untyped links', () => {
  const feed = parseOk(read('meteoalarm-uk-2025-excerpt.xml'));
  assert.equal(feed.entries.length, 1);
  assert.equal(
    feed.entries[0]?.capUrl,
    'https://feeds.meteoalarm.org/api/v1/warnings/feeds-united-kingdom/05f2a1ec-58ec-4b6e-b05b-21ddac714680',
  );
  assert.match(feed.entries[0]?.title ?? '', /^Orange Wind Warning/);
});

test('an embedded alert comes out as a standalone document carrying the inherited cap: prefix', () => {
  const text = read('tocsin-embedded.atom');
  const feed = parseOk(text);
  const [embedded, linked] = feed.entries;
  assert.ok(embedded?.capXml);
  // Every in-scope declaration is carried over, so the message means exactly what it meant in the feed.
  assert.match(embedded.capXml, /^<cap:alert [^>]*xmlns:cap="urn:oasis:names:tc:emergency:cap:1\.2"/);
  assert.match(embedded.capXml, /<\/cap:alert>$/);
  const doc = new DOMParser().parseFromString(embedded.capXml, 'text/xml');
  assert.equal(doc.documentElement?.namespaceURI, 'urn:oasis:names:tc:emergency:cap:1.2');
  assert.equal(
    doc.getElementsByTagNameNS('urn:oasis:names:tc:emergency:cap:1.2', 'identifier')[0]?.textContent,
    'urn:tocsin:example:embedded:0001',
  );
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes('<cap:alert>')) + 1;
  assert.deepEqual(embedded.capPosition, { line, column: lines[line - 1]!.indexOf('<cap:alert>') + 1 });
  assert.equal(embedded.capUrl, undefined);
  assert.equal(linked?.capUrl, '../signed/signed.xml');
  assert.equal(linked?.capXml, undefined);
});

test('RSS 2.0: a CAP enclosure wins over the item link; otherwise the item link is the CAP URL', () => {
  const feed = parseOk(read('tocsin-items.rss'));
  assert.equal(feed.kind, 'rss');
  assert.deepEqual(
    feed.entries.map((e) => [e.id, e.capUrl]),
    [
      ['urn:tocsin:example:signed:0001', '../signed/signed.xml'],
      ['urn:tocsin:example:signed:unsigned', 'file:../signed/unsigned.xml'],
    ],
  );
  assert.equal(feed.entries[0]?.updated, 'Sun, 01 Mar 2026 08:42:00 GMT');
});

test('CAP embedded as escaped text in an RSS description is found', () => {
  const rss = `<rss version="2.0"><channel><item><guid>g1</guid><description>&lt;alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"&gt;&lt;identifier&gt;x&lt;/identifier&gt;&lt;/alert&gt;</description></item></channel></rss>`;
  const feed = parseOk(rss);
  assert.equal(
    feed.entries[0]?.capXml,
    '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier></alert>',
  );
});

test('bytes are decoded as UTF-8; invalid UTF-8 is an error, not a crash', () => {
  assert.equal(parseOk(Buffer.from(read('tocsin-items.rss'))).entries.length, 2);
  const bad = parseCapFeed(new Uint8Array([0x3c, 0x72, 0x73, 0x73, 0xff]));
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.errors[0]?.code, FEED_CODES.encoding);
});

test('a DOCTYPE (entity expansion) is refused with its position', () => {
  const bomb = `<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>&b;</title></feed>`;
  const result = parseCapFeed(bomb);
  assert.equal(result.ok, false);
  assert.equal(!result.ok && result.errors[0]?.code, FEED_CODES.doctype);
  assert.equal(!result.ok && result.errors[0]?.line, 2);
});

test('malformed XML is reported with the line and column', () => {
  const result = parseCapFeed('<feed xmlns="http://www.w3.org/2005/Atom">\n<entry><id>x</entry>\n</feed>');
  assert.equal(result.ok, false);
  const [finding] = result.ok ? [] : result.errors;
  assert.equal(finding?.code, FEED_CODES.malformed);
  assert.equal(finding?.line, 2);
  assert.ok((finding?.column ?? 0) > 1);
});

test('oversized, over-deep and over-long feeds are refused by their limits', () => {
  const items = '<item><guid>g</guid></item>'.repeat(5);
  const rss = `<rss version="2.0"><channel>${items}</channel></rss>`;
  const codeOf = (r: ReturnType<typeof parseCapFeed>) => (r.ok ? 'ok' : r.errors[0]?.code);
  assert.equal(codeOf(parseCapFeed(rss, { maxBytes: 50 })), FEED_CODES.tooLarge);
  assert.equal(codeOf(parseCapFeed(rss, { maxEntries: 4 })), FEED_CODES.tooManyEntries);
  assert.equal(codeOf(parseCapFeed(rss, { maxEntries: 5 })), 'ok');
  const deep = `<rss version="2.0"><channel><item>${'<x>'.repeat(100)}${'</x>'.repeat(100)}</item></channel></rss>`;
  assert.equal(codeOf(parseCapFeed(deep)), FEED_CODES.tooDeep);
});

test('a root that is neither Atom nor RSS is not a feed', () => {
  const result = parseCapFeed('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>');
  assert.equal(!result.ok && result.errors[0]?.code, FEED_CODES.notAFeed);
  assert.equal(parseCapFeed('<feed/>').ok, false, 'a <feed> outside the Atom namespace is not Atom');
});

test('documentKind tells messages from feeds past the prolog and comments', () => {
  assert.equal(documentKind(read('nws-atom-2018-excerpt.xml')), 'atom');
  assert.equal(documentKind(read('tocsin-items.rss')), 'rss');
  assert.equal(documentKind('\uFEFF<?xml version="1.0"?>\n<!-- c -->\n<cap:alert xmlns:cap="x"/>'), 'alert');
  assert.equal(documentKind('{"identifier":"x"}'), 'unknown');
});

test('documentKind sees past a DOCTYPE, so the right parser can refuse it precisely', () => {
  assert.equal(documentKind('<?xml version="1.0"?>\n<!DOCTYPE alert [<!ENTITY a "b">]>\n<alert/>'), 'alert');
  assert.equal(documentKind('<!DOCTYPE feed><feed/>'), 'atom');
});
