// alerts.eventKeysDir: the nodes of a cluster share one folder of signing keys, so every node
// signs with the same key and publishes the same JWKS (else a client would need every node's).
import assert from 'node:assert/strict';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyEvent } from '../src/alerts/event-signing.ts';
import { KEY_FILE_NAME } from '../src/auth/keys.ts';
import { startTestHub } from './helpers/hub.ts';

async function jwksOf(url: string): Promise<{ keys: { kid: string }[] }> {
  return (await (await fetch(`${url}/.well-known/tocsin/keys.json`)).json()) as { keys: { kid: string }[] };
}

test('two hubs with one event-keys folder sign with one key: an event of either verifies with the other’s JWKS', async (t) => {
  const shared = mkdtempSync(join(tmpdir(), 'tocsin-event-keys-'));
  t.after(() => rmSync(shared, { recursive: true, force: true }));
  const a = await startTestHub({ configure: (c) => (c.alerts.eventKeysDir = shared) });
  t.after(() => a.stop());
  const b = await startTestHub({ configure: (c) => (c.alerts.eventKeysDir = shared) });
  t.after(() => b.stop());
  assert.notEqual(a.dataDir, b.dataDir);
  assert.ok(existsSync(join(shared, KEY_FILE_NAME)));
  assert.equal(existsSync(join(a.dataDir, KEY_FILE_NAME)), false, 'no key of its own in the data dir');

  const jwksA = await jwksOf(a.url);
  assert.deepEqual(await jwksOf(b.url), jwksA);
  const keysB = new Map<string, KeyObject>(
    (await jwksOf(b.url)).keys.map((k) => [k.kid, createPublicKey({ key: k as never, format: 'jwk' })]),
  );
  const issued = await fetch(`${a.url}/v1/alerts`, {
    method: 'POST',
    headers: { ...a.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'air_raid', regions: ['UA-59'], status: 'Exercise' }),
  });
  assert.equal(issued.status, 201, await issued.clone().text());
  const [event] = await a.store.readEvents(0, 1);
  assert.ok(event);
  assert.equal(verifyEvent(JSON.parse(event.json), keysB), true);
});

test('without an event-keys folder, each hub keeps its key in its data dir', async (t) => {
  const a = await startTestHub();
  t.after(() => a.stop());
  const b = await startTestHub();
  t.after(() => b.stop());
  assert.ok(existsSync(join(a.dataDir, KEY_FILE_NAME)));
  assert.notDeepEqual(await jwksOf(a.url), await jwksOf(b.url));
});
