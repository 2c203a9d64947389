// CAP ingest against a local feed server on 127.0.0.1 and a real hub: conditional GET (a second
// poll gets 304 and issues nothing), de-duplication by (sender, identifier, sent), jurisdiction
// refusal recorded, provenance on the alert, malformed / oversized / hostile feeds refused whole.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createIngester } from '../src/ingest/ingest.ts';
import { createIngestPoller, fetchText, type IngestPoller } from '../src/ingest/poller.ts';
import type { IngestSource } from '../src/ingest/sources.ts';
import { loadRegionTree } from '../src/store/default-regions.ts';
import { type FeedServer, startFeedServer } from './helpers/feed-server.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import {
  atomFeed,
  geocodeArea,
  sentOf,
  squareArea,
  UPSTREAM_SENDER,
  upstreamCap,
} from './helpers/upstream-cap.ts';

const NOW = Date.now();
const LIMITS = { timeoutMs: 5000, maxBytes: 64 * 1024 };

let hub: TestHub;
let server: FeedServer;
let poller: IngestPoller;

const sumy = {
  identifier: 'dsns-sumy-1',
  minutesAgo: 10,
  tocsinEvent: 'air_raid',
  area: geocodeArea('UA-59'),
};
// A foreign authority's message: a polygon in Kharkiv oblast, no Tocsin event code.
const kharkiv = { identifier: 'dsns-kharkiv-1', minutesAgo: 9, area: squareArea(49.99, 36.23) };
const lviv = {
  identifier: 'dsns-lviv-1',
  minutesAgo: 8,
  tocsinEvent: 'air_raid',
  area: geocodeArea('UA-46'),
};
const sumyAllClear = {
  identifier: 'dsns-sumy-1-clear',
  minutesAgo: 2,
  msgType: 'Update' as const,
  allClear: true,
  tocsinEvent: 'air_raid',
  references: `${UPSTREAM_SENDER},${sumy.identifier},${sentOf(sumy, NOW)}`,
  area: geocodeArea('UA-59'),
};

const sources: IngestSource[] = [
  { name: 'upstream', url: '', jurisdiction: ['UA-59', 'UA-63'], event: 'artillery' },
  { name: 'no-etag', url: '', jurisdiction: ['UA-59', 'UA-63'] },
  { name: 'broken', url: '', jurisdiction: ['UA'] },
  { name: 'huge', url: '', jurisdiction: ['UA'] },
  { name: 'doctype', url: '', jurisdiction: ['UA'] },
  { name: 'foreign', url: '', jurisdiction: ['UA'] },
  { name: 'offsite', url: '', jurisdiction: ['UA'] },
];

const alertCount = async () => (await hub.alerts.list({ limit: 500 })).items.length;

