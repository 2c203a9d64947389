// API benchmark (issue 4), autocannon in the same run:
//   (a) GET /v1/state requests/s: Tocsin (one process, and with --workers) against nginx (Debian
//       package) serving a static file of the same bytes from the same machine; target ≥ 0.5× nginx;
//       and, as a second baseline, bare node:http answering the same bytes (bench/node-static.ts);
//   (b) issue latency (POST /v1/alerts: validate, resolve, sign, commit, respond) p50/p99 at 10
//       and 50 concurrent clients, on SQLite and on PostgreSQL; target p99 ≤ 5 ms at 10 on SQLite.
//   npm run bench:api                                     # 3 rounds, 5 s per state run, 2,000 issues
//   npm run bench:api -- --rounds 1 --duration 2 --issues 300 --warmup 100   # a quick run
// Latency is the running hub's: each issue run starts after `--warmup` issues at the same
// concurrency on the same server (first-use and JIT costs are not issue latency).
// Contenders alternate within each round; medians of the rounds. Every server is started here on
// a free loopback port and stopped by its PID. Results go to bench/out/api.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadDefaultRegions } from '../src/store/default-regions.ts';
import { median } from './proc.ts';
import { REPO_ROOT, startNginx, startNodeStatic, startTocsin, type TocsinServer } from './servers.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    issues: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '500' },
    workers: { type: 'string', default: '2' },
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    'skip-postgres': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/out/api.json' },
  },
});
const ROUNDS = Number(values.rounds);
const DURATION_S = Number(values.duration);
const STATE_CONNECTIONS = Number(values.connections);
const STATE_WARMUP_S = 1;
const ISSUES = Number(values.issues);
const WARMUP = Number(values.warmup);
const WORKERS = Number(values.workers);

// The 27 first-level regions of the shipped data: issues spread over them as a real day would.
const OBLASTS = loadDefaultRegions()
  .filter((r) => r.level === 'oblast')
  .map((r) => r.code);

// The part of autocannon 9's API used here (the package ships no types).
interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: CannonRequest) => CannonRequest;
}
interface CannonOptions {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  headers?: Record<string, string>;
  requests?: CannonRequest[];
}
interface CannonHistogram {
  average: number;
  p50: number;
  p99: number;
  max: number;
}
interface CannonResult {
  requests: CannonHistogram;
  latency: CannonHistogram;
  non2xx: number;
  errors: number;
}
type Autocannon = (
  options: CannonOptions,
  done: (error: Error | null, result: CannonResult) => void,
) => unknown;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function run(options: CannonOptions): Promise<CannonResult> {
  return new Promise((done, fail) => {
    autocannon(options, (error, result) => (error ? fail(error) : done(result)));
  });
}

