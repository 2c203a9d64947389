// One runner per cluster for MQTT and Web Push: two hubs on one PostgreSQL database, both with
// MQTT configured, against a Mosquitto broker of the test's own. Only the lease holder publishes;
// when it stops, or its lease connection is cut, a node takes over from the shared cursor.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connectAsync, type MqttClient } from 'mqtt';
import pg from 'pg';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { startTestBroker, type TestBroker } from './helpers/mosquitto.ts';
import { createTestDatabase, type TestDatabase } from './helpers/postgres.ts';

const prefix = 'lease-test';
let db: TestDatabase;
let broker: TestBroker;
let client: MqttClient;
const messages: { topic: string; text: string }[] = [];
const waiters: { match: (m: { topic: string; text: string }) => boolean; resolve: () => void }[] = [];

/** Resolves at the first message from now on that matches. */
function nextMessage(match: (m: { topic: string; text: string }) => boolean): Promise<void> {
  return new Promise((resolve) => waiters.push({ match, resolve }));
}

async function hub(): Promise<TestHub> {
  return startTestHub({
    databaseUrl: db.url,
    leaseRetryMs: 100,
    configure: (config) => {
      config.mqtt.url = broker.url;
      config.mqtt.topicPrefix = prefix;
      config.mqtt.discoveryPrefix = '';
      config.webPush.enabled = false;
    },
  });
}

/** The hub's MQTT channel now (a getter: it comes and goes with the lease). */
const mqttOf = (h: TestHub) => h.push.mqtt;

async function issue(on: TestHub, region: string): Promise<string> {
  const response = await fetch(`${on.url}/v1/alerts`, {
    method: 'POST',
    headers: { ...on.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'air_raid', regions: [region], status: 'Exercise' }),
  });
  const json = (await response.json()) as { alert: { id: string } };
  assert.equal(response.status, 201, JSON.stringify(json));
  return json.alert.id;
}

before(async () => {
  db = await createTestDatabase();
  broker = await startTestBroker();
  client = await connectAsync(broker.url, { reconnectPeriod: 200 });
  client.on('message', (topic, payload) => {
    const message = { topic, text: payload.toString('utf8') };
    messages.push(message);
    for (const waiter of [...waiters])
      if (waiter.match(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
  });
  await client.subscribeAsync([`${prefix}/v1/events/#`, `${prefix}/v1/status`], { qos: 1 });
});
after(async () => {
  await client?.endAsync();
  await broker?.remove();
  await db?.drop();
});

test('one hub of two runs MQTT; when it stops, or its lease connection is cut, a hub takes over', async (t) => {
  const a = await hub();
  t.after(() => a.stop());
  const b = await hub();
  t.after(() => b.stop());
  assert.ok(mqttOf(a), 'the first hub holds the lease');
  assert.equal(mqttOf(b), undefined, 'the second waits');

  const first = await issue(a, 'UA-59');
  await mqttOf(a)?.caughtUp();
  assert.deepEqual(
    messages.filter((m) => m.text.includes(first)).map((m) => m.topic),
    [`${prefix}/v1/events/UA-59`],
  );

  // The holder stops: its `offline`, then the other hub's `online` from the same status topic.
  const takenOver = nextMessage((m) => m.topic.endsWith('/status') && m.text === 'online');
  await a.stop();
  await takenOver;
  assert.ok(mqttOf(b), 'the second hub took the lease');
  const second = await issue(b, 'UA-63');
  await mqttOf(b)?.caughtUp();
  assert.ok(messages.some((m) => m.topic === `${prefix}/v1/events/UA-63` && m.text.includes(second)));
  assert.equal(
    messages.filter((m) => m.text.includes(first)).length,
    1,
    'the first alert was not sent again',
  );

  // The server ends the lease's session (a network cut would too): the channel stops, and the
  // only hub left takes the lease again.
  const offline = nextMessage((m) => m.topic.endsWith('/status') && m.text === 'offline');
  const backOnline = offline.then(() =>
    nextMessage((m) => m.topic.endsWith('/status') && m.text === 'online'),
  );
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  try {
    const { rows } = await admin.query(
      "SELECT pg_terminate_backend(pid) AS ended FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
    );
    assert.equal(rows.length, 1, 'one session holds the lease');
  } finally {
    await admin.end();
  }
  await backOnline;
  const third = await issue(b, 'UA-59');
  await mqttOf(b)?.caughtUp();
  assert.ok(messages.some((m) => m.text.includes(third)));
});
