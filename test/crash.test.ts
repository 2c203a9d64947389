// Crash safety: `tocsin serve` is killed with SIGKILL while concurrent clients issue and end
// alerts. After a restart on the same data dir, every alert that got a 201 is there exactly
// once with its event, the event seqs run 1..N with no gap or repeat, and the region state the
// hub serves equals the state recomputed from the event log. The kill is triggered by the
// count of responses received, never by a timer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openPostgresStore } from '../src/store/postgres/postgres-store.ts';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { makeTempDir, mintServeToken, spawnServe } from './helpers/hub.ts';
import { createTestDatabase } from './helpers/postgres.ts';

const CLIENTS = 8;
/** Responses (201s) to collect before the kill. */
const KILL_AFTER = 40;
const REGIONS = [
  'UA-05',
  'UA-07',
  'UA-12',
  'UA-14',
  'UA-18',
  'UA-21',
  'UA-23',
  'UA-26',
  'UA-32',
  'UA-35',
  'UA-46',
  'UA-48',
  'UA-51',
  'UA-53',
  'UA-56',
  'UA-59',
  'UA-61',
  'UA-63',
  'UA-65',
  'UA-68',
  'UA-71',
  'UA-74',
  'UA-77',
];

interface Acked {
  issued: string[];
  /** The all-clear alerts that got a 201, with the incident they ended. */
  ended: { id: string; incident: string }[];
}

/** The bearer token of the scenario running now (minted into its data dir or database). */
let authorization = '';

