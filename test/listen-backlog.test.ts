// server.listenBacklog reaches the kernel: after a restart every subscriber reconnects at once, and
// Node's default queue of 511 made the kernel drop the excess in the 100,000-subscriber run.
// `ss` (iproute2) shows a listening socket's backlog as its Send-Q.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { startTestHub } from './helpers/hub.ts';

function backlogOf(port: number): number {
  const line = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' }).trim();
  const sendQ = line.split(/\s+/)[2];
  assert.ok(sendQ !== undefined, `ss shows the listener on ${port}: ${JSON.stringify(line)}`);
  return Number(sendQ);
}

test('the listening socket queues server.listenBacklog connections (default 4096)', async (t) => {
  const custom = await startTestHub({ configure: (c) => (c.server.listenBacklog = 1234) });
  t.after(() => custom.stop());
  assert.equal(backlogOf(custom.port), 1234);
  const byDefault = await startTestHub();
  t.after(() => byDefault.stop());
  assert.equal(backlogOf(byDefault.port), Math.min(4096, somaxconn()));
});

function somaxconn(): number {
  return Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());
}
