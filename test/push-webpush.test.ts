// Web Push end to end (issue 8 §3): a real hub, the `web-push-testing` push service on loopback
// standing in for a browser's, and a raw HTTP endpoint that records the request headers. A
// browser subscribes with the hub's VAPID key, registers with the hub for its regions, an alert is
// issued, and the push service decrypts exactly the message meant for it; an expired subscription
// answers 410 and the hub removes it.
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { startWebPushService, type WebPushService } from './helpers/web-push-service.ts';

let hub: TestHub;
let service: WebPushService;

async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${hub.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? JSON.parse(text) : undefined };
}

const issue = async (body: unknown) => {
  const reply = await api('POST', '/v1/alerts', body, hub.headers);
  assert.equal(reply.status, 201, reply.text);
  return reply.json.alert as { id: string };
};

const deliveredUpTo = async () => (hub.push.webPush as NonNullable<typeof hub.push.webPush>).caughtUp();

describe('Web Push against web-push-testing', () => {
  before(async () => {
    service = await startWebPushService();
    hub = await startTestHub({
      configure: (config) => {
        // The test push service is plain http on loopback.
        config.webPush.allowInsecureEndpoints = true;
      },
    });
  });
  after(async () => {
    await hub.stop();
    await service.close();
  });

  it('delivers an encrypted alert to the subscriptions of its regions only, with Urgency high and a TTL', async () => {
    const key = await api('GET', '/v1/push/vapid-public-key');
    assert.equal(key.status, 200);
    const vapidKey = key.json.publicKey as string;
    assert.equal(Buffer.from(vapidKey, 'base64url').length, 65);

    const sumy = await service.subscribe(vapidKey);
    const kyiv = await service.subscribe(vapidKey);
    // Anonymous, as a browser would: the subscription endpoints are public.
    const registered = await api('POST', '/v1/push/subscriptions', {
      subscription: { endpoint: sumy.endpoint, keys: sumy.keys, expirationTime: null },
      regions: ['UA-59'],
    });
    assert.equal(registered.status, 201, registered.text);
    assert.deepEqual(registered.json.regions, ['UA-59']);
    const again = await api('POST', '/v1/push/subscriptions', {
      subscription: { endpoint: sumy.endpoint, keys: sumy.keys },
      regions: ['UA-59'],
    });
    assert.equal(again.status, 200, 'the same endpoint again is an update');
    assert.equal(
      (
        await api('POST', '/v1/push/subscriptions', {
          subscription: { endpoint: kyiv.endpoint, keys: kyiv.keys },
          regions: ['UA-32'],
        })
      ).status,
      201,
    );

    // A third "push service" that records headers (it cannot decrypt: it only has a made-up key).
    const seen: IncomingHttpHeaders[] = [];
    const recorder = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(201).end());
    });
    recorder.listen(0, '127.0.0.1');
    await once(recorder, 'listening');
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    const recorderEndpoint = `http://127.0.0.1:${(recorder.address() as { port: number }).port}/push/abc`;
    assert.equal(
      (
        await api('POST', '/v1/push/subscriptions', {
          subscription: {
            endpoint: recorderEndpoint,
            keys: {
              p256dh: ecdh.getPublicKey().toString('base64url'),
              auth: randomBytes(16).toString('base64url'),
            },
          },
          regions: ['UA'],
        })
      ).status,
      201,
    );

    try {
      const alert = await issue({ event: 'air_raid', regions: ['UA-59'], status: 'Actual' });
      await deliveredUpTo();

      const messages = (await service.messages(sumy)).map((m) => JSON.parse(m));
      assert.equal(messages.length, 1);
      const message = messages[0];
      assert.equal(message.type, 'alert.issued');
      assert.equal(message.alert, alert.id);
      assert.equal(message.event, 'air_raid');
      assert.equal(message.status, 'Actual');
      assert.equal(message.severity, 'Extreme');
      assert.deepEqual(message.regions, ['UA-59']);
      assert.equal(message.headline.en, 'Air raid alert');
      assert.equal(message.headline.uk, 'Повітряна тривога');
      assert.deepEqual(await service.messages(kyiv), [], 'Kyiv oblast did not ask for Sumy oblast');

      // The country-wide subscription hears the oblast's alert too.
      assert.equal(seen.length, 1);
      const headers = seen[0] as IncomingHttpHeaders;
      assert.equal(headers.urgency, 'high');
      assert.ok(Number(headers.ttl) >= 60, `TTL ${headers.ttl}`);
      assert.equal(headers['content-encoding'], 'aes128gcm');
      assert.match(String(headers.authorization), new RegExp(`^vapid t=[^,]+, k=${vapidKey}$`));

      // A drill is never urgent.
      await issue({
        event: 'drone',
        regions: ['UA-32'],
        status: 'Exercise',
        headline: { en: 'EXERCISE drone drill' },
      });
      await deliveredUpTo();
      assert.equal(seen.length, 2);
      assert.equal((seen[1] as IncomingHttpHeaders).urgency, 'low');
      const drill = (await service.messages(kyiv)).map((m) => JSON.parse(m));
      assert.equal(drill.length, 1);
      assert.equal(drill[0].status, 'Exercise');
    } finally {
      recorder.close();
    }
  });

  it('removes a subscription the push service answers 410 for, and keeps the others', async () => {
    const vapidKey = (await api('GET', '/v1/push/vapid-public-key')).json.publicKey as string;
    const gone = await service.subscribe(vapidKey);
    const kept = await service.subscribe(vapidKey);
    for (const sub of [gone, kept])
      assert.equal(
        (
          await api('POST', '/v1/push/subscriptions', {
            subscription: { endpoint: sub.endpoint, keys: sub.keys },
            regions: ['UA-63'],
          })
        ).status,
        201,
      );
    await service.expire(gone);
    await issue({ event: 'missile', regions: ['UA-63'], status: 'Actual' });
    await deliveredUpTo();

    assert.equal(await hub.store.push.getPushSubscription(gone.endpoint), undefined, 'removed after 410');
    assert.ok(await hub.store.push.getPushSubscription(kept.endpoint));
    assert.equal((await service.messages(kept)).length, 1);
    const removedAgain = await api('DELETE', '/v1/push/subscriptions', { endpoint: gone.endpoint });
    assert.equal(removedAgain.status, 404);
    assert.equal(removedAgain.json.error.code, 'PUSH_SUBSCRIPTION_NOT_FOUND');
    assert.equal((await api('DELETE', '/v1/push/subscriptions', { endpoint: kept.endpoint })).status, 204);
    assert.equal(await hub.store.push.getPushSubscription(kept.endpoint), undefined);
  });

  it('refuses malformed, oversized and hostile subscriptions with a code and a path, storing nothing', async () => {
    const before = await hub.store.push.countPushSubscriptions();
    const vapidKey = (await api('GET', '/v1/push/vapid-public-key')).json.publicKey as string;
    const sub = await service.subscribe(vapidKey);
    const cases: [unknown, number, string][] = [
      ['{"subscription":', 400, 'REQUEST_MALFORMED'],
      [{ subscription: { endpoint: sub.endpoint, keys: sub.keys } }, 400, 'REQUEST_INVALID'],
      [
        { subscription: { endpoint: sub.endpoint, keys: sub.keys }, regions: ['UA-59'], extra: 1 },
        400,
        'REQUEST_INVALID',
      ],
      [
        { subscription: { endpoint: `https://x/${'a'.repeat(3000)}`, keys: sub.keys }, regions: ['UA-59'] },
        400,
        'REQUEST_INVALID',
      ],
      [
        { subscription: { endpoint: sub.endpoint, keys: sub.keys }, regions: Array(51).fill('UA-59') },
        400,
        'REQUEST_INVALID',
      ],
      [
        { subscription: { endpoint: sub.endpoint, keys: sub.keys }, regions: ['UA-99'] },
        400,
        'PUSH_SUBSCRIPTION_INVALID',
      ],
      [
        {
          subscription: { endpoint: sub.endpoint, keys: { p256dh: 'AAAA', auth: sub.keys.auth } },
          regions: ['UA-59'],
        },
        400,
        'PUSH_SUBSCRIPTION_INVALID',
      ],
      [
        {
          subscription: { endpoint: sub.endpoint, keys: { p256dh: sub.keys.p256dh, auth: 'not base64!' } },
          regions: ['UA-59'],
        },
        400,
        'PUSH_SUBSCRIPTION_INVALID',
      ],
      [
        { subscription: { endpoint: 'ftp://push.example/x', keys: sub.keys }, regions: ['UA-59'] },
        422,
        'PUSH_ENDPOINT_REFUSED',
      ],
      [
        { subscription: { endpoint: 'not a url', keys: sub.keys }, regions: ['UA-59'] },
        400,
        'PUSH_SUBSCRIPTION_INVALID',
      ],
    ];
    for (const [body, status, code] of cases) {
      const reply = await api('POST', '/v1/push/subscriptions', body);
      assert.equal(reply.status, status, `${JSON.stringify(body).slice(0, 80)}: ${reply.text}`);
      assert.equal(reply.json.error.code, code, reply.text);
    }
    const unknown = await api('POST', '/v1/push/subscriptions', {
      subscription: { endpoint: sub.endpoint, keys: sub.keys },
      regions: ['UA-59', 'UA-99'],
    });
    assert.deepEqual(
      unknown.json.error.details.map((d: { path: string }) => d.path),
      ['regions/1'],
    );
    assert.equal(await hub.store.push.countPushSubscriptions(), before);
  });
});