describe('CAP ingest from a local feed server', () => {
  before(async () => {
    hub = await startTestHub();
    server = await startFeedServer();
    for (const s of sources) s.url = `${server.url}/${s.name}`;
    server.serve('/upstream', {
      body: atomFeed(
        [upstreamCap(sumy, NOW, 'cap'), upstreamCap(kharkiv, NOW, 'cap'), upstreamCap(lviv, NOW, 'cap')],
        ['/cap/clear.xml'],
        NOW,
      ),
    });
    server.serve('/cap/clear.xml', { body: upstreamCap(sumyAllClear, NOW), type: 'application/cap+xml' });
    const tree = await loadRegionTree(hub.store);
    const ingester = createIngester({
      alerts: hub.alerts,
      store: hub.store.ingest,
      tree,
      fetchLinked: async (url) => (await fetchText(url, LIMITS)).text ?? '',
    });
    poller = createIngestPoller({
      sources,
      ingester,
      store: hub.store.ingest,
      intervalMs: 60_000,
      limits: LIMITS,
    });
  });
  after(async () => {
    await poller.stop();
    await server.close();
    await hub.stop();
  });

  test('first poll: issues what the source may issue, in order; refuses and records the rest', async () => {
    const result = await poller.pollOnce('upstream');
    assert.equal(result.status, 200);
    assert.deepEqual(result.problems, []);
    const outcomes = Object.fromEntries((result.report?.messages ?? []).map((m) => [m.identifier, m]));
    assert.equal(outcomes[sumy.identifier]?.outcome, 'issued');
    assert.equal(outcomes[kharkiv.identifier]?.outcome, 'issued');
    assert.equal(
      outcomes[sumyAllClear.identifier]?.outcome,
      'issued',
      'the linked all-clear continues the Sumy incident',
    );
    assert.equal(outcomes[lviv.identifier]?.outcome, 'refused');
    assert.equal(outcomes[lviv.identifier]?.code, 'AUTH_JURISDICTION');

    // Provenance: the source's actor is the author, and the store says which source it came from.
    const kharkivAlert = await hub.alerts.get(kharkiv.identifier);
    assert.equal(kharkivAlert.author, 'ingest:upstream');
    assert.equal(kharkivAlert.event, 'artillery', "the source's default event type");
    assert.deepEqual(
      kharkivAlert.regions.map((r) => r.code),
      ['UA-63'],
      'the polygon mapped to its region',
    );
    assert.equal(kharkivAlert.cap.sender, UPSTREAM_SENDER, 'identifier, sender and sent are kept');
    assert.equal((await hub.store.ingest.sourceOfAlert(kharkiv.identifier))?.source, 'upstream');
    const sumyAlert = await hub.alerts.get(sumy.identifier);
    assert.equal(sumyAlert.active, false);
    assert.equal(sumyAlert.endReason, 'all_clear');
    // The refusal is on record, and nothing was issued for Lviv.
    const records = await hub.store.ingest.list('upstream', 10);
    const refused = records.find((r) => r.identifier === lviv.identifier);
    assert.equal(refused?.outcome, 'refused');
    assert.match(refused?.message ?? '', /UA-46/);
    await assert.rejects(hub.alerts.get(lviv.identifier), { code: 'ALERT_NOT_FOUND' });
    assert.deepEqual(JSON.parse(hub.alerts.stateOf('UA-46').body).alerts, []);
    // The alert view over HTTP names the author.
    const view = await (
      await fetch(`${hub.url}/v1/alerts/${kharkiv.identifier}`, { headers: hub.headers })
    ).json();
    assert.equal((view as { author: string }).author, 'ingest:upstream');
  });

  test('second poll: conditional GET answered 304, nothing issued; a changed feed issues only what is new', async () => {
    const before = await alertCount();
    const requestsBefore = server.requests.length;
    const second = await poller.pollOnce('upstream');
    assert.equal(second.status, 304);
    assert.equal(second.report, undefined);
    assert.equal(await alertCount(), before);
    const sentHeaders = server.requests[requestsBefore]?.headers;
    assert.equal(sentHeaders?.['if-none-match'], '"v1"', 'the ETag of the first 200 is sent back');
    assert.ok(sentHeaders?.['if-modified-since'], 'If-Modified-Since sent');

    const kharkiv2 = {
      identifier: 'dsns-kharkiv-2',
      minutesAgo: 1,
      tocsinEvent: 'drone',
      area: geocodeArea('UA-63'),
    };
    server.serve('/upstream', {
      body: atomFeed(
        [
          upstreamCap(sumy, NOW, 'cap'),
          upstreamCap(kharkiv, NOW, 'cap'),
          upstreamCap(lviv, NOW, 'cap'),
          upstreamCap(kharkiv2, NOW, 'cap'),
        ],
        ['/cap/clear.xml'],
        NOW,
      ),
    });
    const third = await poller.pollOnce('upstream');
    assert.equal(third.status, 200);
    const byOutcome = (third.report?.messages ?? []).reduce<Record<string, string[]>>((acc, m) => {
      const list = acc[m.outcome] ?? [];
      list.push(m.identifier);
      acc[m.outcome] = list;
      return acc;
    }, {});
    assert.deepEqual(byOutcome.issued, ['dsns-kharkiv-2']);
    assert.equal(byOutcome.seen?.length, 4, 'the rest was judged before (the refusal too)');
    assert.equal(await alertCount(), before + 1);
  });

  test('a server ignoring conditionals: every message is de-duplicated by sender, identifier and sent', async () => {
    server.serve('/no-etag', { body: atomFeed([upstreamCap(kharkiv, NOW)], [], NOW), conditional: false });
    const first = await poller.pollOnce('no-etag');
    // Another source bringing a message already issued: the same identifier is refused as a duplicate.
    assert.equal(first.report?.messages[0]?.outcome, 'duplicate');
    const before = await alertCount();
    const again = await poller.pollOnce('no-etag');
    assert.equal(again.status, 200);
    assert.equal(again.report?.messages[0]?.outcome, 'seen');
    assert.equal(await alertCount(), before);
  });

  test('malformed, oversized and hostile feeds: a clear error, nothing issued, the error kept on the source', async () => {
    const before = await alertCount();
    server.serve('/broken', {
      body: `<feed xmlns="http://www.w3.org/2005/Atom"><entry><content type="application/cap+xml">${upstreamCap(sumy, NOW)}</entry></feed>`,
    });
    const broken = await poller.pollOnce('broken');
    assert.equal(broken.status, 200);
    assert.equal(broken.problems[0]?.code, 'INGEST_FEED_INVALID');
    assert.match(broken.problems[0]?.where ?? '', /^line \d+, column \d+$/);
    assert.deepEqual(broken.report?.messages, []);
    assert.equal((await hub.store.ingest.getSource('broken'))?.lastError, 'INGEST_FEED_INVALID');

    server.serve('/huge', {
      body: atomFeed([], [], NOW).replace('<title>', `<title>${'x'.repeat(70 * 1024)}`),
    });
    const huge = await poller.pollOnce('huge');
    assert.equal(huge.problems[0]?.code, 'INGEST_TOO_LARGE');

    const bomb = `<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><feed xmlns="http://www.w3.org/2005/Atom"><title>&b;</title></feed>`;
    server.serve('/doctype', { body: bomb });
    const doctype = await poller.pollOnce('doctype');
    assert.equal(doctype.problems[0]?.code, 'INGEST_FEED_INVALID');
    assert.match(doctype.problems[0]?.message ?? '', /FEED_DOCTYPE_FORBIDDEN/);
    assert.equal(await alertCount(), before);
  });

  test("links outside the feed's origin are not followed (no fetching internal addresses for an upstream)", async () => {
    const requests = server.requests.length;
    const offsite = server.url.replace('127.0.0.1', '127.0.0.2');
    server.serve('/offsite', {
      body: atomFeed([], [`${offsite}/cap/clear.xml`, 'http://169.254.169.254/latest/meta-data/'], NOW),
    });
    const result = await poller.pollOnce('offsite');
    assert.deepEqual(
      result.problems.map((p) => p.code),
      ['INGEST_LINK_UNSUPPORTED', 'INGEST_LINK_UNSUPPORTED'],
    );
    assert.deepEqual(result.report?.messages, []);
    assert.equal(server.requests.length, requests + 1, 'only the feed itself was fetched');
  });

  test('a real foreign CAP message (Australian BoM): judged, recorded with the reason, nothing issued', async () => {
    const before = await alertCount();
    const real = readFileSync(
      new URL('./fixtures/cap/real/australia-bom-thunderstorm-2019.xml', import.meta.url),
      'utf8',
    );
    server.serve('/foreign', { body: real, type: 'application/cap+xml' });
    const result = await poller.pollOnce('foreign');
    assert.equal(result.report?.kind, 'alert');
    const [message] = result.report?.messages ?? [];
    assert.ok(message && message.outcome === 'invalid', JSON.stringify(message));
    assert.ok(message.code);
    assert.equal(await alertCount(), before);
    assert.equal((await hub.store.ingest.list('foreign', 5))[0]?.identifier, message.identifier);
  });
});

