// A node killed with SIGKILL while it commits and publishes: a relay started afterwards puts
// every committed event in the stream exactly once, in seq order. The file is both the test and,
// with TOCSIN_NATS_CRASH_CHILD set, the child process it kills.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createTestStream } from '../../test/helpers/nats.ts';
import { createTestDatabase } from '../../test/helpers/postgres.ts';
import { openPostgresStore } from '../store/postgres/postgres-store.ts';
import type { Store } from '../store/store.ts';
import { issuedAlertChange } from '../store/testing.ts';
import type { BusEvent } from './bus.ts';
import { createNatsBus } from './nats.ts';

const KILL_AFTER_COMMITS = 40;

function commitEvent(store: Store, id: string) {
  return store.commitAlertChange(issuedAlertChange(id, { json: (seq) => JSON.stringify({ seq, id }) }));
}

/** The child: four writers commit and publish without pause until killed. */
async function child(): Promise<void> {
  const env = process.env;
  const store = await openPostgresStore({ url: env.TOCSIN_PG_URL ?? '' });
  const bus = await createNatsBus({
    url: env.TOCSIN_NATS_URL ?? '',
    stream: env.TOCSIN_NATS_STREAM ?? '',
    subjectPrefix: env.TOCSIN_NATS_PREFIX ?? '',
    source: store,
  });
  let n = 0;
  const writer = async (w: number): Promise<never> => {
    for (;;) {
      const event = await commitEvent(store, `crash-${w}-${n++}`);
      process.stdout.write(`${event.seq}\n`);
      void bus.publish({
        seq: event.seq,
        id: event.id,
        type: event.type,
        regions: event.regions,
        json: event.json,
      });
    }
  };
  await Promise.all([0, 1, 2, 3].map(writer));
}

if (process.env.TOCSIN_NATS_CRASH_CHILD === '1') {
  await child();
} else {
  test('a node killed mid-publish: the next relay completes the stream, each event once, in order', async () => {
    const db = await createTestDatabase();
    const s = createTestStream();
    const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
      env: {
        ...process.env,
        TOCSIN_NATS_CRASH_CHILD: '1',
        TOCSIN_PG_URL: db.url,
        TOCSIN_NATS_URL: s.url,
        TOCSIN_NATS_STREAM: s.stream,
        TOCSIN_NATS_PREFIX: s.subjectPrefix,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let store: Store | undefined;
    try {
      const exited = new Promise<NodeJS.Signals | null>((resolve) =>
        proc.on('exit', (_code, signal) => resolve(signal)),
      );
      let commits = 0;
      proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        commits += chunk.split('\n').filter(Boolean).length;
        if (commits >= KILL_AFTER_COMMITS) proc.kill('SIGKILL');
      });
      assert.equal(await exited, 'SIGKILL');

      store = await openPostgresStore({ url: db.url });
      const latest = await store.latestSeq();
      assert.ok(latest >= KILL_AFTER_COMMITS);
      const bus = await createNatsBus({
        url: s.url,
        stream: s.stream,
        subjectPrefix: s.subjectPrefix,
        source: store,
        startAfterSeq: 0,
      });
      try {
        const seen: number[] = [];
        await new Promise<void>((resolve) => {
          bus.subscribe((event: BusEvent) => {
            seen.push(event.seq);
            assert.equal(JSON.parse(event.json).seq, event.seq);
            if (event.seq === latest) resolve();
          });
        });
        assert.deepEqual(
          seen,
          Array.from({ length: latest }, (_, i) => i + 1),
        );
        const nc = await s.connection();
        const info = await (await nc.jetstreamManager()).streams.info(s.stream);
        assert.equal(info.state.messages, latest, 'no event stored twice');
      } finally {
        await bus.close();
      }
    } finally {
      proc.kill('SIGKILL');
      await store?.close();
      await s.cleanup();
      await db.drop();
    }
  });
}
