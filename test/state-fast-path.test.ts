// GET /v1/state before Fastify (src/http/state-fast-path.ts): which requests it answers, its
// 304s, and — on a real hub — that its answer is the Fastify route's, header for header.
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { PreparedJson } from '../src/alerts/types.ts';
import { stateFastPath } from '../src/http/state-fast-path.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let server: Server;
let base: string;
let prepared: PreparedJson = {
  body: '{"regions":{"UA-59":[{"event":"air_raid"}]}}',
  etag: '"s1"',
  lastModified: 'Thu, 26 Nov 2026 10:42:00 GMT',
  seq: 1,
};
const observed: string[] = [];
const sumy: PreparedJson = {
  body: '{"region":"UA-59","active":true}',
  etag: '"r1"',
  lastModified: 'Thu, 26 Nov 2026 10:42:00 GMT',
  seq: 1,
};

before(async () => {
  const fast = stateFastPath({
    state: () => prepared,
    stateOf: (code) => {
      if (code !== 'UA-59') throw new Error(`no region ${code}`);
      return sumy;
    },
    extraHeaders: { 'x-tocsin-worker': '3' },
    observe: (status, _seconds, route) => observed.push(`${route} ${status}`),
  });
  server = createServer((req, res) => {
    if (fast(req, res)) return;
    res.writeHead(418, { 'content-type': 'text/plain' }).end('to Fastify');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('answers the plain GET /v1/state with the prepared bytes and headers, and counts it', async () => {
  const before = observed.length;
  const answer = await get(`${base}/v1/state`);
  assert.equal(answer.status, 200);
  assert.equal(answer.body, prepared.body);
  assert.equal(answer.headers.etag, '"s1"');
  assert.equal(answer.headers['last-modified'], prepared.lastModified);
  assert.equal(answer.headers['cache-control'], 'no-cache');
  assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
  assert.equal(answer.headers['content-length'], String(Buffer.byteLength(prepared.body)));
  assert.equal(answer.headers['access-control-allow-origin'], '*');
  assert.equal(answer.headers['x-content-type-options'], 'nosniff');
  assert.equal(answer.headers['x-tocsin-worker'], '3');
  assert.deepEqual(observed.slice(before), ['/v1/state 200']);
  // A new state is served at once (its headers rebuilt).
  prepared = { ...prepared, body: '{"regions":{}}', etag: '"s2"', seq: 2 };
  const next = await get(`${base}/v1/state`);
  assert.equal(next.body, '{"regions":{}}');
  assert.equal(next.headers.etag, '"s2"');
  assert.equal(next.headers['content-length'], String('{"regions":{}}'.length));
});

test('304 for a current ETag (weak or in a list) or a strictly later If-Modified-Since; 200 otherwise', async () => {
  const current = prepared.etag;
  for (const inm of [current, `W/${current}`, `"old", ${current}`, '*']) {
    const answer = await get(`${base}/v1/state`, { 'if-none-match': inm });
    assert.equal(answer.status, 304, inm);
    assert.equal(answer.body, '');
    assert.equal(answer.headers.etag, current);
    assert.equal(answer.headers['access-control-allow-origin'], '*');
  }
  assert.equal((await get(`${base}/v1/state`, { 'if-none-match': '"old"' })).status, 200);
  const later = new Date(Date.parse(prepared.lastModified) + 1000).toUTCString();
  assert.equal((await get(`${base}/v1/state`, { 'if-modified-since': later })).status, 304);
  assert.equal(
    (await get(`${base}/v1/state`, { 'if-modified-since': prepared.lastModified })).status,
    200,
    'an equal date is a weak validator',
  );
  assert.equal((await get(`${base}/v1/state`, { 'if-modified-since': 'not a date' })).status, 200);
});

test('one known region is answered too, with its own document, ETag and 304', async () => {
  const before = observed.length;
  const answer = await get(`${base}/v1/state/UA-59`);
  assert.equal(answer.status, 200);
  assert.equal(answer.body, sumy.body);
  assert.equal(answer.headers.etag, '"r1"');
  assert.equal(answer.headers['access-control-allow-origin'], '*');
  assert.equal((await get(`${base}/v1/state/UA-59`, { 'if-none-match': '"r1"' })).status, 304);
  assert.deepEqual(observed.slice(before), ['/v1/state/:code 200', '/v1/state/:code 304']);
});

test('everything but the plain case goes to Fastify untouched', async () => {
  const cases: [string, Record<string, string>, string][] = [
    ['/v1/state?x=1', {}, 'GET'],
    ['/v1/state/', {}, 'GET'],
    ['/v1/state/UA-99', {}, 'GET'],
    ['/v1/state/UA%2D59', {}, 'GET'],
    ['/v1/state/UA-59?x=1', {}, 'GET'],
    ['/v1/state/UA-59/', {}, 'GET'],
    ['/v1/state/UA-59/x', {}, 'GET'],
    [`/v1/state/${'A'.repeat(65)}`, {}, 'GET'],
    ['/v1/state/UA-59', { authorization: 'Bearer x' }, 'GET'],
    ['/v1/state/UA-59', {}, 'HEAD'],
    ['/v1/STATE', {}, 'GET'],
    ['/v1/state', {}, 'HEAD'],
    ['/v1/state', {}, 'POST'],
    ['/v1/state', { authorization: 'Bearer x' }, 'GET'],
    ['/v1/state', { cookie: 'tocsin_session=x' }, 'GET'],
    ['/v1/state', { 'x-forwarded-proto': 'https' }, 'GET'],
    ['/v1/state', { 'x-forwarded-host': 'evil.example' }, 'GET'],
    ['/v1/state', { forwarded: 'proto=https' }, 'GET'],
  ];
  for (const [path, headers, method] of cases) {
    const answer = await get(`${base}${path}`, headers, method);
    assert.equal(answer.status, 418, `${method} ${path} ${JSON.stringify(headers)}`);
  }
});

test('on a real hub, the fast answer is the Fastify route’s, header for header, and 304s alike', async (t) => {
  let hub: TestHub | undefined;
  t.after(() => hub?.stop());
  hub = await startTestHub();
  const issued = await fetch(`${hub.url}/v1/alerts`, {
    method: 'POST',
    headers: { ...hub.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'air_raid', regions: ['UA-59'], status: 'Exercise' }),
  });
  assert.equal(issued.status, 201, await issued.text());
  const fast = await get(`${hub.url}/v1/state`);
  const routed = await get(`${hub.url}/v1/state?via=fastify`);
  assert.equal(fast.status, 200);
  assert.equal(fast.body, routed.body);
  assert.match(fast.body, /UA-59/);
  const comparable = (headers: IncomingHttpHeaders) => {
    const { date: _date, ...rest } = headers;
    return rest;
  };
  assert.deepEqual(comparable(fast.headers), comparable(routed.headers));
  const etag = fast.headers.etag as string;
  const fast304 = await get(`${hub.url}/v1/state`, { 'if-none-match': etag });
  assert.equal(fast304.status, 304);
  // The metrics count the fast answers under the route, as for every other request (this is the
  // first 304 of the hub).
  const metrics = await (await fetch(`${hub.url}/metrics`)).text();
  assert.match(metrics, /route="\/v1\/state",status="304"/);
  const routed304 = await get(`${hub.url}/v1/state?via=fastify`, { 'if-none-match': etag });
  assert.deepEqual(comparable(fast304.headers), comparable(routed304.headers));

  // One region: the same comparison, and an unknown region still gets the route's coded 404.
  const region = await get(`${hub.url}/v1/state/UA-59`);
  const counted = await (await fetch(`${hub.url}/metrics`)).text(); // before any routed region GET
  assert.match(counted, /route="\/v1\/state\/:code",status="200"/);
  const regionRouted = await get(`${hub.url}/v1/state/UA-59?via=fastify`);
  assert.equal(region.status, 200);
  assert.equal(region.body, regionRouted.body);
  assert.match(region.body, /"active":true/);
  assert.deepEqual(comparable(region.headers), comparable(regionRouted.headers));
  const unknown = await get(`${hub.url}/v1/state/UA-99`);
  assert.equal(unknown.status, 404);
  assert.match(unknown.body, /REGION_NOT_FOUND/);
});
