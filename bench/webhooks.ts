// Webhook benchmark (issue 8): 1,000 registered webhooks, a local receiver on 127.0.0.1 (keep-alive,
// answers 204 and checks the HMAC of every delivery), a real hub in this process (SQLite, defaults
// except allowPrivateTargets so it may reach the receiver).
//   (a) burst: `--burst` country-wide alerts issued back to back; every webhook matches every one
//       → deliveries per second from the first issue to the last receipt;
//   (b) paced: one oblast alert every `--interval` ms (`--paced` of them); each reaches the
//       webhooks of that oblast and the country-wide ones → delay from issue (the event's `time`)
//       to receipt, p50/p99/max.
//   npm run bench:webhooks                      # 1000 webhooks, burst 10, paced 40 every 250 ms
//   npm run bench:webhooks -- --concurrency 256 # more attempts in flight
// Bounded: each phase stops waiting after `--deadline` seconds and reports what arrived.
// Results go to bench/out/webhooks.json.
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ROLES } from '../src/alerts/actor.ts';
import { storeToken } from '../src/auth/tokens.ts';
import { loadConfig } from '../src/config/load.ts';
import { startHub } from '../src/main.ts';
import { loadDefaultRegions } from '../src/store/default-regions.ts';

const { values } = parseArgs({
  options: {
    webhooks: { type: 'string', default: '1000' },
    burst: { type: 'string', default: '10' },
    paced: { type: 'string', default: '40' },
    interval: { type: 'string', default: '250' },
    concurrency: { type: 'string', default: '' },
    deadline: { type: 'string', default: '60' },
    out: { type: 'string', default: 'bench/out/webhooks.json' },
  },
});
const WEBHOOKS = Number(values.webhooks);
const BURST = Number(values.burst);
const PACED = Number(values.paced);
const INTERVAL_MS = Number(values.interval);
const DEADLINE_MS = Number(values.deadline) * 1000;
const SECRET = 'bench-secret-0123456789';

// The 27 first-level regions of the shipped data: issues spread over them as a real day would.
const OBLASTS = loadDefaultRegions()
  .filter((r) => r.level === 'oblast')
  .map((r) => r.code);

// The receiver: one receipt time per (webhook path, seq); the HMAC of each body is checked.
const receipts = new Map<number, { at: number; eventMs: number }[]>();
let received = 0;
let badSignatures = 0;
let waiting: { count: number; resolve: () => void } | undefined;
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    const body = Buffer.concat(chunks).toString('utf8');
    const [t, v1] = String(req.headers['tocsin-signature'])
      .replace(/t=|v1=/g, '')
      .split(',');
    if (createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex') !== v1) badSignatures++;
    const event = JSON.parse(body) as { seq: number; time: string };
    const list = receipts.get(event.seq) ?? [];
    list.push({ at, eventMs: Date.parse(event.time) });
    receipts.set(event.seq, list);
    received++;
    res.writeHead(204).end();
    if (waiting && received >= waiting.count) waiting.resolve();
  });
});
await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

/** Resolves once `count` receipts arrived in total, or at the deadline (false). */
function receivedAll(count: number): Promise<boolean> {
  if (received >= count) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), DEADLINE_MS);
    waiting = {
      count,
      resolve: () => {
        clearTimeout(timer);
        waiting = undefined;
        done(true);
      },
    };
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'tocsin-bench-webhooks-'));
const loaded = loadConfig({ env: {} });
if (!loaded.ok) throw new Error('default configuration is invalid');
const config = loaded.config;
config.dataDir = dataDir;
config.server.port = 0;
config.log.level = 'warn';
config.auth.tokenRatePerSecond = 1_000_000;
config.auth.tokenBurst = 10_000_000;
config.webhooks.allowPrivateTargets = true;
if (values.concurrency) config.webhooks.concurrency = Number(values.concurrency);
const hub = await startHub(config);
const { secret: token } = await storeToken(
  hub.store.identity,
  { name: 'bench', roles: [...ROLES], jurisdiction: ['UA'], expiresMs: null, operatorId: null },
  Date.now(),
);
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const post = async (path: string, body: unknown) => {
  const response = await fetch(`${hub.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.json();
};

// 1,000 webhooks: one in ten country-wide, the rest one oblast each, round robin.
const regionsOf = (i: number) => (i % 10 === 0 ? ['UA'] : [OBLASTS[i % OBLASTS.length] as string]);
const started = performance.now();
for (let i = 0; i < WEBHOOKS; i++)
  await post('/v1/webhooks', { url: `${receiverUrl}/hook/${i}`, regions: regionsOf(i), secret: SECRET });
const registerMs = performance.now() - started;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}
function delays(fromSeq: number): number[] {
  const all: number[] = [];
  for (const [seq, list] of receipts) if (seq > fromSeq) for (const r of list) all.push(r.at - r.eventMs);
  return all.sort((a, b) => a - b);
}

// (a) Burst: every webhook matches a country-wide alert.
const burstStart = Date.now();
for (let i = 0; i < BURST; i++)
  await post('/v1/alerts', { event: 'air_raid', regions: ['UA'], status: 'Exercise' });
const burstExpected = BURST * WEBHOOKS;
const burstComplete = await receivedAll(burstExpected);
const burstMs = Date.now() - burstStart;
const burstDelays = delays(0);
const burst = {
  alerts: BURST,
  deliveriesExpected: burstExpected,
  deliveriesReceived: received,
  complete: burstComplete,
  seconds: burstMs / 1000,
  deliveriesPerSecond: Math.round(received / (burstMs / 1000)),
  delayMs: { p50: percentile(burstDelays, 50), p99: percentile(burstDelays, 99), max: burstDelays.at(-1) },
};
console.log('burst', JSON.stringify(burst));

// (b) Paced: one oblast alert every INTERVAL_MS.
const pacedFromSeq = await hub.store.latestSeq();
const before = received;
const countryWide = Math.ceil(WEBHOOKS / 10);
let pacedExpected = 0;
for (let i = 0; i < PACED; i++) {
  const oblast = OBLASTS[i % OBLASTS.length] as string;
  pacedExpected += countryWide;
  for (let w = 0; w < WEBHOOKS; w++)
    if (w % 10 !== 0 && OBLASTS[w % OBLASTS.length] === oblast) pacedExpected++;
  const sent = Date.now();
  await post('/v1/alerts', { event: 'drone', regions: [oblast], status: 'Exercise' });
  const pause = INTERVAL_MS - (Date.now() - sent);
  // Pacing the load generator (not waiting for a result): the interval between issues.
  if (pause > 0) await new Promise((done) => setTimeout(done, pause));
}
const pacedComplete = await receivedAll(before + pacedExpected);
const pacedDelays = delays(pacedFromSeq);
const paced = {
  alerts: PACED,
  intervalMs: INTERVAL_MS,
  deliveriesExpected: pacedExpected,
  deliveriesReceived: received - before,
  complete: pacedComplete,
  delayMs: { p50: percentile(pacedDelays, 50), p99: percentile(pacedDelays, 99), max: pacedDelays.at(-1) },
};
console.log('paced', JSON.stringify(paced));

await hub.close();
receiver.closeAllConnections();
receiver.close();
rmSync(dataDir, { recursive: true, force: true });

const report = {
  when: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() },
  node: process.version,
  store: 'sqlite',
  webhooks: WEBHOOKS,
  concurrency: config.webhooks.concurrency,
  registerSeconds: Math.round(registerMs) / 1000,
  badSignatures,
  burst,
  paced,
};
const out = resolve(values.out);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
