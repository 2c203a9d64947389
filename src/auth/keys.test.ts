import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { signEvent, verifyEvent } from '../alerts/event-signing.ts';
import { KEY_FILE_NAME, KeyFileError, openKeyRing, rotateKeys } from './keys.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-keys-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const unsigned = {
  seq: 1,
  id: 'e1',
  type: 'alert.issued',
  time: '2026-01-01T10:42:00+02:00',
  regions: ['UA-59'],
  alert: {},
};

test('the first open generates a key in a 0600 file, and a second open reads the same key', (t) => {
  const dir = tempDir(t);
  const first = openKeyRing(dir);
  assert.equal(statSync(join(dir, KEY_FILE_NAME)).mode & 0o777, 0o600);
  const second = openKeyRing(dir);
  assert.equal(second.current().kid, first.current().kid);
  const event = signEvent(unsigned, first.current());
  assert.equal(verifyEvent(event, second.publicKeys()), true);
});

test('the JWKS lists the Ed25519 public key under its RFC 7638 thumbprint, with no private part', (t) => {
  const ring = openKeyRing(tempDir(t));
  const [jwk, ...rest] = ring.jwks().keys;
  assert.equal(rest.length, 0);
  assert.deepEqual(Object.keys(jwk ?? {}).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x']);
  assert.equal(jwk?.kid, ring.current().kid);
  assert.equal(jwk?.crv, 'Ed25519');
});

test('rotation signs with a new key, keeps the old public key, and drops the old private key', (t) => {
  const dir = tempDir(t);
  const before = openKeyRing(dir);
  const oldEvent = signEvent(unsigned, before.current());
  const { ring, previous, current } = rotateKeys(dir);
  assert.equal(previous, before.current().kid);
  assert.notEqual(current, previous);
  assert.equal(openKeyRing(dir).current().kid, current);
  assert.equal(verifyEvent(oldEvent, ring.publicKeys()), true);
  assert.equal(verifyEvent(signEvent(unsigned, ring.current()), ring.publicKeys()), true);
  assert.deepEqual(
    ring.jwks().keys.map((k) => k.kid),
    [current, previous],
  );
  const file = JSON.parse(readFileSync(join(dir, KEY_FILE_NAME), 'utf8')) as {
    keys: { kid: string; privateKeyPem?: string }[];
  };
  assert.equal(file.keys.filter((k) => k.privateKeyPem !== undefined).length, 1);
  assert.equal(statSync(join(dir, KEY_FILE_NAME)).mode & 0o777, 0o600);
});

test('a damaged key file is refused with a clear error, never silently replaced', (t) => {
  const dir = tempDir(t);
  openKeyRing(dir);
  writeFileSync(join(dir, KEY_FILE_NAME), '{"version":1,');
  assert.throws(
    () => openKeyRing(dir),
    (e: unknown) => e instanceof KeyFileError && /not valid JSON/.test(e.message),
  );
  writeFileSync(join(dir, KEY_FILE_NAME), '{"version":1,"current":"x","keys":[]}');
  assert.throws(() => openKeyRing(dir), /no usable current key/);
});
