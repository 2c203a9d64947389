// Stream settings come from the configuration (streams.*): the heartbeat interval of a real hub
// follows `streams.heartbeatMs`, and the environment variable is read and checked like any other.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { openSse } from './helpers/stream.ts';

let hub: TestHub | undefined;
before(async () => {
  hub = await startTestHub({
    configure: (c) => {
      c.streams.heartbeatMs = 1_000;
    },
  });
});
after(() => hub?.stop());

test('a hub sends heartbeats at the configured interval, not the 15 s default', async () => {
  const client = await openSse((hub as TestHub).port, 'regions=UA-59');
  try {
    const first = await client.inbox.next((m) => m.event === 'heartbeat');
    const index = client.inbox.messages.indexOf(first);
    const second = await client.inbox.next((m) => m.event === 'heartbeat', index + 1);
    const gapMs =
      Date.parse((JSON.parse(second.data) as { time: string }).time) -
      Date.parse((JSON.parse(first.data) as { time: string }).time);
    assert.ok(gapMs >= 500 && gapMs < 5_000, `heartbeats ${gapMs} ms apart`);
  } finally {
    client.close();
  }
});

test('TOCSIN_STREAM_HEARTBEAT_MS sets the interval; an out-of-range value is refused', () => {
  const ok = loadConfig({ env: { TOCSIN_STREAM_HEARTBEAT_MS: '2000' } });
  assert.ok(ok.ok);
  assert.equal(ok.config.streams.heartbeatMs, 2_000);
  const bad = loadConfig({ env: { TOCSIN_STREAM_HEARTBEAT_MS: '10' } });
  assert.ok(!bad.ok);
  assert.ok(bad.violations.some((v) => JSON.stringify(v).includes('streams.heartbeatMs')));
});
