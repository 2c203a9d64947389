// The primary answers only well-formed store reads from its workers.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isLogRequest, isToWorker } from './messages.ts';

it('accepts the four read operations with small whole-number arguments', () => {
  assert.ok(isLogRequest({ t: 'tocsin:log', id: 1, op: 'readEvents', args: [0, 500] }));
  assert.ok(isLogRequest({ t: 'tocsin:log', id: 2, op: 'latestSeq', args: [] }));
  assert.ok(isLogRequest({ t: 'tocsin:log', id: 3, op: 'listRegions', args: [] }));
});

it('refuses anything else: other operations, prototype names, bad ids and arguments', () => {
  for (const message of [
    null,
    'tocsin:log',
    { t: 'tocsin:log', id: 1, op: 'appendEvent', args: [] },
    { t: 'tocsin:log', id: 1, op: 'constructor', args: [] },
    { t: 'tocsin:log', id: 1, op: '__proto__', args: [] },
    { t: 'tocsin:log', id: 1.5, op: 'latestSeq', args: [] },
    { t: 'tocsin:log', id: '1', op: 'latestSeq', args: [] },
    { t: 'tocsin:log', id: 1, op: 'readEvents', args: [-1, 10] },
    { t: 'tocsin:log', id: 1, op: 'readEvents', args: ['0', 10] },
    { t: 'tocsin:log', id: 1, op: 'readEvents', args: [0, 1e300] },
    { t: 'tocsin:log', id: 1, op: 'readEvents', args: [0, 1, 2] },
    { t: 'tocsin:log', id: 1, op: 'readEvents' },
  ]) {
    assert.equal(isLogRequest(message), false, JSON.stringify(message));
  }
});

it('tells the primary’s messages from anything else on the channel', () => {
  assert.ok(isToWorker({ t: 'tocsin:shutdown' }));
  assert.equal(isToWorker({ cmd: 'NODE_CLUSTER' }), false);
  assert.equal(isToWorker({ t: 'toString' }), false);
});
