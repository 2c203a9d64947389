// MQTT and Web Push delivery figures (issue 8), on this machine, with a Mosquitto of its own and
// the web-push-testing push service, both on loopback:
//   (a) MQTT: delay from an issue's 201 to the event's arrival at a QoS 1 subscriber, p50/p99,
//       over `--alerts` alerts issued one after another;
//   (b) Web Push: one alert for the whole country to `--subscriptions` browser subscriptions
//       (each encrypted on its own) at web-push-testing, which runs in this process and decrypts
//       and verifies every message: time until all are sent, and sends/s;
//   (c) the same to a push "service" in a child process that only answers 201: the hub's own cost.
//   npm run bench:mqtt-push                               # 200 alerts, 500 subscriptions
//   npm run bench:mqtt-push -- --alerts 50 --subscriptions 100     # a quick run
import { spawn } from 'node:child_process';
import { createECDH, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { connectAsync } from 'mqtt';
import { startTestHub } from '../test/helpers/hub.ts';
import { startTestBroker } from '../test/helpers/mosquitto.ts';
import { startWebPushService } from '../test/helpers/web-push-service.ts';

const { values } = parseArgs({
  options: {
    alerts: { type: 'string', default: '200' },
    subscriptions: { type: 'string', default: '500' },
  },
});
const ALERTS = Number(values.alerts);
const SUBSCRIPTIONS = Number(values.subscriptions);

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

const broker = await startTestBroker();
const service = await startWebPushService();
const prefix = `b${randomBytes(3).toString('hex')}`;
const hub = await startTestHub({
  configure: (config) => {
    config.mqtt.url = broker.url;
    config.mqtt.topicPrefix = prefix;
    config.mqtt.discoveryPrefix = `${prefix}-ha`;
    config.webPush.allowInsecureEndpoints = true;
  },
});
try {
  await hub.push.mqtt?.announced();
  const issue = async (body: unknown): Promise<{ id: string }> => {
    const response = await fetch(`${hub.url}/v1/alerts`, {
      method: 'POST',
      headers: { ...hub.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201) throw new Error(`issue: ${response.status} ${await response.text()}`);
    return ((await response.json()) as { alert: { id: string } }).alert;
  };

  // (a) MQTT
  const sub = await connectAsync(broker.url);
  const arrivals = new Map<string, number>();
  const waiting = new Map<string, () => void>();
  sub.on('message', (_topic, payload) => {
    const id = (JSON.parse(payload.toString('utf8')) as { alert: { id: string } }).alert.id;
    arrivals.set(id, performance.now());
    waiting.get(id)?.();
  });
  await sub.subscribeAsync(`${prefix}/v1/events/UA-59`, { qos: 1 });
  const delays: number[] = [];
  for (let i = 0; i < ALERTS; i++) {
    const event = i % 2 === 0 ? 'air_raid' : 'drone';
    const alert = await issue({ event, regions: ['UA-59'], status: 'Actual' });
    const answered = performance.now();
    const arrived =
      arrivals.get(alert.id) ??
      (await new Promise<number>((resolve) =>
        waiting.set(alert.id, () => resolve(arrivals.get(alert.id) as number)),
      ));
    delays.push(arrived - answered);
  }
  await sub.endAsync();
  delays.sort((a, b) => a - b);
  console.log(
    `MQTT: ${ALERTS} alerts, delay from 201 to QoS 1 subscriber: p50 ${percentile(delays, 50).toFixed(2)} ms, p99 ${percentile(delays, 99).toFixed(2)} ms, max ${(delays.at(-1) ?? 0).toFixed(2)} ms`,
  );

  // (b) Web Push
  const key = ((await (await fetch(`${hub.url}/v1/push/vapid-public-key`)).json()) as { publicKey: string })
    .publicKey;
  for (let i = 0; i < SUBSCRIPTIONS; i++) {
    const s = await service.subscribe(key);
    const response = await fetch(`${hub.url}/v1/push/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ subscription: { endpoint: s.endpoint, keys: s.keys }, regions: ['UA-59'] }),
    });
    if (response.status !== 201) throw new Error(`subscribe: ${response.status}`);
  }
  const webPush = hub.push.webPush;
  if (!webPush) throw new Error('web push is off');
  const round = async (label: string, regions: string[]) => {
    await webPush.caughtUp();
    const sentBefore = webPush.stats().sent;
    const failedBefore = webPush.stats().failed;
    const started = performance.now();
    await issue({ event: 'missile', regions, status: 'Actual' });
    await webPush.caughtUp();
    const ms = performance.now() - started;
    const sent = webPush.stats().sent - sentBefore;
    console.log(
      `Web Push (${label}): ${sent} subscriptions sent in ${ms.toFixed(0)} ms from the issue request (${((sent / ms) * 1000).toFixed(0)} sends/s; failed ${webPush.stats().failed - failedBefore})`,
    );
  };
  await round('web-push-testing in this process', ['UA-59']);

  // (c) a sink in a child process: 201 for everything.
  const sink = spawn(
    process.execPath,
    [
      '-e',
      "require('http').createServer((q,r)=>{q.resume();q.on('end',()=>r.writeHead(201).end())}).listen(0,'127.0.0.1',function(){console.log(this.address().port)})",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    const [portText] = (await once(sink.stdout, 'data')) as [Buffer];
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const response = await fetch(`${hub.url}/v1/push/subscriptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          subscription: {
            endpoint: `http://127.0.0.1:${Number(portText.toString())}/push/${i}`,
            keys: {
              p256dh: ecdh.getPublicKey().toString('base64url'),
              auth: randomBytes(16).toString('base64url'),
            },
          },
          regions: ['UA-32'],
        }),
      });
      if (response.status !== 201) throw new Error(`subscribe: ${response.status}`);
    }
    await round('201 sink in a child process', ['UA-32']);
  } finally {
    sink.kill();
  }
} finally {
  await hub.stop();
  await service.close();
  await broker.remove();
}
