// GET /v1/feeds/cap.atom of a real hub: read back with our own feed parser, every linked CAP
// message fetched, parsed and validated.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseCapFeed } from '../src/cap/feed.ts';
import { validateCap } from '../src/cap/validate.ts';
import { parseCapXml } from '../src/cap/xml.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

let hub: TestHub;
const ids: Record<string, string> = {};

async function issue(body: Record<string, unknown>): Promise<string> {
  const response = await fetch(`${hub.url}/v1/alerts`, {
    method: 'POST',
    headers: { ...hub.headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 201);
  return ((await response.json()) as { alert: { id: string } }).alert.id;
}

async function feed(query = '', headers: Record<string, string> = {}) {
  const response = await fetch(`${hub.url}/v1/feeds/cap.atom${query}`, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('CAP Atom feed', () => {
  before(async () => {
    hub = await startTestHub();
    ids.sumy = await issue({ event: 'air_raid', regions: ['UA-59'] });
    ids.lviv = await issue({ event: 'drone', regions: ['UA-46'], status: 'Exercise' });
    ids.ended = await issue({ event: 'artillery', regions: ['UA-63'] });
    const end = await fetch(`${hub.url}/v1/alerts/${ids.ended}/all-clear`, {
      method: 'POST',
      headers: hub.headers,
    });
    assert.equal(end.status, 201);
  });
  after(() => hub.stop());

  test('lists the active alerts; each entry links CAP XML that parses and validates', async () => {
    const reply = await feed();
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/atom\+xml/);
    const parsed = parseCapFeed(reply.text);
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors));
    assert.equal(parsed.kind, 'atom');
    assert.equal(parsed.entries.length, 2, 'the ended alert is not in the feed');
    const seen = new Set<string>();
    for (const entry of parsed.entries) {
      assert.ok(entry.capUrl, 'every entry links its CAP message');
      assert.ok(entry.updated);
      const response = await fetch(entry.capUrl);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /application\/cap\+xml/);
      const cap = parseCapXml(await response.text());
      assert.ok(cap.ok, JSON.stringify(!cap.ok && cap.errors));
      const errors = validateCap(cap.alert).filter((f) => f.severity === 'error');
      assert.deepEqual(errors, []);
      assert.ok(entry.capUrl.endsWith(`/v1/alerts/${encodeURIComponent(cap.alert.identifier)}.xml`));
      seen.add(cap.alert.identifier);
      if (cap.alert.identifier === ids.lviv) assert.match(entry.title ?? '', /^\[Exercise\]/);
    }
    assert.deepEqual([...seen].sort(), [ids.sumy, ids.lviv].sort());
  });

  test('?region= keeps the alerts reaching that region; unknown and hostile regions are refused', async () => {
    const sumy = parseCapFeed((await feed('?region=UA-59')).text);
    assert.ok(sumy.ok);
    assert.equal(sumy.entries.length, 1);
    assert.ok(sumy.entries[0]?.capUrl?.includes(encodeURIComponent(ids.sumy as string)));
    const quiet = parseCapFeed((await feed('?region=UA-30')).text);
    assert.ok(quiet.ok);
    assert.equal(quiet.entries.length, 0);

    const unknown = await feed('?region=XX-99');
    assert.equal(unknown.status, 404);
    assert.equal(JSON.parse(unknown.text).error.code, 'REGION_NOT_FOUND');
    const long = await feed(`?region=${'A'.repeat(65)}`);
    assert.equal(long.status, 400);
    const extra = await feed('?region=UA-59&format=rss');
    assert.equal(extra.status, 400, 'unknown query parameters are errors');
  });

  test('ETag → 304 until an alert changes; then the feed changes', async () => {
    const first = await feed();
    const etag = first.headers.get('etag') as string;
    assert.equal((await feed('', { 'if-none-match': etag })).status, 304);
    const newer = await issue({ event: 'missile', regions: ['UA'] });
    const second = await feed('', { 'if-none-match': etag });
    assert.equal(second.status, 200);
    const parsed = parseCapFeed(second.text);
    assert.ok(parsed.ok);
    assert.ok(parsed.entries.some((e) => e.capUrl?.includes(encodeURIComponent(newer))));
    // A country-wide alert reaches every region's feed.
    const sumy = parseCapFeed((await feed('?region=UA-59')).text);
    assert.ok(sumy.ok && sumy.entries.length === 2);
  });
});
