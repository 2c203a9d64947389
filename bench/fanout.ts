// Fan-out benchmark (issue 6): Tocsin WebSocket, Tocsin SSE, Mosquitto (MQTT QoS 0) and NATS core,
// alternating within each round, each started here on its own loopback port and stopped by PID.
//   npm run bench:fanout                                  # 16,000 subscribers, 200 alerts, 3 rounds
//   npm run bench:fanout -- --subscribers 2000 --alerts 50 --rounds 1          # a quick run
//   npm run bench:fanout -- --contenders ws --subscribers 100000 --workers 6 --alerts 20 --rounds 1
//   npm run bench:fanout -- --workers 1                   # Tocsin as a single process
// Tocsin runs with `tocsin serve`'s own default, one stream worker per core (--workers 0).
// Contenders: ws, sse, mqtt, nats, and ws-stall (Tocsin WS with 1 % of subscribers not reading).
//
// Subscribers are a C epoll client (bench/fanout-client.c, compiled here with cc) in separate
// processes of at most --per-generator connections, bound to many 127.0.x.y source addresses
// (Tocsin allows 1,000 streams per address). Each parses every frame and checks that every event
// arrives once and in order. Closed loop: publish one event, wait until every subscriber of every
// generator has it, publish the next. Reported per contender (medians of the rounds):
// publish → last-subscriber latency p50/p99/max; deliveries per server CPU-second (utime+stime
// from /proc over the publish phase, all server processes); the generators' CPU beside it (they
// must not be the bottleneck: below the server's); RSS per idle subscriber; a burst of 10 events
// at once, in deliveries per CPU-second against the single-event rate; lost and duplicated events.
// Tocsin's "publish" is the operator's POST /v1/alerts (validate, sign, commit, then fan-out), so
// its latency includes the durable commit; the brokers' is a fire-and-forget publish.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { connect as natsConnect } from 'nats';
import { type Child, cpuSeconds, median, percentile, rssBytes, startChild, sum } from './proc.ts';
import { REPO_ROOT, type RunningServer, startMosquitto, startNats, startTocsin } from './servers.ts';

const { values } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '16000' },
    alerts: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    contenders: { type: 'string', default: 'ws,sse,mqtt,nats' },
    payload: { type: 'string', default: '2048' },
    bursts: { type: 'string', default: '5' },
    // Tocsin as it ships: `tocsin serve` runs one stream worker per core (0), as NATS uses every
    // core; --workers 1 measures a single process.
    workers: { type: 'string', default: '0' },
    'per-generator': { type: 'string', default: '16000' },
    'event-timeout-ms': { type: 'string', default: '60000' },
    'generator-sched': { type: 'string', default: 'other' },
    'generator-nap-us': { type: 'string', default: '0' },
    out: { type: 'string', default: 'bench/out/fanout.json' },
  },
});
const N = Number(values.subscribers);
const ALERTS = Number(values.alerts);
const ROUNDS = Number(values.rounds);
const PAYLOAD = Number(values.payload);
const BURSTS = Number(values.bursts);
const BURST_SIZE = 10;
const IDLE_PUBLISHES = 20;
const WORKERS = Number(values.workers);
/** What `--workers 0` means to `tocsin serve`: one stream worker per core (one core: no cluster). */
const WORKER_PROCESSES = WORKERS === 0 ? availableParallelism() : WORKERS;
const PER_GENERATOR = Math.min(18_000, Number(values['per-generator']));
const EVENT_TIMEOUT_MS = Number(values['event-timeout-ms']);
/** Under Tocsin's 1,000 streams per client address. */
const PER_SOURCE_ADDRESS = 900;
const CONTENDERS = (values.contenders as string).split(',').map((c) => c.trim());
/**
 * The generators' scheduling policy: `other` (the default policy) or `batch` (SCHED_BATCH, via
 * chrt). When generators share the cores with the server, each one woken by a write preempts the
 * server under the default policy: 22,000 preemptions of the servers and 32,000 generator wakeups
 * per event in the 100,000-subscriber run. A batch generator never preempts on wakeup; it reads
 * later, never earlier, so its receipt times (the latency) are not flattered.
 */
