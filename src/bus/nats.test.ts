import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { headers } from 'nats';
import { createTestStream, type TestStream } from '../../test/helpers/nats.ts';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/postgres.ts';
import { openPostgresStore } from '../store/postgres/postgres-store.ts';
import type { EventRecord, Store } from '../store/store.ts';
import { issuedAlertChange } from '../store/testing.ts';
import type { BusEvent } from './bus.ts';
import { createNatsBus, type NatsBus, type NatsBusOptions } from './nats.ts';

/** Commits one alert.issued event (the store is the outbox) and returns it. */
function commitEvent(store: Store, id: string, regions = ['UA-59', 'UA-63']): Promise<EventRecord> {
  const json = (seq: number) => JSON.stringify({ seq, id: `ev-${id}`, type: 'alert.issued', note: 'Суми ✓' });
  return store.commitAlertChange(issuedAlertChange(id, { regions, json }));
}

/** Resolves with everything a bus delivered once it delivered `lastSeq`. */
function collect(bus: NatsBus, lastSeq: number): { events: BusEvent[]; done: Promise<BusEvent[]> } {
  const events: BusEvent[] = [];
  let unsubscribe = (): void => {};
  const done = new Promise<BusEvent[]>((resolve) => {
    unsubscribe = bus.subscribe((event) => {
      events.push(event);
      if (event.seq >= lastSeq) resolve(events);
    });
  });
  return { events, done: done.finally(() => unsubscribe()) };
}

const asBus = (e: EventRecord): BusEvent => ({
  seq: e.seq,
  id: e.id,
  type: e.type,
  regions: e.regions,
  json: e.json,
});

