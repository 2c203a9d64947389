// The HTTP API of a real hub (temp-dir SQLite, then a fresh PostgreSQL database; port 0), through real HTTP requests.
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { verifyEvent } from '../src/alerts/event-signing.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

let hub: TestHub;

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: replies are checked field by field
  json: any;
}

async function request(
  method: string,
  path: string,
  options: { body?: string; type?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...hub.headers, ...options.headers };
  if (options.type) headers['content-type'] = options.type;
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  request('POST', path, { body: JSON.stringify(body), type: 'application/json', headers });

/** Asserts a request was refused with `status`/`code` and that nothing reached the store. */
async function assertRefusedAndNothingStored(reply: Reply, status: number, code: string): Promise<void> {
  const before = await hub.store.latestSeq();
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.json?.error?.code, code, reply.text);
  assert.ok(Array.isArray(reply.json.error.details));
  assert.doesNotMatch(reply.text, /at .*\.ts:\d+|node_modules|stack/i);
  assert.equal(await hub.store.latestSeq(), before);
}

function apiSuite(engine: 'sqlite' | 'postgres'): void {
  describe(`the HTTP API on ${engine}`, () => {
    before(async () => {
      hub = await startTestHub({ engine });
    });
    after(async () => {
      await hub.stop();
    });

    describe('issuing and reading alerts', () => {
      test('short form → 201 with Location; the alert, its CAP XML and the region state follow', async () => {
        const issued = await post('/v1/alerts', { event: 'air_raid', regions: ['UA-59'] });
        assert.equal(issued.status, 201, issued.text);
        assert.equal(issued.json.outcome, 'issued');
        const id: string = issued.json.alert.id;
        assert.equal(issued.headers.get('location'), `/v1/alerts/${encodeURIComponent(id)}`);
        assert.deepEqual(
          issued.json.alert.regions.map((r: { code: string }) => r.code),
          ['UA-59'],
        );

        const one = await request('GET', `/v1/alerts/${encodeURIComponent(id)}`);
        assert.equal(one.status, 200);
        assert.equal(one.json.cap.identifier, id);
        assert.equal(one.json.event, 'air_raid');

        const xml = await request('GET', `/v1/alerts/${encodeURIComponent(id)}.xml`);
        assert.equal(xml.status, 200);
        assert.match(xml.headers.get('content-type') ?? '', /^application\/cap\+xml/);
        assert.match(xml.text, new RegExp(`<identifier>${id}</identifier>`));
        assert.match(xml.text, /urn:oasis:names:tc:emergency:cap:1\.2/);

        const state = await request('GET', '/v1/state/UA-59');
        assert.equal(state.status, 200);
        const entry = state.json.alerts.find((a: { incident: string }) => a.incident === id);
        assert.equal(entry.event, 'air_raid');
        assert.equal(entry.since, issued.json.alert.sent);
      });

      test('CAP XML and CAP JSON bodies are told apart from the short form and issued', async () => {
        const first = await post('/v1/alerts', { event: 'drone', regions: ['UA-63'], status: 'Exercise' });
        assert.equal(first.status, 201, first.text);
        const xmlText = (await request('GET', `/v1/alerts/${encodeURIComponent(first.json.alert.id)}.xml`))
          .text;
        const cap = first.json.alert.cap;

        const asXml = xmlText
          .replace(/<identifier>[^<]+</, '<identifier>xml-copy-1<')
          .replace(/<sent>[^<]+</, `<sent>${cap.sent}<`);
        const viaXml = await request('POST', '/v1/alerts', { body: asXml, type: 'application/cap+xml' });
        assert.equal(viaXml.status, 201, viaXml.text);
        assert.equal(viaXml.json.alert.id, 'xml-copy-1');

        const viaJson = await post('/v1/alerts', { ...cap, identifier: 'json-copy-1' });
        assert.equal(viaJson.status, 201, viaJson.text);
        assert.equal(viaJson.json.alert.id, 'json-copy-1');
        assert.equal(viaJson.json.alert.status, 'Exercise');
      });

      test('the same Idempotency-Key returns the first result and issues once; another body with it is refused', async () => {
        const body = { event: 'missile', regions: ['UA-21'] };
        const key = { 'idempotency-key': 'retry-me-1' };
        const a = await post('/v1/alerts', body, key);
        const seqAfterFirst = await hub.store.latestSeq();
        const b = await post('/v1/alerts', body, key);
        assert.equal(a.status, 201);
        assert.equal(b.status, 201);
        assert.equal(b.json.alert.id, a.json.alert.id);
        assert.equal(b.json.replayed, true);
        assert.equal(b.headers.get('idempotent-replayed'), 'true');
        assert.equal(await hub.store.latestSeq(), seqAfterFirst);
        const list = await request('GET', '/v1/alerts?event=missile');
        assert.equal(list.json.items.length, 1);
        const other = await post('/v1/alerts', { event: 'missile', regions: ['UA-23'] }, key);
        await assertRefusedAndNothingStored(other, 422, 'IDEMPOTENCY_CONFLICT');
      });

      test('history filters by region and active, and pages with a cursor', async () => {
        for (const region of ['UA-05', 'UA-07', 'UA-09']) {
          assert.equal((await post('/v1/alerts', { event: 'artillery', regions: [region] })).status, 201);
        }
        const page1 = await request('GET', '/v1/alerts?event=artillery&limit=2');
        assert.equal(page1.status, 200);
        assert.equal(page1.json.items.length, 2);
        assert.ok(page1.json.nextCursor);
        const page2 = await request(
          'GET',
          `/v1/alerts?event=artillery&limit=2&cursor=${encodeURIComponent(page1.json.nextCursor)}`,
        );
        assert.equal(page2.json.items.length, 1);
        const ids = new Set([...page1.json.items, ...page2.json.items].map((a: { id: string }) => a.id));
        assert.equal(ids.size, 3);
        const inVolyn = await request('GET', '/v1/alerts?event=artillery&region=UA-07&active=true');
        assert.deepEqual(
          inVolyn.json.items.map((a: { regions: { code: string }[] }) => a.regions[0]?.code),
          ['UA-07'],
        );
      });
    });

    describe('state is served from memory with validators', () => {
      test('ETag and Last-Modified give 304s until an event changes the state', async () => {
        const first = await request('GET', '/v1/state');
        const etag = first.headers.get('etag') as string;
        const lastModified = first.headers.get('last-modified') as string;
        assert.match(etag, /^".+"$/);
        assert.ok(lastModified);
        const cached = await request('GET', '/v1/state', { headers: { 'if-none-match': etag } });
        assert.equal(cached.status, 304);
        assert.equal(cached.text, '');
        const listed = await request('GET', '/v1/state', {
          headers: { 'if-none-match': `"nope", W/${etag}` },
        });
        assert.equal(listed.status, 304);
        const later = new Date(Date.parse(lastModified) + 1000).toUTCString();
        const byDate = await request('GET', '/v1/state', { headers: { 'if-modified-since': later } });
        assert.equal(byDate.status, 304);
        // The same second cannot prove the copy current: the state may have changed later within it.
        const sameSecond = await request('GET', '/v1/state', {
          headers: { 'if-modified-since': lastModified },
        });
        assert.equal(sameSecond.status, 200);

        assert.equal((await post('/v1/alerts', { event: 'chemical', regions: ['UA-12'] })).status, 201);
        const changed = await request('GET', '/v1/state', { headers: { 'if-none-match': etag } });
        assert.equal(changed.status, 200);
        assert.notEqual(changed.headers.get('etag'), etag);
        assert.ok(changed.json.regions['UA-12']);
        const one = await request('GET', '/v1/state/UA-12');
        const again = await request('GET', '/v1/state/UA-12', {
          headers: { 'if-none-match': one.headers.get('etag') as string },
        });
        assert.equal(again.status, 304);
      });

      test('an unknown region is a 404 in the error shape', async () => {
        const reply = await request('GET', '/v1/state/XX-99');
        assert.equal(reply.status, 404);
        assert.equal(reply.json.error.code, 'REGION_NOT_FOUND');
      });
    });

    describe('bad input gets a 4xx with a stable code and nothing is stored', () => {
      test('a body over the limit → 413', async () => {
        const big = JSON.stringify({ event: 'air_raid', regions: ['UA-59'], note: 'x'.repeat(1_100_000) });
        await assertRefusedAndNothingStored(
          await request('POST', '/v1/alerts', { body: big, type: 'application/json' }),
          413,
          'BODY_TOO_LARGE',
        );
      });

      test('a wrong content type → 415', async () => {
        for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream']) {
          await assertRefusedAndNothingStored(
            await request('POST', '/v1/alerts', { body: 'event=air_raid', type }),
            415,
            'UNSUPPORTED_MEDIA_TYPE',
          );
        }
      });

      test('malformed JSON and hostile JSON → 400', async () => {
        await assertRefusedAndNothingStored(
          await request('POST', '/v1/alerts', { body: '{"event": ', type: 'application/json' }),
          400,
          'REQUEST_MALFORMED',
        );
        const proto = '{"event":"air_raid","regions":["UA-59"],"__proto__":{"admin":true}}';
        const reply = await request('POST', '/v1/alerts', { body: proto, type: 'application/json' });
        assert.equal(reply.status, 400, reply.text);
        await assertRefusedAndNothingStored(
          await request('POST', '/v1/alerts', { body: '[1,2]', type: 'application/json' }),
          400,
          'REQUEST_INVALID',
        );
        // Nesting that would overflow a recursive walk is refused at the boundary, not a 500.
        const deep = `{"event":"air_raid","regions":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
        const deepReply = await request('POST', '/v1/alerts', { body: deep, type: 'application/json' });
        await assertRefusedAndNothingStored(deepReply, 400, 'REQUEST_MALFORMED');
        assert.match(deepReply.json.error.message, /nested deeper/);
      });

      test('hostile URLs get the error shape: bad percent-encoding → 400, an overlong id → 414', async () => {
        await assertRefusedAndNothingStored(await request('GET', '/v1/alerts/%E0%A4%A'), 400, 'URL_INVALID');
        await assertRefusedAndNothingStored(
          await request('GET', `/v1/alerts/${'x'.repeat(300)}`),
          414,
          'URL_INVALID',
        );
        await assertRefusedAndNothingStored(
          await request('POST', `/v1/alerts/${'x'.repeat(300)}/cancel`),
          414,
          'URL_INVALID',
        );
      });

      test('malformed XML → CAP_INVALID with the parser finding, its line and column', async () => {
        const reply = await request('POST', '/v1/alerts', {
          body: '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>',
          type: 'application/xml',
        });
        await assertRefusedAndNothingStored(reply, 422, 'CAP_INVALID');
        const finding = reply.json.error.details[0];
        assert.match(finding.code, /^CAP_/);
        assert.equal(typeof finding.line, 'number');
        const doctype = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><alert/>';
        await assertRefusedAndNothingStored(
          await request('POST', '/v1/alerts', { body: doctype, type: 'application/cap+xml' }),
          422,
          'CAP_INVALID',
        );
      });

      test('a CAP message failing validation → CAP_INVALID listing the validator finding codes', async () => {
        const reply = await post('/v1/alerts', {
          identifier: 'bad-1',
          sender: 'a b',
          sent: 'yesterday',
          status: 'Actual',
          msgType: 'Alert',
          scope: 'Public',
          info: [],
        });
        await assertRefusedAndNothingStored(reply, 422, 'CAP_INVALID');
        assert.ok(reply.json.error.details.length >= 2, reply.text);
        for (const d of reply.json.error.details) assert.match(d.code, /^CAP_/);
      });

      test('unknown regions and unknown event types are refused with the reason', async () => {
        const regions = await post('/v1/alerts', { event: 'air_raid', regions: ['UA-99', 'XX'] });
        await assertRefusedAndNothingStored(regions, 422, 'ALERT_UNKNOWN_REGION');
        assert.match(regions.text, /UA-99/);
        await assertRefusedAndNothingStored(
          await post('/v1/alerts', { event: 'zombies', regions: ['UA-59'] }),
          422,
          'ALERT_UNKNOWN_EVENT',
        );
        await assertRefusedAndNothingStored(
          await post('/v1/alerts', { event: 'air_raid', regions: ['UA-59'], colour: 'red' }),
          400,
          'ALERT_INPUT_INVALID',
        );
      });

      test('all-clear of an unknown alert → 404; update of a cancelled incident → 409', async () => {
        await assertRefusedAndNothingStored(
          await request('POST', '/v1/alerts/no-such-alert/all-clear'),
          404,
          'ALERT_NOT_FOUND',
        );
        const issued = await post('/v1/alerts', { event: 'radiation', regions: ['UA-48'] });
        const id = encodeURIComponent(issued.json.alert.id);
        const cancelled = await request('POST', `/v1/alerts/${id}/cancel`);
        assert.equal(cancelled.status, 201, cancelled.text);
        assert.equal(cancelled.json.event.type, 'alert.ended');
        await assertRefusedAndNothingStored(
          await post(`/v1/alerts/${id}/update`, { headline: { en: 'still on' } }),
          409,
          'ALERT_ALREADY_ENDED',
        );
        await assertRefusedAndNothingStored(
          await request('POST', `/v1/alerts/${id}/all-clear`),
          409,
          'ALERT_ALREADY_ENDED',
        );
      });

      test('a malformed query and an unknown endpoint get the error shape', async () => {
        await assertRefusedAndNothingStored(
          await request('GET', '/v1/alerts?limit=100000'),
          400,
          'REQUEST_INVALID',
        );
        await assertRefusedAndNothingStored(
          await request('GET', '/v1/alerts?from=yesterday'),
          400,
          'REQUEST_INVALID',
        );
        await assertRefusedAndNothingStored(await request('GET', '/v1/nothing-here'), 404, 'NOT_FOUND');
        const unknown = await request('GET', '/v1/alerts?colour=red');
        await assertRefusedAndNothingStored(unknown, 400, 'REQUEST_INVALID');
        assert.match(unknown.text, /querystring\/colour/);
      });
    });

    describe('the lifecycle over HTTP', () => {
      test('update then all-clear: region state follows, stats count the incident', async () => {
        const issued = await post('/v1/alerts', { event: 'urban_combat', regions: ['UA-14'] });
        const id = encodeURIComponent(issued.json.alert.id);
        const updated = await post(`/v1/alerts/${id}/update`, { regions: ['UA-14', 'UA-65'] });
        assert.equal(updated.status, 201, updated.text);
        assert.equal(updated.json.event.type, 'alert.updated');
        const state = await request('GET', '/v1/state/UA-65');
        assert.equal(state.json.alerts[0]?.incident, issued.json.alert.id);
        const ended = await request(
          'POST',
          `/v1/alerts/${encodeURIComponent(updated.json.alert.id)}/all-clear`,
        );
        assert.equal(ended.status, 201, ended.text);
        assert.equal((await request('GET', '/v1/state/UA-65')).json.alerts.length, 0);
        const stats = await request('GET', '/v1/stats?region=UA-14');
        const row = stats.json.rows.find((r: { event: string }) => r.event === 'urban_combat');
        assert.equal(row?.count, 1, stats.text);
      });
    });

    describe('documents and operations', () => {
      test('the OpenAPI document is valid JSON listing every route, and /docs renders it without external assets', async () => {
        const doc = await request('GET', '/openapi.json');
        assert.equal(doc.status, 200);
        const paths = Object.keys(doc.json.paths);
        for (const path of [
          '/v1/alerts',
          '/v1/alerts/{id}',
          '/v1/alerts/{id}.xml',
          '/v1/alerts/{id}/approve',
          '/v1/alerts/{id}/reject',
          '/v1/alerts/{id}/update',
          '/v1/alerts/{id}/all-clear',
          '/v1/alerts/{id}/cancel',
          '/v1/state',
          '/v1/state/{code}',
          '/v1/stats',
          '/.well-known/tocsin/keys.json',
          '/healthz',
          '/readyz',
          '/metrics',
          '/v1/regions',
          '/v1/regions/{code}',
        ]) {
          assert.ok(paths.includes(path), `${path} missing from ${paths.join(' ')}`);
        }
        assert.ok(doc.json.paths['/v1/alerts'].post.requestBody.content['application/cap+xml']);
        const html = await request('GET', '/docs');
        assert.match(html.headers.get('content-type') ?? '', /text\/html/);
        assert.match(html.text, /\/v1\/state\/\{code\}/);
        assert.doesNotMatch(html.text, /<script|https?:\/\/(?!localhost)[^"]*\.(js|css)/);
      });

      test('events in the log verify against the published JWKS', async () => {
        const jwks = await request('GET', '/.well-known/tocsin/keys.json');
        assert.equal(jwks.status, 200);
        const keys = new Map<string, ReturnType<typeof createPublicKey>>(
          jwks.json.keys.map((k: { kid: string }) => [
            k.kid,
            createPublicKey({ key: k as never, format: 'jwk' }),
          ]),
        );
        const events = await hub.store.readEvents(0, 1000);
        assert.ok(events.length > 0);
        for (const e of events) assert.equal(verifyEvent(JSON.parse(e.json), keys), true, `event ${e.seq}`);
        const tampered = JSON.parse(events[0]?.json as string);
        tampered.time = '2000-01-01T00:00:00Z';
        assert.equal(verifyEvent(tampered, keys), false);
      });

      test('healthz, readyz and metrics answer; metrics count issued alerts and request latency', async () => {
        assert.equal((await request('GET', '/healthz')).json.status, 'ok');
        const ready = await request('GET', '/readyz');
        assert.equal(ready.status, 200);
        assert.equal(ready.json.engine, engine);
        assert.ok(ready.json.migrations.length > 0);
        const metrics = await request('GET', '/metrics');
        assert.match(metrics.headers.get('content-type') ?? '', /text\/plain/);
        const issued = /^tocsin_alerts_issued_total (\d+)/m.exec(metrics.text);
        assert.ok(issued && Number(issued[1]) >= 1, metrics.text.slice(0, 500));
        assert.match(metrics.text, /tocsin_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/state"/);
        assert.match(metrics.text, /^tocsin_active_incidents \d+/m);
      });
    });
  });
}

apiSuite('sqlite');
apiSuite('postgres');

describe('server errors', () => {
  test('a failing store gives 500 INTERNAL with a request reference and no internals; readyz turns 503', async () => {
    const broken = await startTestHub();
    try {
      assert.equal((await fetch(`${broken.url}/v1/regions/UA-59`)).status, 200);
      await broken.store.close();
      const reply = await fetch(`${broken.url}/v1/alerts`);
      const text = await reply.text();
      assert.equal(reply.status, 500);
      const body = JSON.parse(text);
      assert.equal(body.error.code, 'INTERNAL');
      assert.match(body.error.message, /request /);
      assert.doesNotMatch(text, /database|sqlite|\.ts|at |Error:/i);
      const ready = await fetch(`${broken.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.equal(((await ready.json()) as { error: { code: string } }).error.code, 'UNAVAILABLE');
    } finally {
      await broken.stop();
    }
  });
});

describe('the two-person rule, when configured', () => {
  test('an Actual Extreme alert is held (202) and its author cannot approve it; region state stays quiet', async () => {
    const held = await startTestHub({
      configure: (config) => {
        config.alerts.twoPersonRule = true;
      },
    });
    try {
      const reply = await fetch(`${held.url}/v1/alerts`, {
        method: 'POST',
        headers: { ...held.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ event: 'air_raid', regions: ['UA-59'] }),
      });
      const body = (await reply.json()) as { outcome: string; alert: { id: string; state: string } };
      assert.equal(reply.status, 202);
      assert.equal(body.outcome, 'pending');
      assert.equal(body.alert.state, 'pending');
      const state = (await (await fetch(`${held.url}/v1/state/UA-59`)).json()) as { alerts: unknown[] };
      assert.equal(state.alerts.length, 0);
      const approve = await fetch(`${held.url}/v1/alerts/${encodeURIComponent(body.alert.id)}/approve`, {
        method: 'POST',
        headers: held.headers,
      });
      assert.equal(approve.status, 403);
      assert.equal(((await approve.json()) as { error: { code: string } }).error.code, 'ALERT_SELF_APPROVAL');
      // reject takes an optional body: without one it reaches the rule; an unknown field is named.
      const reject = await fetch(`${held.url}/v1/alerts/${encodeURIComponent(body.alert.id)}/reject`, {
        method: 'POST',
        headers: held.headers,
      });
      assert.equal(reject.status, 403);
      const odd = await fetch(`${held.url}/v1/alerts/${encodeURIComponent(body.alert.id)}/reject`, {
        method: 'POST',
        headers: { ...held.headers, 'content-type': 'application/json' },
        body: '{"why":"x"}',
      });
      assert.equal(odd.status, 400);
      assert.match(await odd.text(), /body\/why/);
    } finally {
      await held.stop();
    }
  });
});
