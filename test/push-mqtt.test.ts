// The MQTT channel against a real Mosquitto of this test's own (test/helpers/mosquitto.ts): the
// retained state a fresh subscriber gets, the signed events at QoS 1, the Home Assistant
// discovery configs, and resuming from the channel's cursor after the broker restarts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connectAsync, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { startTestBroker, type TestBroker } from './helpers/mosquitto.ts';

interface Received {
  topic: string;
  text: string;
  packet: IPublishPacket;
}

/** A subscriber that keeps every message and lets a test wait for one (no sleeps). */
async function subscriber(url: string, topics: string[], options: IClientOptions = {}) {
  const client: MqttClient = await connectAsync(url, { reconnectPeriod: 200, ...options });
  const received: Received[] = [];
  const waiters: { match: (m: Received) => boolean; resolve: (m: Received) => void }[] = [];
  client.on('message', (topic, payload, packet) => {
    const message = { topic, text: payload.toString('utf8'), packet };
    received.push(message);
    for (const waiter of [...waiters])
      if (waiter.match(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
  });
  if (topics.length > 0) await client.subscribeAsync(topics, { qos: 1 });
  return {
    client,
    received,
    next(match: (m: Received) => boolean): Promise<Received> {
      const found = received.find(match);
      if (found) return Promise.resolve(found);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
    close: () => client.endAsync(),
  };
}

/** The retained message on one topic, as a subscriber arriving now gets it. */
async function retained(url: string, topic: string): Promise<Received> {
  const sub = await subscriber(url, []);
  try {
    const got = sub.next((m) => m.topic === topic);
    await sub.client.subscribeAsync(topic, { qos: 1 });
    return await got;
  } finally {
    await sub.close();
  }
}

describe('MQTT channel against Mosquitto', () => {
  let broker: TestBroker;
  let hub: TestHub;
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const discovery = `ha${randomBytes(4).toString('hex')}`;
  const mqtt = () => hub.push.mqtt as NonNullable<TestHub['push']['mqtt']>;
  const issue = async (body: unknown) => {
    const response = await fetch(`${hub.url}/v1/alerts`, {
      method: 'POST',
      headers: { ...hub.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as { alert: { id: string } };
    assert.equal(response.status, 201, JSON.stringify(json));
    return json.alert;
  };

  before(async () => {
    broker = await startTestBroker();
    hub = await startTestHub({
      configure: (config) => {
        config.mqtt.url = broker.url;
        config.mqtt.topicPrefix = prefix;
        config.mqtt.discoveryPrefix = discovery;
        config.webPush.enabled = false;
      },
    });
    await mqtt().announced();
  });
  after(async () => {
    await hub?.stop();
    await broker?.remove();
  });

  it('publishes every event signed at QoS 1 on its regions and their descendants', async () => {
    const sub = await subscriber(broker.url, [`${prefix}/v1/events/UA-59`, `${prefix}/v1/events/UA-32`]);
    try {
      const oblast = await issue({ event: 'air_raid', regions: ['UA-59'], status: 'Actual' });
      const onSumy = await sub.next((m) => m.topic.endsWith('/UA-59') && m.text.includes(oblast.id));
      assert.equal(onSumy.packet.qos, 1);
      assert.equal(onSumy.packet.retain, false);
      const event = JSON.parse(onSumy.text);
      assert.equal(event.type, 'alert.issued');
      assert.ok(event.sig && event.kid, 'signed');
      const [stored] = await hub.store.readEvents(event.seq - 1, 1);
      assert.equal(onSumy.text, stored?.json, 'the event bytes exactly as logged');

      const country = await issue({ event: 'missile', regions: ['UA'], status: 'Actual' });
      await sub.next((m) => m.topic.endsWith('/UA-59') && m.text.includes(country.id));
      await sub.next((m) => m.topic.endsWith('/UA-32') && m.text.includes(country.id));
      await mqtt().caughtUp();
      assert.equal(
        sub.received.filter((m) => m.text.includes(oblast.id)).length,
        1,
        'Kyiv oblast did not get Sumy',
      );
    } finally {
      await sub.close();
    }
  });

  it('keeps a retained JSON state per region that a fresh subscriber gets; drills never switch it on', async () => {
    await issue({
      event: 'drone',
      regions: ['UA-63'],
      status: 'Exercise',
      headline: { en: 'EXERCISE drone drill' },
    });
    await mqtt().caughtUp();
    const sumy = await retained(broker.url, `${prefix}/v1/state/UA-59`);
    assert.equal(sumy.packet.retain, true);
    const state = JSON.parse(sumy.text);
    assert.equal(state.region, 'UA-59');
    assert.equal(state.name, 'Sumy Oblast');
    assert.equal(state.active, true);
    assert.deepEqual(state.events, ['air_raid', 'missile']);
    assert.deepEqual(state.alerts.map((a: { event: string; region: string }) => [a.event, a.region]).sort(), [
      ['air_raid', 'UA-59'],
      ['missile', 'UA'],
    ]);
    const kharkiv = JSON.parse((await retained(broker.url, `${prefix}/v1/state/UA-63`)).text);
    assert.deepEqual(kharkiv.events, ['missile'], 'the drill is listed, not counted');
    assert.ok(
      kharkiv.alerts.some(
        (a: { status: string; event: string }) => a.status === 'Exercise' && a.event === 'drone',
      ),
    );
    assert.equal((await retained(broker.url, `${prefix}/v1/status`)).text, 'online');
  });

  it('announces a Home Assistant binary sensor per region and event type', async () => {
    const topic = `${discovery}/binary_sensor/${prefix}_UA-59_air_raid/config`;
    const message = await retained(broker.url, topic);
    assert.equal(message.packet.retain, true);
    assert.deepEqual(JSON.parse(message.text), {
      name: 'Sumy Oblast — Air raid alert',
      unique_id: `${prefix}_UA-59_air_raid`,
      device_class: 'safety',
      state_topic: `${prefix}/v1/state/UA-59`,
      value_template: `{{ 'ON' if "air_raid" in value_json.events else 'OFF' }}`,
      payload_on: 'ON',
      payload_off: 'OFF',
      json_attributes_topic: `${prefix}/v1/state/UA-59`,
      availability_topic: `${prefix}/v1/status`,
      payload_available: 'online',
      payload_not_available: 'offline',
      qos: 1,
      origin: { name: 'Tocsin' },
    });
    // One per region down to oblasts, per event type: the country too, and every type.
    await retained(broker.url, `${discovery}/binary_sensor/${prefix}_UA_power_outage/config`);
  });

  it('resumes from its cursor after the broker restarts: events published meanwhile arrive', async () => {
    // A persistent session (clean: false): the broker queues QoS 1 messages for it while it is away.
    const sub = await subscriber(broker.url, [`${prefix}/v1/events/UA-46`], {
      clean: false,
      clientId: `${prefix}-siren`,
    });
    try {
      await broker.stop();
      const issuedWhileDown = await issue({ event: 'artillery', regions: ['UA-46'], status: 'Actual' });
      assert.equal(mqtt().connected(), false);
      await broker.start();
      const got = await sub.next((m) => m.text.includes(issuedWhileDown.id));
      assert.equal(JSON.parse(got.text).type, 'alert.issued');
      await mqtt().caughtUp();
      const lviv = JSON.parse((await retained(broker.url, `${prefix}/v1/state/UA-46`)).text);
      assert.deepEqual(lviv.events, ['artillery', 'missile']);
    } finally {
      await sub.close();
    }
    await hub.stop();
    assert.equal((await retained(broker.url, `${prefix}/v1/status`)).text, 'offline', 'said goodbye');
  });
});

describe('MQTT channel without a broker', () => {
  it('lets the hub start and stop while the broker is unreachable (delivery waits for it)', async () => {
    const broker = await startTestBroker();
    const url = broker.url;
    await broker.remove(); // nothing listens on this port now
    const hub = await startTestHub({
      configure: (config) => {
        config.mqtt.url = url;
        config.webPush.enabled = false;
      },
    });
    try {
      const response = await fetch(`${hub.url}/v1/alerts`, {
        method: 'POST',
        headers: { ...hub.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ event: 'air_raid', regions: ['UA-59'], status: 'Actual' }),
      });
      assert.equal(response.status, 201, 'issuing never waits for MQTT');
      assert.equal(hub.push.mqtt?.connected(), false);
    } finally {
      await hub.stop();
    }
  });
});