describe('NATS JetStream bus', () => {
  let db: TestDatabase;
  let store: Store;
  const streams: TestStream[] = [];
  const buses: NatsBus[] = [];
  const errors: { error: unknown; context: string }[] = [];

  async function bus(s: TestStream, over: Partial<NatsBusOptions> = {}): Promise<NatsBus> {
    const b = await createNatsBus({
      url: s.url,
      stream: s.stream,
      subjectPrefix: s.subjectPrefix,
      source: store,
      onError: (error, context) => errors.push({ error, context }),
      ...over,
    });
    buses.push(b);
    return b;
  }
  function stream(): TestStream {
    const s = createTestStream();
    streams.push(s);
    return s;
  }
  async function fresh(): Promise<void> {
    await store?.close();
    await db?.drop();
    db = await createTestDatabase();
    store = await openPostgresStore({ url: db.url, poolSize: 4 });
  }

  before(fresh);
  after(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await Promise.all(streams.map((s) => s.cleanup()));
    await store.close();
    await db.drop();
  });

  test('two nodes: every event reaches every node once, in seq order, with the stored bytes', async () => {
    await fresh();
    const s = stream();
    const a = await bus(s);
    const b = await bus(s);
    const gotA = collect(a, 20);
    const gotB = collect(b, 20);
    // Concurrent commits, each handed to one node's bus; both relays race for the same stream.
    const committed = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const event = await commitEvent(store, `two-${i}`);
        await (i % 2 === 0 ? a : b).publish(asBus(event));
        return event;
      }),
    );
    const expected = committed.sort((x, y) => x.seq - y.seq).map(asBus);
    assert.deepEqual(await gotA.done, expected);
    assert.deepEqual(await gotB.done, expected);
    const nc = await s.connection();
    const info = await (await nc.jetstreamManager()).streams.info(s.stream);
    assert.equal(info.state.messages, 20, 'the stream holds each event once');
  });

  test('a crash between commit and publish loses nothing: a new relay publishes the rest, once each', async () => {
    await fresh();
    const s = stream();
    // The shortest de-duplication window JetStream allows: the relay's tail reading, not the
    // window, is what keeps a restarted relay from repeating events.
    const first = await bus(s, { duplicateWindowMs: 100 });
    const early: EventRecord[] = [];
    for (let i = 0; i < 3; i++) {
      early.push(await commitEvent(store, `crash-${i}`));
      await first.publish(asBus(early.at(-1) as EventRecord));
    }
    await first.close(); // the node goes away ...
    const late: EventRecord[] = [];
    for (let i = 3; i < 7; i++) late.push(await commitEvent(store, `crash-${i}`)); // ... after committing, before publishing
    const second = await bus(s, { duplicateWindowMs: 100, startAfterSeq: 0 });
    const got = collect(second, 7);
    assert.deepEqual(await got.done, [...early, ...late].map(asBus));
    assert.equal(second.relay.publishedSeq(), 7);
    // A third relay starting later republishes nothing.
    const third = await bus(s, { duplicateWindowMs: 100 });
    await third.relay.waitFor(7, 10_000);
    const nc = await s.connection();
    const info = await (await nc.jetstreamManager()).streams.info(s.stream);
    assert.equal(info.state.messages, 7);
  });

  test('a subscriber starts after a given seq: history from the stream, then live', async () => {
    await fresh();
    const s = stream();
    const writer = await bus(s);
    for (let i = 0; i < 6; i++) await writer.publish(asBus(await commitEvent(store, `from-${i}`)));
    const reader = await bus(s, { startAfterSeq: 4 });
    const got = collect(reader, 7);
    await writer.publish(asBus(await commitEvent(store, 'from-live')));
    assert.deepEqual(
      (await got.done).map((e) => e.seq),
      [5, 6, 7],
    );
  });

  test('a node starting on an empty stream after seq 0 gets the first event', async () => {
    await fresh();
    const s = stream();
    const node = await bus(s, { startAfterSeq: 0 });
    const got = collect(node, 1);
    const first = await commitEvent(store, 'empty-1');
    await node.publish(asBus(first));
    assert.deepEqual(await got.done, [asBus(first)]);
  });

  test('foreign and malformed messages on the subjects are skipped and reported; nothing stalls', async () => {
    await fresh();
    const s = stream();
    const node = await bus(s);
    const pre = await commitEvent(store, 'pre-junk');
    await node.publish(asBus(pre));
    const nc = await s.connection();
    const js = nc.jetstream();
    errors.length = 0;
    await js.publish(`${s.subjectPrefix}.event.alert.issued`, new TextEncoder().encode('not an event'));
    const h = headers();
    h.set('Tocsin-Seq', 'NaN');
    h.set('Tocsin-Type', 'alert.issued');
    h.set('Tocsin-Regions', '{"not":"a list"}');
    await js.publish(`${s.subjectPrefix}.event.alert.issued`, new TextEncoder().encode('{}'), { headers: h });
    const got = collect(node, 2);
    const second = await commitEvent(store, 'post-junk');
    await node.publish(asBus(second));
    // The first subscriber also gets what arrived before it subscribed (held for it).
    assert.deepEqual(await got.done, [asBus(pre), asBus(second)]);
    assert.equal(errors.filter((e) => e.context === 'consume').length, 2);
    // A node starting now finds its place past the junk, too.
    const late = await bus(s, { startAfterSeq: 1 });
    const lateGot = collect(late, 3);
    await node.publish(asBus(await commitEvent(store, 'after-late')));
    assert.deepEqual(
      (await lateGot.done).map((e) => e.seq),
      [2, 3],
    );
  });

  test('a throwing handler is reported and the other handlers still get the event', async () => {
    await fresh();
    const s = stream();
    const node = await bus(s);
    errors.length = 0;
    node.subscribe(() => {
      throw new Error('subscriber bug');
    });
    const got = collect(node, 1);
    await node.publish(asBus(await commitEvent(store, 'throw-1')));
    assert.equal((await got.done).length, 1);
    assert.ok(errors.some((e) => e.context === 'handler' && /subscriber bug/.test(String(e.error))));
  });

  test('bad options and an unreachable server fail clearly', async () => {
    await assert.rejects(
      createNatsBus({
        url: 'nats://127.0.0.1:4222',
        stream: 'has space',
        subjectPrefix: 'a..b',
        source: store,
      }),
      /invalid NATS bus options: stream "has space".*subjectPrefix "a\.\.b"/,
    );
    await assert.rejects(
      createNatsBus({ url: 'nats://127.0.0.1:1', stream: 'X', subjectPrefix: 'x', source: store }),
      /CONNECTION_REFUSED/,
    );
  });
});