describe('CAP ingest wired into the hub', () => {
  test('sources from ingest.sourcesFile are polled at start; a bad file refuses to start', async () => {
    const feeds = await startFeedServer();
    const message = {
      identifier: 'wired-1',
      minutesAgo: 3,
      tocsinEvent: 'air_raid',
      area: geocodeArea('UA-74'),
    };
    feeds.serve('/feed', { body: atomFeed([upstreamCap(message, Date.now(), 'cap')], [], Date.now()) });
    let wired: TestHub | undefined;
    try {
      wired = await startTestHub({
        configure: (config) => {
          const file = join(config.dataDir, 'sources.json');
          writeFileSync(
            file,
            JSON.stringify({
              sources: [{ name: 'chernihiv', url: `${feeds.url}/feed`, jurisdiction: ['UA-74'] }],
            }),
          );
          config.ingest.sourcesFile = file;
        },
      });
      assert.ok(wired.ingest);
      // The start-up poll may have run already: either way, one more poll leaves exactly one alert.
      await wired.ingest.pollOnce('chernihiv');
      const alert = await wired.alerts.get('wired-1');
      assert.equal(alert.author, 'ingest:chernihiv');
      assert.equal((await wired.ingest.pollOnce('chernihiv')).status, 304);

      // What ingest did, for operators: sources, messages, the provenance of an alert.
      // biome-ignore lint/suspicious/noExplicitAny: replies are checked field by field
      type Reply = { status: number; json: any };
      const get = (path: string, headers: Record<string, string> = {}): Promise<Reply> =>
        fetch(`${wired?.url}${path}`, { headers }).then(async (r) => ({
          status: r.status,
          json: await r.json(),
        }));
      assert.equal((await get('/v1/ingest/sources')).status, 401, 'not for anonymous readers');
      const listed = await get('/v1/ingest/sources', wired.headers);
      assert.equal(listed.status, 200);
      assert.equal(listed.json.sources[0].name, 'chernihiv');
      assert.equal(listed.json.sources[0].lastStatus, 304);
      assert.equal(listed.json.sources[0].lastError, null);
      const messages = await get('/v1/ingest/sources/chernihiv/messages', wired.headers);
      assert.equal(messages.json.messages[0].identifier, 'wired-1');
      assert.equal(messages.json.messages[0].outcome, 'issued');
      const provenance = await get('/v1/ingest/alerts/wired-1', wired.headers);
      assert.equal(provenance.json.source, 'chernihiv');
      assert.equal((await get('/v1/ingest/alerts/nope', wired.headers)).status, 404);
      assert.equal((await get('/v1/ingest/sources/nope/messages', wired.headers)).status, 400);
    } finally {
      await wired?.stop();
      await feeds.close();
    }

    await assert.rejects(
      startTestHub({
        configure: (config) => {
          const file = join(config.dataDir, 'sources.json');
          writeFileSync(
            file,
            JSON.stringify({ sources: [{ name: 'Bad Name', url: 'ftp://x', jurisdiction: ['XX-1'] }] }),
          );
          config.ingest.sourcesFile = file;
        },
      }),
      /INGEST_SOURCES_INVALID/,
    );
  });
});