async function issueOne(server: TocsinServer, region: string): Promise<void> {
  const response = await fetch(`${server.url}/v1/alerts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'air_raid', regions: [region], status: 'Exercise' }),
  });
  if (response.status !== 201) throw new Error(`issue: ${response.status} ${await response.text()}`);
}

/**
 * (a) One autocannon run of GET against `url`; requests/s mean. A `STATE_WARMUP_S` run goes
 * first, unmeasured, for every server alike: a running hub's rate, not its JIT warm-up (a cold
 * Node server does about half its steady rate in its first second here).
 */
async function stateRun(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ rps: number; p99: number; non2xx: number }> {
  await run({ url, connections: STATE_CONNECTIONS, duration: STATE_WARMUP_S, headers });
  const result = await run({ url, connections: STATE_CONNECTIONS, duration: DURATION_S, headers });
  return { rps: result.requests.average, p99: result.latency.p99, non2xx: result.non2xx + result.errors };
}

/** (b) `amount` POST /v1/alerts at `connections`, short form, regions in turn. */
async function issueRun(
  server: TocsinServer,
  connections: number,
  amount: number,
): Promise<{ p50: number; p99: number; max: number; rps: number; bad: number }> {
  let counter = 0;
  const result = await run({
    url: server.url,
    connections,
    amount,
    requests: [
      {
        method: 'POST',
        path: '/v1/alerts',
        headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
        setupRequest: (request) => {
          const region = OBLASTS[counter++ % OBLASTS.length] as string;
          return {
            ...request,
            body: JSON.stringify({ event: 'drone', regions: [region], status: 'Exercise' }),
          };
        },
      },
    ],
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    // autocannon ends an `amount` run on its 1 s sampling tick: the run's own duration would be
    // rounded up to whole seconds, so the rate is Little's law over the closed loop instead.
    rps: (connections * 1000) / result.latency.average,
    bad: result.non2xx + result.errors,
  };
}

async function withDatabase<T>(work: (url: string) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: values.postgres as string });
  await admin.connect();
  const name = `tocsin_bench_${process.pid}_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${name}`);
  try {
    const url = new URL(values.postgres as string);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const fmt = (n: number, digits = 0) =>
  Number.isNaN(n) ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits });

async function main(): Promise<void> {
  console.log(`api: ${ROUNDS} round(s); ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}`);
  const state: Record<string, number[]> = {};
  const push = (key: string, value: number) => {
    state[key] ??= [];
    state[key].push(value);
  };
  const issues: Record<string, { p50: number[]; p99: number[]; max: number[]; rps: number[] }> = {};
  let stateBytes = 0;

  for (let round = 1; round <= ROUNDS; round++) {
    // (a) the same state document from Tocsin (1 process, then with workers) and from nginx.
    for (const workers of [1, WORKERS]) {
      const server = await startTocsin({ workers });
      try {
        for (const region of ['UA-59', 'UA-63', 'UA-65']) await issueOne(server, region);
        const body = await (await fetch(`${server.url}/v1/state`)).text();
        stateBytes = Buffer.byteLength(body);
        const tocsin = await stateRun(`${server.url}/v1/state`);
        push(`tocsin-${workers}`, tocsin.rps);
        console.log(
          `round ${round} GET /v1/state, Tocsin --workers ${workers}: ${fmt(tocsin.rps)} req/s, p99 ${tocsin.p99} ms, non-2xx/errors ${tocsin.non2xx}`,
        );
        if (workers === 1) {
          const nginx = await startNginx({ name: 'state.json', body });
          try {
            const result = await stateRun(nginx.url);
            push('nginx', result.rps);
            console.log(
              `round ${round} GET static file (${stateBytes} B), nginx: ${fmt(result.rps)} req/s, p99 ${result.p99} ms`,
            );
          } finally {
            await nginx.stop();
          }
          const bare = await startNodeStatic(body);
          try {
            const result = await stateRun(bare.url);
            push('node', result.rps);
            console.log(
              `round ${round} GET the same bytes, bare node:http: ${fmt(result.rps)} req/s, p99 ${result.p99} ms`,
            );
          } finally {
            await bare.stop();
          }
        }
      } finally {
        await server.stop();
      }
    }

    // (b) issue latency, each engine and concurrency on a fresh server.
    const engines: ['sqlite' | 'postgres', string | undefined][] = [['sqlite', undefined]];
    for (const [engine] of values['skip-postgres'] ? engines : [...engines, ['postgres', 'pg'] as const]) {
      for (const connections of [10, 50]) {
        const measure = async (databaseUrl?: string) => {
          const server = await startTocsin({ workers: 1, ...(databaseUrl ? { databaseUrl } : {}) });
          try {
            const warm = await issueRun(server, connections, WARMUP);
            if (warm.bad > 0) throw new Error(`warm-up: ${warm.bad} issues failed`);
            return await issueRun(server, connections, ISSUES);
          } finally {
            await server.stop();
          }
        };
        const r = engine === 'postgres' ? await withDatabase(measure) : await measure();
        const key = `${engine} ${connections}`;
        issues[key] ??= { p50: [], p99: [], max: [], rps: [] };
        issues[key].p50.push(r.p50);
        issues[key].p99.push(r.p99);
        issues[key].max.push(r.max);
        issues[key].rps.push(r.rps);
        console.log(
          `round ${round} issue on ${engine}, ${connections} clients: p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms, ${fmt(r.rps)} issues/s, non-2xx/errors ${r.bad}`,
        );
      }
    }
  }

  const nginx = median(state.nginx ?? []);
  console.log(
    `\n(a) GET /v1/state (${stateBytes} B, 3 active alerts), ${STATE_CONNECTIONS} connections, ${DURATION_S} s, medians of ${ROUNDS}:\n`,
  );
  const bare = median(state.node ?? []);
  console.log('| server | requests/s | ÷ nginx | ÷ bare node:http |');
  console.log('| --- | --- | --- | --- |');
  console.log(`| nginx, static file of the same bytes | ${fmt(nginx)} | 1 | ${fmt(nginx / bare, 2)} |`);
  console.log(
    `| bare node:http, the same bytes to every request | ${fmt(bare)} | ${fmt(bare / nginx, 2)} | 1 |`,
  );
  for (const workers of [1, WORKERS]) {
    const rps = median(state[`tocsin-${workers}`] ?? []);
    console.log(
      `| Tocsin, --workers ${workers} | ${fmt(rps)} | ${fmt(rps / nginx, 2)} | ${fmt(rps / bare, 2)} |`,
    );
  }
  console.log(
    `\n(b) POST /v1/alerts (short form), ${ISSUES} issues per run after ${WARMUP} to warm up, medians of ${ROUNDS}:\n`,
  );
  console.log('| store | clients | p50 ms | p99 ms | max ms | ≈ issues/s (clients ÷ mean latency) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const [key, r] of Object.entries(issues)) {
    const [engine, connections] = key.split(' ');
    console.log(
      `| ${engine} | ${connections} | ${fmt(median(r.p50), 1)} | ${fmt(median(r.p99), 1)} | ${fmt(median(r.max), 1)} | ${fmt(median(r.rps))} |`,
    );
  }
  mkdirSync(resolve(REPO_ROOT, 'bench/out'), { recursive: true });
  writeFileSync(
    resolve(REPO_ROOT, values.out as string),
    `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: cpus().length, stateBytes, state, issues }, null, 2)}\n`,
  );
}

await main();