async function post(url: string, body?: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    ...(body === undefined
      ? { headers: { authorization } }
      : { headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
}

/** One client: issue, and end every second alert it issued, until the server goes away. */
async function client(base: string, n: number, acked: Acked, onResponse: () => void): Promise<void> {
  let i = 0;
  let open: string | undefined;
  for (;;) {
    try {
      const region = REGIONS[(n * 7 + i++) % REGIONS.length] as string;
      const issued = await post(`${base}/v1/alerts`, {
        event: i % 2 ? 'air_raid' : 'drone',
        regions: [region],
      });
      if (issued.status !== 201) throw new Error(`issue: ${issued.status} ${await issued.text()}`);
      const id = ((await issued.json()) as { alert: { id: string } }).alert.id;
      acked.issued.push(id);
      onResponse();
      if (open !== undefined) {
        const cleared = await post(`${base}/v1/alerts/${encodeURIComponent(open)}/all-clear`);
        if (cleared.status !== 201) throw new Error(`all-clear: ${cleared.status} ${await cleared.text()}`);
        const body = (await cleared.json()) as { alert: { id: string; incident: string } };
        acked.ended.push({ id: body.alert.id, incident: body.alert.incident });
        onResponse();
        open = undefined;
      } else open = id;
    } catch (error) {
      // The server was killed: connection refused or reset. Anything else is a real failure.
      const code = (error as { cause?: { code?: string } }).cause?.code;
      if (
        code === 'ECONNREFUSED' ||
        code === 'ECONNRESET' ||
        code === 'UND_ERR_SOCKET' ||
        (error as Error).message === 'fetch failed'
      )
        return;
      throw error;
    }
  }
}

interface SignedEventJson {
  seq: number;
  type: string;
  alert: { id: string; incident: string; regions: { code: string }[] };
}

for (const engine of ['sqlite', 'postgres'] as const) {
  test(`SIGKILL under concurrent writes loses no acknowledged alert and leaves a gap-free, consistent log (${engine})`, async (t) => {
    await crashScenario(t, engine);
  });
}

async function crashScenario(
  t: { after: (fn: () => unknown) => void },
  engine: 'sqlite' | 'postgres',
): Promise<void> {
  const temp = makeTempDir('tocsin-crash-');
  t.after(temp.remove);
  const database = engine === 'postgres' ? await createTestDatabase() : undefined;
  if (database) t.after(() => database.drop());
  const env = { DATABASE_URL: database?.url ?? '' };
  authorization = `Bearer ${await mintServeToken({ dataDir: temp.dir, databaseUrl: env.DATABASE_URL })}`;
  const first = await spawnServe(['--port', '0', '--data-dir', temp.dir], env);
  t.after(() => {
    if (first.child.exitCode === null && first.child.signalCode === null) first.child.kill('SIGKILL');
  });

  const acked: Acked = { issued: [], ended: [] };
  let responses = 0;
  let killed = false;
  const onResponse = () => {
    responses += 1;
    if (!killed && responses >= KILL_AFTER) {
      killed = true;
      first.child.kill('SIGKILL');
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(first.url, n, acked, onResponse)));
  const exit = await first.exited;
  assert.equal(exit.signal, 'SIGKILL');
  assert.ok(acked.issued.length >= KILL_AFTER / 2, `only ${acked.issued.length} alerts acknowledged`);
  assert.ok(acked.ended.length > 0, 'some all-clears were acknowledged too');

  // Restart on the same data dir.
  const second = await spawnServe(['--port', '0', '--data-dir', temp.dir], env);
  t.after(() => {
    if (second.child.exitCode === null && second.child.signalCode === null) second.child.kill('SIGKILL');
  });
  for (const id of acked.issued) {
    const reply = await fetch(`${second.url}/v1/alerts/${encodeURIComponent(id)}`);
    assert.equal(reply.status, 200, `acknowledged alert ${id} is missing after the crash`);
  }
  const served = (await (await fetch(`${second.url}/v1/state`)).json()) as {
    regions: Record<string, { incident: string; region: string }[]>;
  };
  second.child.kill('SIGTERM');
  assert.equal((await second.exited).code, 0);

  // The event log, read from the database the hub wrote.
  const store = database
    ? await openPostgresStore({ url: database.url })
    : await openSqliteStore({ dataDir: temp.dir });
  t.after(() => store.close());
  const latest = await store.latestSeq();
  const events = (await store.readEvents(0, latest + 10)).map((e) => ({
    ...e,
    body: JSON.parse(e.json) as SignedEventJson,
  }));
  assert.deepEqual(
    events.map((e) => e.seq),
    Array.from({ length: latest }, (_, i) => i + 1),
    'event seqs must run 1..N with no gap or repeat',
  );
  for (const e of events) assert.equal(e.body.seq, e.seq, 'the signed event carries its own seq');

  const count = (type: string, alertId: string) =>
    events.filter((e) => e.type === type && e.body.alert.id === alertId).length;
  for (const id of acked.issued)
    assert.equal(count('alert.issued', id), 1, `alert ${id}: exactly one alert.issued event`);
  for (const { id } of acked.ended)
    assert.equal(count('alert.ended', id), 1, `all-clear ${id}: exactly one alert.ended event`);
  const issuedIds = events.filter((e) => e.type === 'alert.issued').map((e) => e.body.alert.id);
  assert.equal(new Set(issuedIds).size, issuedIds.length, 'no alert issued twice');

  // Region state recomputed from the log: incidents issued and not ended, by the regions they were placed on.
  const active = new Map<string, string[]>();
  for (const e of events) {
    if (e.type === 'alert.issued' || e.type === 'alert.updated') {
      active.set(
        e.body.alert.incident,
        e.body.alert.regions.map((r) => r.code),
      );
    } else if (e.type === 'alert.ended') active.delete(e.body.alert.incident);
  }
  const push = (m: Record<string, string[]>, code: string, incident: string) => {
    m[code] = [...(m[code] ?? []), incident];
  };
  const recomputed: Record<string, string[]> = {};
  for (const [incident, codes] of active) for (const code of codes) push(recomputed, code, incident);
  const fromHub: Record<string, string[]> = {};
  for (const [code, entries] of Object.entries(served.regions)) {
    for (const entry of entries) if (entry.region === code) push(fromHub, code, entry.incident);
  }
  const sorted = (m: Record<string, string[]>) =>
    Object.fromEntries(
      Object.entries(m)
        .map(([k, v]) => [k, [...v].sort()])
        .sort(),
    );
  assert.deepEqual(sorted(fromHub), sorted(recomputed));
  assert.ok(active.size > 0, 'some incidents are still active, so the comparison is not vacuous');
}