const GENERATOR_SCHED = values['generator-sched'] as string;
/**
 * `--generator-nap-us N`: after a wakeup that brought data, a generator sleeps N µs and takes
 * everything that arrived meanwhile, blocking again only when nothing is ready
 * (bench/fanout-client.c). Asleep, it is not woken by each write, so the server's writes stop
 * paying a wakeup apiece. Receipts are read later, never earlier (≤ N µs): latency is not flattered.
 */
const GENERATOR_NAP_US = Number(values['generator-nap-us']);
if (!Number.isInteger(GENERATOR_NAP_US) || GENERATOR_NAP_US < 0 || GENERATOR_NAP_US >= 1_000_000)
  throw new Error(`--generator-nap-us 0..999999, not ${values['generator-nap-us']}`);
if (GENERATOR_SCHED !== 'other' && GENERATOR_SCHED !== 'batch')
  throw new Error(`--generator-sched other|batch, not ${GENERATOR_SCHED}`);

type Proto = 'ws' | 'sse' | 'mqtt' | 'nats';

interface Contender {
  name: string;
  proto: Proto;
  stallPermille: number;
  start(): Promise<{
    server: RunningServer;
    path: string;
    publish: (k: number) => Promise<void>;
    close(): Promise<void>;
  }>;
}

/** A payload of about PAYLOAD bytes that carries `"seq":k` (what the generator parses). */
function brokerPayload(k: number): Buffer {
  const head = `{"seq":${k},"type":"alert.issued","pad":"`;
  return Buffer.from(`${head}${'x'.repeat(Math.max(0, PAYLOAD - head.length - 2))}"}`);
}

// Tocsin's event JSON carries the alert as issued: the instruction text pads it to about 2 KiB.
const INSTRUCTION = 'Негайно пройдіть в укриття. '.repeat(Math.max(1, Math.round((PAYLOAD - 1300) / 100)));

function tocsin(proto: 'ws' | 'sse', stallPermille: number, name: string): Contender {
  return {
    name,
    proto,
    stallPermille,
    async start() {
      const server = await startTocsin({ workers: WORKERS });
      const headers = { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' };
      return {
        server,
        path: '/v1/stream?regions=UA-59',
        async publish(k) {
          const response = await fetch(`${server.url}/v1/alerts`, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              event: 'air_raid',
              regions: ['UA-59'],
              status: 'Exercise',
              headline: { uk: `Навчання ${k}`, en: `Exercise ${k}` },
              instruction: { uk: INSTRUCTION, en: 'Go to a shelter now.' },
            }),
          });
          if (response.status !== 201)
            throw new Error(`POST /v1/alerts: ${response.status} ${await response.text()}`);
          await response.arrayBuffer();
        },
        close: async () => {},
      };
    },
  };
}

