// Measures the PostgreSQL store's commit (one lifecycle change: alert + regions + incident +
// event, synchronous_commit on) at several concurrencies, and the NATS JetStream bus from
// "commit resolved" to "handler on another node called". Uses the machine's PostgreSQL and NATS,
// a fresh database and stream, removed afterwards. Usage: npm run bench:postgres-nats [-- --events N]
import { performance } from 'node:perf_hooks';
import { createNatsBus } from '../src/bus/nats.ts';
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts';
import type { EventRecord, Store } from '../src/store/store.ts';
import { issuedAlertChange } from '../src/store/testing.ts';
import { createTestStream } from '../test/helpers/nats.ts';
import { createTestDatabase } from '../test/helpers/postgres.ts';

const argIndex = process.argv.indexOf('--events');
const EVENTS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 2000;
let counter = 0;

function commit(store: Store): Promise<EventRecord> {
  const id = `bench-${process.pid}-${counter++}`;
  const json = JSON.stringify({ id, pad: 'x'.repeat(2000) }); // about the 2 KiB event of issue 6
  return store.commitAlertChange(
    issuedAlertChange(id, { json: (seq) => json.replace('{', `{"seq":${seq},`) }),
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
const ms = (v: number): string => v.toFixed(2);

async function commits(store: Store, concurrency: number, total: number): Promise<string> {
  const latencies: number[] = [];
  let left = total;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) {
        const t = performance.now();
        await commit(store);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return `| ${concurrency} | ${total} | ${ms(percentile(latencies, 50))} | ${ms(percentile(latencies, 99))} | ${ms(latencies.at(-1) ?? 0)} | ${Math.round(total / seconds)} |`;
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const s = createTestStream();
  const store = await openPostgresStore({ url: db.url, poolSize: 20 });
  try {
    for (let i = 0; i < 200; i++) await commit(store); // warm-up
    console.log('PostgreSQL commitAlertChange (one transaction, synchronous_commit on)\n');
    console.log(
      '| concurrency | commits | p50 ms | p99 ms | max ms | commits/s |\n| --- | --- | --- | --- | --- | --- |',
    );
    for (const c of [1, 10, 50]) console.log(await commits(store, c, EVENTS));

    const writer = await createNatsBus({
      url: s.url,
      stream: s.stream,
      subjectPrefix: s.subjectPrefix,
      source: store,
    });
    const reader = await createNatsBus({
      url: s.url,
      stream: s.stream,
      subjectPrefix: s.subjectPrefix,
      source: store,
    });
    const committedAt = new Map<number, number>();
    const delays: number[] = [];
    let wanted = 0;
    let arrived: (() => void) | undefined;
    reader.subscribe((event) => {
      const t = committedAt.get(event.seq);
      if (t !== undefined) delays.push(performance.now() - t);
      if (event.seq === wanted) arrived?.();
    });
    const n = Math.min(EVENTS, 1000);
    for (let i = 0; i < n; i++) {
      const event = await commit(store);
      committedAt.set(event.seq, performance.now());
      wanted = event.seq;
      const got = new Promise<void>((resolve) => (arrived = resolve));
      void writer.publish({
        seq: event.seq,
        id: event.id,
        type: event.type,
        regions: event.regions,
        json: event.json,
      });
      await got; // one at a time: latency, not throughput
    }
    delays.sort((a, b) => a - b);
    console.log(
      '\nNATS JetStream bus: commit resolved → handler on another node (one event at a time, 2 KiB)\n',
    );
    console.log('| events | p50 ms | p99 ms | max ms |\n| --- | --- | --- | --- |');
    console.log(
      `| ${delays.length} | ${ms(percentile(delays, 50))} | ${ms(percentile(delays, 99))} | ${ms(delays.at(-1) ?? 0)} |`,
    );
    await writer.close();
    await reader.close();
  } finally {
    await store.close();
    await s.cleanup();
    await db.drop();
  }
}

await main();
