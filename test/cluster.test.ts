// Two hubs on one PostgreSQL database and one NATS JetStream stream: an alert issued on one node
// reaches the other node's live stream subscribers and region state through the bus, and an
// all-clear sent to the second node reaches the first. Real servers, port 0, no sleeps.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { createTestStream, type TestStream } from './helpers/nats.ts';
import { createTestDatabase, type TestDatabase } from './helpers/postgres.ts';
import { openSse } from './helpers/stream.ts';

describe('a cluster of two hubs (PostgreSQL + NATS JetStream)', () => {
  let db: TestDatabase;
  let stream: TestStream;
  let a: TestHub;
  let b: TestHub;

  before(async () => {
    db = await createTestDatabase();
    stream = createTestStream();
    const node = () =>
      startTestHub({
        databaseUrl: db.url,
        configure: (config) => {
          config.nats.url = stream.url;
          config.nats.stream = stream.stream;
          config.nats.subjectPrefix = stream.subjectPrefix;
        },
      });
    a = await node();
    b = await node();
  });
  after(async () => {
    await a?.stop();
    await b?.stop();
    await stream.cleanup();
    await db.drop();
  });

  it('an alert issued on one node is live on the other, and its all-clear comes back', async () => {
    const onB = await openSse(b.port, 'regions=UA-59');
    const onA = await openSse(a.port, 'regions=UA-59');
    await Promise.all([onA, onB].map((c) => c.inbox.next((m) => m.event === 'snapshot')));

    const issued = await fetch(`${a.url}/v1/alerts`, {
      method: 'POST',
      headers: { ...a.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'air_raid', regions: ['UA-59'], status: 'Exercise' }),
    });
    assert.equal(issued.status, 201, await issued.clone().text());
    const { id } = ((await issued.json()) as { alert: { id: string } }).alert;

    const live = await onB.inbox.next((m) => m.event === 'alert.issued');
    assert.equal((JSON.parse(live.data) as { alert: { id: string } }).alert.id, id);
    // Node B's region state was rebuilt from the bus event, not from its own commit.
    const state = await fetch(`${b.url}/v1/state/UA-59`);
    assert.match(await state.text(), new RegExp(id));

    // The same token works on node B: operators live in the shared database.
    const cleared = await fetch(`${b.url}/v1/alerts/${id}/all-clear`, { method: 'POST', headers: b.headers });
    assert.equal(cleared.status, 201, await cleared.clone().text());
    const ended = await onA.inbox.next((m) => m.event === 'alert.ended');
    assert.equal(ended.id, String(Number(live.id) + 1), 'one global, gap-free seq across both nodes');
    onA.close();
    onB.close();
  });
});