const mosquitto: Contender = {
  name: 'Mosquitto (MQTT QoS 0)',
  proto: 'mqtt',
  stallPermille: 0,
  async start() {
    const server = await startMosquitto();
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${server.port}`, { reconnectPeriod: 0 });
    return {
      server,
      path: '',
      publish: async (k) => {
        await client.publishAsync('alerts', brokerPayload(k), { qos: 0 });
      },
      close: () => client.endAsync(),
    };
  },
};

const nats: Contender = {
  name: 'NATS core',
  proto: 'nats',
  stallPermille: 0,
  async start() {
    const server = await startNats();
    const client = await natsConnect({ servers: `127.0.0.1:${server.port}` });
    return {
      server,
      path: '',
      publish: async (k) => {
        client.publish('alerts', brokerPayload(k));
        await client.flush();
      },
      close: () => client.close(),
    };
  },
};

const ALL: Record<string, Contender> = {
  ws: tocsin('ws', 0, 'Tocsin WebSocket'),
  sse: tocsin('sse', 0, 'Tocsin SSE'),
  'ws-stall': tocsin('ws', 10, 'Tocsin WebSocket, 1 % stalled'),
  mqtt: mosquitto,
  nats,
};

interface Generator {
  child: Child;
  /** Receipt time (ns, CLOCK_MONOTONIC) of each completed event, in completion order. */
  done: bigint[];
  waiters: (() => void)[];
}

function compileClient(): string {
  const dir = join(REPO_ROOT, 'bench/out');
  mkdirSync(dir, { recursive: true });
  const binary = join(dir, 'fanout-client');
  execFileSync('cc', ['-O2', '-Wall', '-o', binary, join(REPO_ROOT, 'bench/fanout-client.c')], {
    stdio: 'inherit',
  });
  return binary;
}

function startGenerators(
  binary: string,
  proto: Proto,
  port: number,
  path: string,
  stall: number,
): Generator[] {
  const generators: Generator[] = [];
  const count = Math.ceil(N / PER_GENERATOR);
  let sourceIndex = 0;
  for (let g = 0; g < count; g++) {
    const n = Math.min(PER_GENERATOR, N - g * PER_GENERATOR);
    const args = [
      proto,
      '127.0.0.1',
      String(port),
      String(n),
      String(sourceIndex),
      String(PER_SOURCE_ADDRESS),
      String(stall),
    ];
    if (path) args.push(path);
    sourceIndex += Math.ceil(n / PER_SOURCE_ADDRESS);
    const env = { ...process.env, FANOUT_NAP_US: String(GENERATOR_NAP_US) };
    const child =
      GENERATOR_SCHED === 'batch'
        ? startChild('chrt', ['--batch', '0', binary, ...args], { env })
        : startChild(binary, args, { env });
    const gen: Generator = { child, done: [], waiters: [] };
    let partial = '';
    gen.child.proc.stdout?.on('data', (chunk: string) => {
      partial += chunk;
      let nl = partial.indexOf('\n');
      while (nl >= 0) {
        const line = partial.slice(0, nl);
        partial = partial.slice(nl + 1);
        if (line.startsWith('D ')) {
          gen.done.push(BigInt(line.split(' ')[2] as string));
          for (const wake of gen.waiters.splice(0)) wake();
        }
        nl = partial.indexOf('\n');
      }
    });
    generators.push(gen);
  }
  return generators;
}

/** Resolves when every generator completed `k` events; rejects after the timeout. */
function completed(generators: Generator[], k: number): Promise<void> {
  const waitOne = (gen: Generator) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`event ${k} not complete after ${EVENT_TIMEOUT_MS} ms`)),
        EVENT_TIMEOUT_MS,
      );
      const check = () => {
        if (gen.done.length >= k) {
          clearTimeout(timer);
          resolve();
        } else gen.waiters.push(check);
      };
      check();
    });
  return Promise.all(generators.map(waitOne)).then(() => {});
}

const cpuOf = (pids: number[]) => sum(pids.map(cpuSeconds));
const rssOf = (pids: number[]) => sum(pids.map(rssBytes));

interface RoundResult {
  contender: string;
  round: number;
  subscribers: number;
  failedConnections: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  deliveriesPerCpuS: number;
  /** Derived: the server's CPU less what the same publishes cost with nobody subscribed. */
  fanoutPerCpuS: number;
  publishCpuMs: number;
  burstFanoutPerCpuS: number | null;
  serverCpuS: number;
  generatorCpuS: number;
  burstDeliveriesPerCpuS: number | null;
  rssPerIdleSubscriberKiB: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  payloadBytes: number;
  /** Publish → last subscriber of each closed-loop event, in publish order. */
  latenciesMs: number[];
}

async function runOne(binary: string, contender: Contender, round: number): Promise<RoundResult> {
  const started = await contender.start();
  const { server } = started;
  const generators: Generator[] = [];
  try {
    // What one publish costs the server with nobody subscribed (for Tocsin: the POST, validation,
    // signing, the commit): subtracted below for the fan-out-only figure.
    const idlePids = server.pids();
    const idle0 = cpuOf(idlePids);
    for (let i = 0; i < IDLE_PUBLISHES; i++) await started.publish(1_000_000 + i);
    const publishCpuS = (cpuOf(idlePids) - idle0) / IDLE_PUBLISHES;
    const rssBefore = rssOf(server.pids());
    generators.push(
      ...startGenerators(binary, contender.proto, server.port, started.path, contender.stallPermille),
    );
    const ready = await Promise.all(generators.map((g) => g.child.line(/READY (\d+) (\d+)/, 180_000)));
    const failed = sum(ready.map((m) => Number(m[2])));
    // Tocsin: wait until the snapshots went out (one heartbeat-free moment), via one warm-up event.
    await started.publish(0);
    await completed(generators, 1);
    const rssIdle = rssOf(server.pids());

    const pids = server.pids();
    const genPids = generators.map((g) => g.child.pid);
    const cpu0 = cpuOf(pids);
    const gen0 = cpuOf(genPids);
    const latencies: number[] = [];
    for (let k = 1; k <= ALERTS; k++) {
      const t0 = process.hrtime.bigint();
      await started.publish(k);
      await completed(generators, k + 1);
      const last = generators.reduce(
        (max, g) => ((g.done[k] as bigint) > max ? (g.done[k] as bigint) : max),
        0n,
      );
      latencies.push(Number(last - t0) / 1e6);
    }
    const cpu1 = cpuOf(pids);
    const gen1 = cpuOf(genPids);
    const readers = N - failed - Math.round((N * contender.stallPermille) / 1000);
    const deliveries = readers * ALERTS;

    let burstRate: number | null = null;
    let burstFanoutRate: number | null = null;
    if (BURSTS > 0) {
      const b0 = cpuOf(pids);
      let k = ALERTS + 1;
      for (let b = 0; b < BURSTS; b++) {
        const batch: Promise<void>[] = [];
        for (let i = 0; i < BURST_SIZE; i++) batch.push(started.publish(k++));
        await Promise.all(batch);
        await completed(generators, k);
      }
      const burstCpu = cpuOf(pids) - b0;
      const burstDeliveries = readers * BURSTS * BURST_SIZE;
      burstRate = burstDeliveries / Math.max(0.01, burstCpu);
      burstFanoutRate = burstDeliveries / Math.max(0.01, burstCpu - BURSTS * BURST_SIZE * publishCpuS);
    }

    for (const g of generators) g.child.proc.stdin?.write('Q\n');
    const stats = await Promise.all(
      generators.map((g) => g.child.line(/S (\d+) (\d+) (\d+) (\d+) (\d+)/, 60_000)),
    );
    const col = (i: number) => sum(stats.map((m) => Number(m[i])));
    const inOrder = latencies.map((ms) => Math.round(ms * 10) / 10);
    latencies.sort((a, b) => a - b);
    return {
      contender: contender.name,
      round,
      subscribers: N,
      failedConnections: failed,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: latencies[latencies.length - 1] ?? Number.NaN,
      deliveriesPerCpuS: deliveries / Math.max(0.01, cpu1 - cpu0),
      fanoutPerCpuS: deliveries / Math.max(0.01, cpu1 - cpu0 - ALERTS * publishCpuS),
      publishCpuMs: publishCpuS * 1000,
      burstFanoutPerCpuS: burstFanoutRate,
      serverCpuS: cpu1 - cpu0,
      generatorCpuS: gen1 - gen0,
      burstDeliveriesPerCpuS: burstRate,
      rssPerIdleSubscriberKiB: (rssIdle - rssBefore) / Math.max(1, N - failed) / 1024,
      lost: col(2),
      duplicated: col(3),
      outOfOrder: col(4),
      payloadBytes: Math.round(col(5) / stats.length),
      latenciesMs: inOrder,
    };
  } finally {
    for (const g of generators) await g.child.stop(2_000);
    await started.close().catch(() => {});
    await server.stop();
  }
}

const fmt = (n: number | null, digits = 0) =>
  n === null || Number.isNaN(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits });

async function main(): Promise<void> {
  const binary = compileClient();
  const contenders = CONTENDERS.map((c) => {
    const found = ALL[c];
    if (!found) throw new Error(`unknown contender ${c} (ws, sse, ws-stall, mqtt, nats)`);
    return found;
  });
  console.log(
    `fan-out: ${N} subscribers, ${ALERTS} events of ~${PAYLOAD} B, ${ROUNDS} round(s), Tocsin workers ${WORKERS === 0 ? `0 (one per core: ${WORKER_PROCESSES})` : WORKERS}, ` +
      `${Math.ceil(N / PER_GENERATOR)} generator process(es) (${GENERATOR_SCHED === 'batch' ? 'SCHED_BATCH' : 'default scheduling'}${GENERATOR_NAP_US > 0 ? `, nap ${GENERATOR_NAP_US} µs` : ''}); ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}`,
  );
  const results: RoundResult[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    for (const contender of contenders) {
      try {
        const r = await runOne(binary, contender, round);
        results.push(r);
        console.log(
          `round ${round} ${r.contender}: p50 ${fmt(r.p50Ms, 1)} ms, p99 ${fmt(r.p99Ms, 1)} ms, max ${fmt(r.maxMs, 1)} ms, ` +
            `${fmt(r.deliveriesPerCpuS)} deliveries/CPU-s, fan-out only ${fmt(r.fanoutPerCpuS)} (publish ${fmt(r.publishCpuMs, 2)} ms CPU) (server ${fmt(r.serverCpuS, 2)} s, generators ${fmt(r.generatorCpuS, 2)} s), ` +
            `burst ${fmt(r.burstDeliveriesPerCpuS)}/CPU-s (fan-out only ${fmt(r.burstFanoutPerCpuS)}), RSS ${fmt(r.rssPerIdleSubscriberKiB, 1)} KiB/sub, ` +
            `lost ${r.lost}, dup ${r.duplicated}, out-of-order ${r.outOfOrder}, failed ${r.failedConnections}, payload ${r.payloadBytes} B`,
        );
      } catch (error) {
        console.log(`round ${round} ${contender.name}: FAILED: ${(error as Error).message}`);
      }
    }
  }

  console.log('\nMedians of the rounds:\n');
  console.log(
    '| contender | p50 ms | p99 ms | max ms | deliveries / server CPU-s | fan-out only (derived) | burst of 10 / CPU-s | burst ÷ single (fan-out only) | publish CPU ms | generator CPU ÷ server CPU | RSS / idle subscriber | lost | dup |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const summary: Record<string, Record<string, number | null>> = {};
  for (const contender of contenders) {
    const rs = results.filter((r) => r.contender === contender.name);
    if (rs.length === 0) continue;
    const m = (f: (r: RoundResult) => number) => median(rs.map(f));
    const row = {
      p50Ms: m((r) => r.p50Ms),
      p99Ms: m((r) => r.p99Ms),
      maxMs: m((r) => r.maxMs),
      deliveriesPerCpuS: m((r) => r.deliveriesPerCpuS),
      fanoutPerCpuS: m((r) => r.fanoutPerCpuS),
      publishCpuMs: m((r) => r.publishCpuMs),
      burstDeliveriesPerCpuS: BURSTS > 0 ? m((r) => r.burstDeliveriesPerCpuS ?? 0) : null,
      burstFanoutPerCpuS: BURSTS > 0 ? m((r) => r.burstFanoutPerCpuS ?? 0) : null,
      generatorShare: m((r) => r.generatorCpuS / Math.max(0.01, r.serverCpuS)),
      rssPerIdleSubscriberKiB: m((r) => r.rssPerIdleSubscriberKiB),
      lost: sum(rs.map((r) => r.lost)),
      duplicated: sum(rs.map((r) => r.duplicated + r.outOfOrder)),
    };
    summary[contender.name] = row;
    console.log(
      `| ${contender.name} | ${fmt(row.p50Ms, 1)} | ${fmt(row.p99Ms, 1)} | ${fmt(row.maxMs, 1)} | ${fmt(row.deliveriesPerCpuS)} | ${fmt(row.fanoutPerCpuS)} | ` +
        `${fmt(row.burstDeliveriesPerCpuS)} | ${row.burstDeliveriesPerCpuS === null ? '—' : fmt(row.burstDeliveriesPerCpuS / row.deliveriesPerCpuS, 2)}× ` +
        `(${row.burstFanoutPerCpuS === null ? '—' : fmt(row.burstFanoutPerCpuS / row.fanoutPerCpuS, 2)}×) | ${fmt(row.publishCpuMs, 2)} | ` +
        `${fmt(row.generatorShare, 2)} | ${fmt(row.rssPerIdleSubscriberKiB, 1)} KiB | ${row.lost} | ${row.duplicated} |`,
    );
  }
  const ratio = (a: string, b: string, key: string) => {
    const x = summary[a]?.[key];
    const y = summary[b]?.[key];
    return typeof x === 'number' && typeof y === 'number' ? x / y : null;
  };
  console.log('\nRatios (same run):');
  console.log(
    `  Tocsin WS ÷ NATS, deliveries per CPU-s: ${fmt(ratio('Tocsin WebSocket', 'NATS core', 'deliveriesPerCpuS'), 2)} (fan-out only ${fmt(ratio('Tocsin WebSocket', 'NATS core', 'fanoutPerCpuS'), 2)}; target ≥ 1.5)`,
  );
  console.log(
    `  Tocsin WS ÷ Mosquitto, deliveries per CPU-s: ${fmt(ratio('Tocsin WebSocket', 'Mosquitto (MQTT QoS 0)', 'deliveriesPerCpuS'), 2)} (fan-out only ${fmt(ratio('Tocsin WebSocket', 'Mosquitto (MQTT QoS 0)', 'fanoutPerCpuS'), 2)}; target ≥ 4)`,
  );
  console.log(
    `  Tocsin WS p99 ÷ NATS p99: ${fmt(ratio('Tocsin WebSocket', 'NATS core', 'p99Ms'), 2)} (target ≤ 0.75)`,
  );
  console.log(
    `  SSE ÷ WS, deliveries per CPU-s: ${fmt(ratio('Tocsin SSE', 'Tocsin WebSocket', 'deliveriesPerCpuS'), 2)} (fan-out only ${fmt(ratio('Tocsin SSE', 'Tocsin WebSocket', 'fanoutPerCpuS'), 2)}; target ≥ 0.9)`,
  );
  console.log(
    `  WS with 1 % stalled, p99 ÷ WS p99: ${fmt(ratio('Tocsin WebSocket, 1 % stalled', 'Tocsin WebSocket', 'p99Ms'), 2)} (target ≤ 1.2)`,
  );

  mkdirSync(join(REPO_ROOT, 'bench/out'), { recursive: true });
  writeFileSync(
    resolve(REPO_ROOT, values.out as string),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: cpus().length, subscribers: N, alerts: ALERTS, payload: PAYLOAD, workers: WORKERS, workerProcesses: WORKER_PROCESSES, generatorSched: GENERATOR_SCHED, generatorNapUs: GENERATOR_NAP_US, rounds: results, summary }, null, 2)}\n`,
  );
}

await main();
