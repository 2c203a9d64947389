// Webhooks end to end (issue 8): a real hub, a real receiver on 127.0.0.1 that verifies both
// signatures and fails on purpose; retries, per-endpoint order, dead letter, redeliver, restart,
// SSRF refusals, hostile receivers and malformed input. Waits on receipts and recorded attempts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Config } from '../src/config/schema.ts';
import type { DeliveryResult } from '../src/store/webhook-store.ts';
import { makeTempDir, startTestHub, type TestHub } from './helpers/hub.ts';
import { type Receiver, startReceiver } from './helpers/webhook-receiver.ts';

const SECRET = 'test-secret-0123456789';

/** Short backoff: attempts follow each other within milliseconds. */
const fastRetries = (config: Config) => {
  config.webhooks.allowPrivateTargets = true;
  config.webhooks.retryBaseMs = 5;
  config.webhooks.retryMaxDelayMs = 20;
  config.webhooks.timeoutMs = 2_000;
};

async function call(hub: TestHub, method: string, path: string, body?: unknown, headers = hub.headers) {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined, text };
}

async function register(hub: TestHub, body: Record<string, unknown>): Promise<string> {
  const created = await call(hub, 'POST', '/v1/webhooks', body);
  assert.equal(created.status, 201, created.text);
  return created.json.webhook.id;
}

async function issue(hub: TestHub, body: Record<string, unknown>): Promise<{ id: string; seq: number }> {
  const issued = await call(hub, 'POST', '/v1/alerts', body);
  assert.equal(issued.status, 201, issued.text);
  // Tests issue one at a time: the latest event is this alert's.
  return { id: issued.json.alert.id, seq: await hub.store.latestSeq() };
}

/** Resolves with the first recorded attempt of the hub's webhook channel matching `predicate`. */
function recorded(hub: TestHub, predicate: (r: DeliveryResult) => boolean): Promise<DeliveryResult> {
  return new Promise((resolve) => {
    const off = (hub.webhooks as NonNullable<TestHub['webhooks']>).onRecorded((results) => {
      const found = results.find(predicate);
      if (found) {
        off();
        resolve(found);
      }
    });
  });
}

