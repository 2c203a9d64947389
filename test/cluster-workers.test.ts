// `tocsin serve --workers 2`: the real CLI as a child process. Stream clients land on both
// workers; alerts issued through the API (proxied by a worker to the primary) reach every client
// exactly once, in order; a client that drops resumes on whichever worker it lands on with no
// gap; the API answers through the workers as it does without them; SIGTERM ends every stream
// and exits 0. No sleeps: every wait is on a message, a response or an exit.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { makeTempDir, mintServeToken, type ServeProcess, spawnServe } from './helpers/hub.ts';
import { openSse, openWs, type SseClient, type WsClient } from './helpers/stream.ts';

const CLIENTS_PER_TRANSPORT = 6;

describe('tocsin serve --workers 2', () => {
  const temp = makeTempDir('tocsin-workers-');
  let serve: ServeProcess;
  let port: number;
  let headers: Record<string, string>;
  const sse: SseClient[] = [];
  const ws: WsClient[] = [];

  before(async () => {
    headers = { authorization: `Bearer ${await mintServeToken({ dataDir: temp.dir })}` };
    serve = await spawnServe(['--port', '0', '--workers', '2', '--data-dir', temp.dir]);
    port = Number(new URL(serve.url).port);
  });
  after(async () => {
    for (const client of [...sse, ...ws]) client.close();
    if (serve && serve.child.exitCode === null) {
      serve.child.kill('SIGKILL');
      await serve.exited;
    }
    temp.remove();
  });

  async function issue(body: unknown, path = '/v1/alerts'): Promise<{ id: string }> {
    const response = await fetch(`${serve.url}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 201, await response.clone().text());
    return ((await response.json()) as { alert: { id: string } }).alert;
  }

  const alertOf = (data: string) => (JSON.parse(data) as { alert: unknown }).alert;

  it('spreads stream connections over both workers', async () => {
    // The primary hands connections to the workers in turn (node:cluster round-robin).
    for (let i = 0; i < CLIENTS_PER_TRANSPORT; i++) sse.push(await openSse(port, 'regions=UA-59'));
    for (let i = 0; i < CLIENTS_PER_TRANSPORT; i++) ws.push(await openWs(port, 'regions=UA-59'));
    await Promise.all([...sse, ...ws].map((c) => c.inbox.next((m) => m.event === 'snapshot')));
    const workers = new Set(sse.map((c) => c.response.headers['x-tocsin-worker']));
    assert.deepEqual([...workers].sort(), ['1', '2']);
  });

  it('delivers every event once, in order, to every client on every worker', async () => {
    const operations: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { id } = await issue({ event: 'air_raid', regions: ['UA-59'], status: 'Exercise' });
      operations.push(id);
      await issue({}, `/v1/alerts/${id}/all-clear`);
      operations.push(`${id} ended`);
    }
    const clients = [...sse, ...ws];
    const lastIssued = operations[operations.length - 2] as string;
    await Promise.all(
      clients.map((c) =>
        c.inbox.next(
          (m) => m.event === 'alert.ended' && JSON.stringify(alertOf(m.data)).includes(lastIssued),
        ),
      ),
    );
    const expected = sse[0]?.inbox.alertSeqs() ?? [];
    assert.equal(expected.length, operations.length);
    for (let i = 1; i < expected.length; i++)
      assert.ok((expected[i] as number) > (expected[i - 1] as number));
    for (const client of clients) assert.deepEqual(client.inbox.alertSeqs(), expected);
  });

  it('resumes a dropped client with Last-Event-ID on whichever worker it lands on, with no gap', async () => {
    const dropped = sse.shift() as SseClient;
    const lastId = dropped.lastEventId() as string;
    dropped.close();
    const { id } = await issue({ event: 'drone', regions: ['UA-59'], status: 'Exercise' });
    await issue({}, `/v1/alerts/${id}/cancel`);
    // Reconnect several times: the connections alternate between the workers.
    const resumed: SseClient[] = [];
    for (let i = 0; i < 2; i++)
      resumed.push(await openSse(port, 'regions=UA-59', { 'last-event-id': lastId }));
    await (ws[0] as WsClient).inbox.next((m) => m.event === 'alert.ended' && m.data.includes(id));
    const afterDrop = (ws[0] as WsClient).inbox.alertSeqs().filter((seq) => seq > Number(lastId));
    assert.equal(afterDrop.length, 2, 'the issue and the cancel happened after the drop');
    await Promise.all(
      resumed.map((c) => c.inbox.next((m) => m.event === 'alert.ended' && m.data.includes(id))),
    );
    for (const client of resumed) {
      assert.equal(client.inbox.json('snapshot').length, 0, 'a resume sends no snapshot');
      assert.deepEqual(client.inbox.alertSeqs(), afterDrop);
    }
    assert.deepEqual(new Set(resumed.map((c) => c.response.headers['x-tocsin-worker'])).size, 2);
    sse.push(...resumed);
  });

  it('answers the API through the workers: state with ETag and 304, errors in the documented shape', async () => {
    const first = await fetch(`${serve.url}/v1/state/UA-59`);
    assert.equal(first.status, 200);
    const etag = first.headers.get('etag') as string;
    assert.ok(etag);
    const again = await fetch(`${serve.url}/v1/state/UA-59`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
    // GET /v1/state is answered by the workers themselves, from the state the primary relays.
    for (let i = 0; i < 2; i++) {
      const whole = await fetch(`${serve.url}/v1/state`, { headers: { connection: 'close' } });
      assert.equal(whole.status, 200);
      assert.ok(whole.headers.get('x-tocsin-worker'));
      assert.equal(whole.headers.get('access-control-allow-origin'), '*');
      assert.deepEqual(((await whole.json()) as { regions: object }).regions, {});
      const cached = await fetch(`${serve.url}/v1/state`, {
        headers: { connection: 'close', 'if-none-match': whole.headers.get('etag') as string },
      });
      assert.equal(cached.status, 304);
    }
    const unknown = await fetch(`${serve.url}/v1/alerts/nope`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'ALERT_NOT_FOUND');
    const anonymous = await fetch(`${serve.url}/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"event":"air_raid","regions":["UA-59"]}',
    });
    assert.equal(anonymous.status, 401);
    const malformed = await fetch(`${serve.url}/v1/alerts`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{"event":',
    });
    assert.equal(malformed.status, 400);
    assert.equal(((await malformed.json()) as { error: { code: string } }).error.code, 'REQUEST_MALFORMED');
  });

  it('replaces a worker that dies; clients of the other worker never notice', async () => {
    const pids = readFileSync(`/proc/${serve.child.pid}/task/${serve.child.pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    assert.equal(pids.length, 2, 'two stream workers');
    process.kill(pids[0] as number, 'SIGKILL');
    await serve.waitForStdout(/replacement stream worker listening/);
    const closed = sse.filter((c) => c.inbox.closed);
    const open = sse.filter((c) => !c.inbox.closed);
    assert.ok(closed.length > 0 && open.length > 0, `${closed.length} closed, ${open.length} open`);
    // Those that lost their worker resume on another, the way EventSource does.
    const resumed = await Promise.all(
      closed.map((c) => openSse(port, 'regions=UA-59', { 'last-event-id': c.lastEventId() as string })),
    );
    const fresh = [await openSse(port, 'regions=UA-59'), await openSse(port, 'regions=UA-59')];
    assert.ok(
      fresh.some((c) => c.response.headers['x-tocsin-worker'] === '3'),
      'a new connection lands on the new worker',
    );
    const { id } = await issue({ event: 'artillery', regions: ['UA-59'], status: 'Exercise' });
    const everyone = [...open, ...resumed, ...fresh];
    await Promise.all(
      everyone.map((c) => c.inbox.next((m) => m.event === 'alert.issued' && m.data.includes(id))),
    );
    // Every worker's /v1/state shows it once its streams did.
    for (let i = 0; i < 2; i++) {
      const state = await fetch(`${serve.url}/v1/state`, { headers: { connection: 'close' } });
      assert.match(await state.text(), new RegExp(id));
    }
    for (const c of everyone) {
      const seqs = c.inbox.alertSeqs();
      assert.equal(new Set(seqs).size, seqs.length, 'no event twice');
    }
    sse.splice(0, sse.length, ...open, ...resumed, ...fresh);
  });

  it('ends every stream and exits 0 on SIGTERM', async () => {
    const clients = [...sse, ...ws];
    // (the WebSocket clients of the worker killed above are already gone)
    const liveWs = ws.filter((c) => !c.inbox.closed);
    assert.ok(liveWs.length > 0);
    serve.child.kill('SIGTERM');
    const { code } = await serve.exited;
    assert.equal(code, 0, serve.output().stderr);
    await Promise.all(clients.map((c) => c.inbox.untilClosed()));
    assert.deepEqual(
      liveWs.map((c) => c.inbox.closeInfo.code),
      liveWs.map(() => 1001),
    );
  });
});
