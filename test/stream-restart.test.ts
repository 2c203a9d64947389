// Issue 6: 200 clients connected, the server is stopped and started while alerts continue;
// every client reconnects with its last seq and ends with exactly the full sequence.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { subscriptionMatches } from '../src/delivery/stream/registry.ts';
import { type Inbox, openSse, openWs, startWorld, type World } from './helpers/stream.ts';

const CLIENTS = 200;
const EVENTS = 240;
const PLACES = ['UA-59-01', 'UA-63', 'UA', 'UA-32', 'UA-59'];
const SUBSCRIPTIONS = ['UA-59', 'UA-63', 'UA-59-02', 'UA-32'];

interface Client {
  codes: string[];
  transport: 'sse' | 'ws';
  sessions: Inbox[];
  close: () => void;
}

function lastSeq(inbox: Inbox): number | undefined {
  let last: number | undefined;
  for (const m of inbox.messages) {
    const seq = (JSON.parse(m.data) as { seq?: number }).seq;
    if (typeof seq === 'number') last = seq;
  }
  return last;
}

async function connect(world: World, client: Client, since?: number): Promise<void> {
  const query = `regions=${client.codes.join(',')}${since === undefined ? '' : `&since=${since}`}`;
  const session =
    client.transport === 'sse' ? await openSse(world.port, query) : await openWs(world.port, query);
  client.sessions.push(session.inbox);
  client.close = session.close;
}

it('200 clients survive a server restart with exactly the full sequence', async () => {
  let world = await startWorld();
  const shared = { log: world.log, state: world.state, bus: world.bus, keys: world.keys };
  const clients: Client[] = Array.from({ length: CLIENTS }, (_, i) => ({
    codes: [SUBSCRIPTIONS[i % SUBSCRIPTIONS.length] as string],
    transport: i % 2 ? 'sse' : 'ws',
    sessions: [],
    close: () => {},
  }));
  await Promise.all(clients.map((c) => connect(world, c)));
  await Promise.all(clients.map((c) => c.sessions[0]?.next((m) => m.event === 'snapshot')));

  const published: { seq: number; regions: string[] }[] = [];
  let restartAt: () => void = () => {};
  const halfway = new Promise<void>((resolve) => (restartAt = resolve));
  const publishing = (async () => {
    for (let i = 0; i < EVENTS; i++) {
      const regions = [PLACES[i % PLACES.length] as string];
      published.push({ seq: await world.publish({ regions }), regions });
      if (i === EVENTS / 3) restartAt();
      await new Promise(setImmediate);
    }
  })();

  await halfway;
  const stopping = world;
  await stopping.close();
  await Promise.all(clients.map((c) => c.sessions[0]?.untilClosed()));
  world = await startWorld({}, shared);
  // Publishing never stopped; each client comes back with the last seq it saw.
  await Promise.all(clients.map((c) => connect(world, c, lastSeq(c.sessions[0] as Inbox))));
  await publishing;

  const expected = new Map<string, number[]>();
  for (const code of SUBSCRIPTIONS) {
    expected.set(
      code,
      published.filter((e) => subscriptionMatches(world.tree, [code], e.regions)).map((e) => e.seq),
    );
  }
  await Promise.all(
    clients.map(async (c) => {
      const want = expected.get(c.codes[0] as string) as number[];
      const last = want.at(-1) as number;
      await c.sessions[1]?.next(
        (m) => m.event.startsWith('alert.') && (JSON.parse(m.data) as { seq: number }).seq === last,
      );
      const got = c.sessions.flatMap((s) => s.alertSeqs());
      assert.deepEqual(got, want, `${c.transport} client on ${c.codes[0]}`);
    }),
  );
  assert.equal(
    clients.every((c) => c.sessions[1]?.messages.every((m) => m.event !== 'snapshot' && m.event !== 'reset')),
    true,
  );
  for (const c of clients) c.close();
  await world.close();
});