describe('webhooks against a local receiver', () => {
  let hub: TestHub;
  let receiver: Receiver;
  before(async () => {
    hub = await startTestHub({ configure: fastRetries });
    receiver = await startReceiver({ jwksUrl: `${hub.url}/.well-known/tocsin/keys.json` });
  });
  after(async () => {
    await hub.stop();
    await receiver.close();
  });

  test('each delivery carries the stored signed event with a valid HMAC and Ed25519 signature; regions and types filter', async () => {
    receiver.secrets.set('/oblast', SECRET);
    const webhook = await register(hub, { url: `${receiver.url}/oblast`, regions: ['UA'], secret: SECRET });
    await register(hub, { url: `${receiver.url}/kharkiv`, regions: ['UA-63'] });
    await register(hub, { url: `${receiver.url}/missiles`, regions: ['UA-59'], eventTypes: ['missile'] });
    const deliveredRecorded = recorded(hub, (r) => r.outcome === 'delivered');
    const alert = await issue(hub, { event: 'air_raid', regions: ['UA-59'], status: 'Exercise' });

    const receipt = await receiver.waitFor((r) => r.path === '/oblast' && r.event.seq === alert.seq);
    assert.ok(receipt.hmacOk, 'HMAC-SHA256 of t.body with the webhook secret');
    assert.ok(receipt.ed25519Ok, "Ed25519 signature with the hub's JWKS");
    assert.equal(receipt.headers['tocsin-event-id'], receipt.event.id);
    assert.equal(receipt.headers['tocsin-seq'], String(alert.seq));
    assert.equal(receipt.headers['content-type'], 'application/json');
    assert.equal(receipt.event.type, 'alert.issued');
    assert.equal(receipt.event.alert.status, 'Exercise', 'an exercise says so on the wire');
    // Exactly the bytes of the event log.
    const [stored] = await hub.store.readEvents(alert.seq - 1, 1);
    assert.equal(receipt.body, stored?.json);

    // An ancestor (UA) heard it; an unrelated oblast and a non-matching type did not. The log shows it delivered.
    await deliveredRecorded;
    const log = await call(hub, 'GET', `/v1/webhooks/${webhook}/deliveries`);
    assert.equal(log.status, 200, log.text);
    assert.equal(log.json.deliveries[0].state, 'delivered');
    assert.equal(log.json.deliveries[0].eventSeq, alert.seq);
    assert.equal(log.json.deliveries[0].attempts, 1);
    assert.equal(log.json.deliveries[0].lastStatus, 204);
    assert.equal(typeof log.json.deliveries[0].durationMs, 'number');
    const others = await call(hub, 'GET', '/v1/webhooks');
    for (const w of others.json.webhooks.filter((x: { id: string }) => x.id !== webhook)) {
      const theirs = await call(hub, 'GET', `/v1/webhooks/${w.id}/deliveries`);
      assert.deepEqual(theirs.json.deliveries, [], `${w.url} gets nothing`);
    }
    assert.equal(JSON.stringify(others.json).includes(SECRET), false, 'secrets never listed');
  });

  test('a failing endpoint is retried with backoff, keeps its order, and never blocks another endpoint', async () => {
    let failing = true;
    receiver.respond = (path) =>
      path === '/flaky' && failing ? { status: 500, body: 'down for maintenance' } : { status: 200 };
    const flaky = await register(hub, { url: `${receiver.url}/flaky`, regions: ['UA-32'] });
    await register(hub, { url: `${receiver.url}/steady`, regions: ['UA-32'] });
    const seqs: number[] = [];
    for (const event of ['air_raid', 'drone', 'missile'])
      seqs.push((await issue(hub, { event, regions: ['UA-32'] })).seq);

    // The healthy endpoint gets all three while the flaky one is still failing its first.
    for (const seq of seqs) await receiver.waitFor((r) => r.path === '/steady' && r.event.seq === seq);
    await recorded(hub, (r) => r.outcome === 'retry' && r.status === 500);
    const flakyReceipts = () => receiver.receipts.filter((r) => r.path === '/flaky');
    assert.ok(
      flakyReceipts().every((r) => r.event.seq === seqs[0]),
      'only the head is attempted while it fails',
    );

    failing = false;
    await receiver.waitFor((r) => r.path === '/flaky' && r.event.seq === seqs[2]);
    const successes = flakyReceipts()
      .filter((r) => r.status === 200)
      .map((r) => r.event.seq);
    assert.deepEqual(successes, seqs, 'delivered in order');
    const log = await call(hub, 'GET', `/v1/webhooks/${flaky}/deliveries?limit=1&state=delivered`);
    assert.equal(log.json.deliveries.length, 1);
    assert.ok(log.json.next, 'a cursor to the next page');
    const first = await call(hub, 'GET', `/v1/webhooks/${flaky}/deliveries?state=delivered`);
    const head = first.json.deliveries.find((d: { eventSeq: number }) => d.eventSeq === seqs[0]);
    assert.ok(head.attempts >= 2, `retried (${head.attempts} attempts)`);
    assert.equal(head.lastStatus, 200);
    assert.equal(head.lastError, null);
    receiver.respond = () => ({ status: 204 });
  });

  test('redirects are not followed and the response body is not read beyond the limit', async () => {
    receiver.respond = (path) =>
      path === '/redirect'
        ? { status: 307, headers: { location: `${receiver.url}/elsewhere` } }
        : path === '/huge'
          ? { status: 500, body: Buffer.alloc(5_000_000, 'x') }
          : { status: 204 };
    await register(hub, { url: `${receiver.url}/redirect`, regions: ['UA-07'] });
    await register(hub, { url: `${receiver.url}/huge`, regions: ['UA-07'] });
    const waitRedirect = recorded(hub, (r) => r.status === 307);
    const waitHuge = recorded(hub, (r) => r.status === 500);
    await issue(hub, { event: 'artillery', regions: ['UA-07'] });
    const redirected = await waitRedirect;
    assert.match(redirected.error ?? '', /redirects are not followed/);
    assert.equal(receiver.receipts.filter((r) => r.path === '/elsewhere').length, 0);
    const huge = await waitHuge;
    assert.ok((huge.error ?? '').length < 300, 'only an excerpt of the response is kept');
    receiver.respond = () => ({ status: 204 });
  });

  test('malformed, unknown and unauthorised requests are refused with a code and a path', async () => {
    const url = `${receiver.url}/x`;
    const cases: [unknown, number, string, string?][] = [
      [{ url, regions: ['UA-99'] }, 400, 'WEBHOOK_INPUT_INVALID', '/regions/0'],
      [{ url, regions: [] }, 400, 'WEBHOOK_INPUT_INVALID', '/regions'],
      [{ url, regions: ['UA'], eventTypes: ['earthquake'] }, 400, 'WEBHOOK_INPUT_INVALID', '/eventTypes/0'],
      [{ url, regions: ['UA'], secret: 'short' }, 400, 'REQUEST_INVALID'],
      [{ url: `ftp://127.0.0.1/x`, regions: ['UA'] }, 422, 'WEBHOOK_TARGET_FORBIDDEN', '/url'],
      [{ url: 'http://user:pw@example.org/', regions: ['UA'] }, 422, 'WEBHOOK_TARGET_FORBIDDEN', '/url'],
      [{ url: 'not a url', regions: ['UA'] }, 422, 'WEBHOOK_TARGET_FORBIDDEN', '/url'],
      [{ url: `http://x.invalid/${'a'.repeat(3000)}`, regions: ['UA'] }, 400, 'REQUEST_INVALID'],
      [{ url, regions: ['UA'], extra: true }, 400, 'REQUEST_INVALID'],
      [{ regions: ['UA'] }, 400, 'REQUEST_INVALID'],
      [
        { url: 'https://no-such-host.invalid/hook', regions: ['UA'] },
        422,
        'WEBHOOK_TARGET_UNRESOLVABLE',
        '/url',
      ],
    ];
    for (const [body, status, code, path] of cases) {
      const response = await call(hub, 'POST', '/v1/webhooks', body);
      assert.equal(response.status, status, `${JSON.stringify(body).slice(0, 80)}: ${response.text}`);
      assert.equal(response.json.error.code, code);
      if (path) assert.equal(response.json.error.details[0].path, path);
    }
    assert.equal((await call(hub, 'GET', '/v1/webhooks/nope')).json.error.code, 'WEBHOOK_NOT_FOUND');
    assert.equal((await call(hub, 'DELETE', '/v1/webhooks/nope')).status, 404);
    assert.equal((await call(hub, 'POST', '/v1/webhooks', { url, regions: ['UA'] }, {})).status, 401);
    assert.equal((await call(hub, 'GET', '/v1/webhooks', undefined, {})).status, 401);
    const id = await register(hub, { url, regions: ['UA-46'] });
    const dup = await call(hub, 'POST', `/v1/webhooks/${id}/redeliver`, { deliveryIds: [1, 1] });
    assert.equal(dup.status, 400, dup.text);
    const patched = await call(hub, 'PATCH', `/v1/webhooks/${id}`, {
      regions: ['UA-46', 'UA-21'],
      eventTypes: ['drone'],
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.json.regions, ['UA-46', 'UA-21']);
    assert.equal((await call(hub, 'PATCH', `/v1/webhooks/${id}`, {})).status, 400);
    assert.equal((await call(hub, 'DELETE', `/v1/webhooks/${id}`)).status, 204);
    assert.equal((await call(hub, 'GET', `/v1/webhooks/${id}`)).status, 404);
  });
});

test('dead letter after the configured age, then redeliver puts it back and it arrives', async () => {
  const hub = await startTestHub({
    configure: (config) => {
      fastRetries(config);
      config.webhooks.maxAgeMs = 150;
    },
  });
  const receiver = await startReceiver({ jwksUrl: `${hub.url}/.well-known/tocsin/keys.json` });
  try {
    receiver.secrets.set('/dead', SECRET);
    let healthy = false;
    receiver.respond = () => (healthy ? { status: 200 } : { status: 503 });
    const id = await register(hub, { url: `${receiver.url}/dead`, regions: ['UA-59'], secret: SECRET });
    const dead = recorded(hub, (r) => r.outcome === 'dead');
    const alert = await issue(hub, { event: 'air_raid', regions: ['UA-59'] });
    await dead;
    const log = await call(hub, 'GET', `/v1/webhooks/${id}/deliveries?state=dead`);
    assert.equal(log.json.deliveries.length, 1);
    const [entry] = log.json.deliveries;
    assert.equal(entry.eventSeq, alert.seq);
    assert.equal(entry.lastStatus, 503);
    assert.match(entry.lastError, /HTTP 503/);
    assert.ok(entry.attempts >= 1);
    assert.equal(entry.nextAttemptAt, null);

    healthy = true;
    const deliveredRecorded = recorded(hub, (r) => r.outcome === 'delivered');
    const redelivered = await call(hub, 'POST', `/v1/webhooks/${id}/redeliver`);
    assert.equal(redelivered.status, 200, redelivered.text);
    assert.equal(redelivered.json.redelivered, 1);
    const receipt = await receiver.waitFor((r) => r.status === 200);
    assert.equal(receipt.event.seq, alert.seq);
    assert.ok(receipt.hmacOk && receipt.ed25519Ok);
    await deliveredRecorded;
    const again = await call(hub, 'POST', `/v1/webhooks/${id}/redeliver`, {});
    assert.equal(again.json.redelivered, 0, 'nothing dead any more');
  } finally {
    await hub.stop();
    await receiver.close();
  }
});

test('a hub restart resumes from the cursor: events committed while the channel was off, and deliveries pending at shutdown, arrive in order', async () => {
  const data = makeTempDir();
  const receiver = await startReceiver({ jwksUrl: 'http://127.0.0.1:1/unused' });
  try {
    let hub = await startTestHub({ dataDir: data.dir, configure: fastRetries });
    receiver.respond = () => ({ status: 500 });
    await register(hub, { url: `${receiver.url}/resume`, regions: ['UA-59'] });
    const seqs = [(await issue(hub, { event: 'air_raid', regions: ['UA-59'] })).seq];
    await recorded(hub, (r) => r.outcome === 'retry');
    await hub.stop();

    hub = await startTestHub({
      dataDir: data.dir,
      configure: (config) => {
        fastRetries(config);
        config.webhooks.enabled = false;
      },
    });
    assert.equal(hub.webhooks, undefined);
    seqs.push((await issue(hub, { event: 'drone', regions: ['UA-59'] })).seq);
    seqs.push((await issue(hub, { event: 'missile', regions: ['UA-59'] })).seq);
    await hub.stop();

    receiver.respond = () => ({ status: 200 });
    hub = await startTestHub({ dataDir: data.dir, configure: fastRetries });
    try {
      await receiver.waitFor((r) => r.status === 200 && r.event.seq === seqs[2]);
      const delivered = receiver.receipts.filter((r) => r.status === 200).map((r) => r.event.seq);
      assert.deepEqual(delivered, seqs);
    } finally {
      await hub.stop();
    }
  } finally {
    await receiver.close();
    data.remove();
  }
});

describe('SSRF: with allowPrivateTargets off (the default)', () => {
  let hub: TestHub;
  let receiver: Receiver;
  let elsewhere: Receiver;
  before(async () => {
    // Only the receiver's own address (127.0.0.3) is allowed: every other loopback address stays refused.
    hub = await startTestHub({
      configure: (config) => {
        config.webhooks.allowCidrs = '127.0.0.3/32';
        config.webhooks.retryBaseMs = 5;
        config.webhooks.retryMaxDelayMs = 20;
      },
    });
    receiver = await startReceiver({ jwksUrl: `${hub.url}/.well-known/tocsin/keys.json`, host: '127.0.0.3' });
    elsewhere = await startReceiver({
      jwksUrl: `${hub.url}/.well-known/tocsin/keys.json`,
      host: '127.0.0.2',
    });
  });
  after(async () => {
    await hub.stop();
    await receiver.close();
    await elsewhere.close();
  });

  test('loopback, private, link-local, metadata, CGNAT, mapped and named-loopback URLs are refused at registration', async () => {
    const port = new URL(elsewhere.url).port;
    for (const url of [
      `http://127.0.0.2:${port}/hook`,
      'http://10.0.0.1/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'http://100.64.0.1/',
      'http://192.168.1.1/',
      'http://[::1]/',
      'http://[::ffff:127.0.0.2]/',
      'http://0.0.0.0/',
      'http://2130706434/',
      'http://localhost/hook',
    ]) {
      const response = await call(hub, 'POST', '/v1/webhooks', { url, regions: ['UA'] });
      assert.equal(response.status, 422, `${url}: ${response.text}`);
      assert.equal(response.json.error.code, 'WEBHOOK_TARGET_FORBIDDEN', url);
      assert.equal(response.json.error.details[0].path, '/url');
    }
    const listed = await call(hub, 'GET', '/v1/webhooks');
    assert.deepEqual(listed.json.webhooks, [], 'nothing was stored');
    const patch = await call(hub, 'POST', '/v1/webhooks', { url: `${receiver.url}/ok`, regions: ['UA'] });
    assert.equal(patch.status, 201, 'the allow-listed address is accepted');
    const moved = await call(hub, 'PATCH', `/v1/webhooks/${patch.json.webhook.id}`, {
      url: 'http://10.0.0.1/',
    });
    assert.equal(moved.json.error.code, 'WEBHOOK_TARGET_FORBIDDEN', 'a changed URL is checked again');
    await call(hub, 'DELETE', `/v1/webhooks/${patch.json.webhook.id}`);
  });

  test('a redirect to loopback is not followed: the attempt fails and the target gets nothing', async () => {
    const port = new URL(elsewhere.url).port;
    receiver.respond = () => ({ status: 302, headers: { location: `http://127.0.0.2:${port}/stolen` } });
    await register(hub, { url: `${receiver.url}/redirect`, regions: ['UA-59'] });
    const attempt = recorded(hub, (r) => r.status === 302);
    await issue(hub, { event: 'air_raid', regions: ['UA-59'] });
    const result = await attempt;
    assert.equal(result.outcome, 'retry');
    assert.match(result.error ?? '', /redirects are not followed/);
    assert.equal(elsewhere.receipts.length, 0);
  });
});

test('on PostgreSQL: retried, delivered in order, both signatures valid', async () => {
  const hub = await startTestHub({ engine: 'postgres', configure: fastRetries });
  const receiver = await startReceiver({ jwksUrl: `${hub.url}/.well-known/tocsin/keys.json` });
  try {
    receiver.secrets.set('/pg', SECRET);
    receiver.respond = (_path, nth) => (nth <= 2 ? { status: 502 } : { status: 200 });
    const id = await register(hub, { url: `${receiver.url}/pg`, regions: ['UA-59'], secret: SECRET });
    const seqs = [
      (await issue(hub, { event: 'air_raid', regions: ['UA-59'] })).seq,
      (await issue(hub, { event: 'drone', regions: ['UA-59'] })).seq,
    ];
    await receiver.waitFor((r) => r.status === 200 && r.event.seq === seqs[1]);
    const delivered = receiver.receipts.filter((r) => r.status === 200);
    assert.deepEqual(
      delivered.map((r) => r.event.seq),
      seqs,
    );
    assert.ok(delivered.every((r) => r.hmacOk && r.ed25519Ok));
    assert.ok(
      receiver.receipts.slice(0, 2).every((r) => r.event.seq === seqs[0]),
      'the failing head is retried first',
    );
    const log = await call(hub, 'GET', `/v1/webhooks/${id}/deliveries?state=pending`);
    assert.equal(log.status, 200, log.text);
  } finally {
    await hub.stop();
    await receiver.close();
  }
});
