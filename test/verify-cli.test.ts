// `tocsin verify` (the real CLI process) on events and CAP XML saved from a running hub:
// one changed byte is rejected; events signed before `tocsin keys rotate` still verify after it.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from './helpers/cli.ts';
import { makeTempDir, startTestHub, type TestHub } from './helpers/hub.ts';

async function issue(hub: TestHub, regions: string[]): Promise<string> {
  const response = await fetch(`${hub.url}/v1/alerts`, {
    method: 'POST',
    headers: { ...hub.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'drone', regions, headline: { en: 'Drones over Sumy' } }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  return ((await response.json()) as { alert: { id: string } }).alert.id;
}

/** The event of alert `id` exactly as the hub stores and sends it. */
async function savedEvent(hub: TestHub, id: string): Promise<string> {
  const events = await hub.store.readEvents(0, 1000);
  const event = events.find((e) => (JSON.parse(e.json) as { alert: { id: string } }).alert.id === id);
  assert.ok(event, `no event for ${id}`);
  return event.json;
}

describe('tocsin verify: events', () => {
  let hub: TestHub;
  const files = makeTempDir('tocsin-verify-');
  before(async () => (hub = await startTestHub()));
  after(async () => {
    await hub.stop();
    files.remove();
  });

  test('valid; one changed byte is rejected; after keys rotate the old event still verifies', async () => {
    const id = await issue(hub, ['UA-59']);
    const json = await savedEvent(hub, id);
    const original = join(files.dir, 'event.json');
    writeFileSync(original, json);

    const valid = await runCli(['verify', original, '--data-dir', hub.dataDir]);
    assert.equal(valid.code, 0, valid.stdout + valid.stderr);
    const kid = (JSON.parse(json) as { kid: string }).kid;
    assert.match(valid.stdout, new RegExp(`^valid: event signed by ${kid}`));

    const at = json.indexOf('Drones over Sumy') + 'Drones over '.length;
    const changed = join(files.dir, 'changed.json');
    writeFileSync(changed, `${json.slice(0, at)}s${json.slice(at + 1)}`); // "Sumy" → "sumy": one byte
    const invalid = await runCli(['verify', changed, '--data-dir', hub.dataDir]);
    assert.equal(invalid.code, 1, invalid.stdout + invalid.stderr);
    assert.match(invalid.stdout, /^invalid: event: the signature does not match the content/);

    const rotate = await runCli(['keys', 'rotate', '--data-dir', hub.dataDir]);
    assert.equal(rotate.code, 0, rotate.stderr);
    hub.reloadKeys();
    const newId = await issue(hub, ['UA-63']);
    const newJson = await savedEvent(hub, newId);
    assert.notEqual(
      (JSON.parse(newJson) as { kid: string }).kid,
      kid,
      'the new event is signed with the new key',
    );
    const fresh = join(files.dir, 'fresh.json');
    writeFileSync(fresh, newJson);

    for (const keys of [
      ['--data-dir', hub.dataDir],
      ['--keys', hub.url],
    ]) {
      const old = await runCli(['verify', original, ...keys]);
      assert.equal(old.code, 0, `${keys.join(' ')}: ${old.stdout}${old.stderr}`);
      const now = await runCli(['verify', fresh, ...keys]);
      assert.equal(now.code, 0, `${keys.join(' ')}: ${now.stdout}${now.stderr}`);
      const bad = await runCli(['verify', changed, ...keys]);
      assert.equal(bad.code, 1);
    }
    const [rotated] = await hub.store.audit.list({ action: 'keys.rotated', limit: 1 });
    assert.deepEqual(rotated?.details, { from: kid, to: (JSON.parse(newJson) as { kid: string }).kid });
  });

  test('unknown keys, unsigned and malformed files are invalid (1); usage and I/O errors are 2', async () => {
    const other = makeTempDir();
    try {
      const event = JSON.parse(await savedEvent(hub, await issue(hub, ['UA-59']))) as Record<string, unknown>;
      const cases: [string, string, RegExp][] = [
        ['unknown-kid.json', JSON.stringify({ ...event, kid: 'not-a-key' }), /unknown key "not-a-key"/],
        ['unsigned.json', JSON.stringify({ ...event, sig: undefined }), /not signed/],
        ['array.json', '[1,2]', /not a JSON object/],
        ['garbage.json', '{"seq": 1,', /neither CAP XML nor JSON/],
      ];
      for (const [name, text, reason] of cases) {
        const path = join(files.dir, name);
        writeFileSync(path, text);
        const result = await runCli(['verify', path, '--data-dir', hub.dataDir]);
        assert.equal(result.code, 1, `${name}: ${result.stdout}${result.stderr}`);
        assert.match(result.stdout, reason);
      }
      const missing = await runCli(['verify', join(files.dir, 'nope.json'), '--data-dir', hub.dataDir]);
      assert.equal(missing.code, 2);
      const noKeys = await runCli(['verify', join(files.dir, 'array.json'), '--data-dir', other.dir]);
      assert.equal(noKeys.code, 2);
      assert.match(noKeys.stderr, /no signing keys/);
      const usage = await runCli(['verify']);
      assert.equal(usage.code, 2);
      const unreachable = await runCli([
        'verify',
        join(files.dir, 'array.json'),
        '--keys',
        'http://127.0.0.1:9/',
      ]);
      assert.equal(unreachable.code, 2);
    } finally {
      other.remove();
    }
  });
});

describe('tocsin verify: CAP XML signed by the hub (XML-DSig)', () => {
  let hub: TestHub;
  const files = makeTempDir('tocsin-verify-xml-');
  const keyFile = join(files.dir, 'xml-key.pem');
  const publicFile = join(files.dir, 'xml-public.pem');
  before(async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(keyFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(publicFile, publicKey.export({ format: 'pem', type: 'spki' }));
    hub = await startTestHub({ configure: (config) => (config.alerts.xmlSigningKeyFile = keyFile) });
  });
  after(async () => {
    await hub.stop();
    files.remove();
  });

  test('the issued CAP XML carries a signature that verifies; one changed byte does not', async () => {
    const id = await issue(hub, ['UA-59']);
    const response = await fetch(`${hub.url}/v1/alerts/${id}.xml`, { headers: hub.headers });
    assert.equal(response.status, 200);
    const xml = await response.text();
    assert.match(xml, /<(\w+:)?Signature [^>]*xmlns(:\w+)?="http:\/\/www.w3.org\/2000\/09\/xmldsig#"/);
    const saved = join(files.dir, 'alert.xml');
    writeFileSync(saved, xml);

    const valid = await runCli(['verify', saved, '--keys', publicFile]);
    assert.equal(valid.code, 0, valid.stdout + valid.stderr);
    assert.match(valid.stdout, /^valid: CAP XML/);
    const fromConfig = await runCli(['verify', saved, '--data-dir', hub.dataDir], {
      env: { TOCSIN_XML_SIGNING_KEY_FILE: keyFile },
    });
    assert.equal(fromConfig.code, 0, fromConfig.stdout + fromConfig.stderr);

    const changed = join(files.dir, 'changed.xml');
    writeFileSync(changed, xml.replace('Drones over Sumy', 'Drones over sumy'));
    const invalid = await runCli(['verify', changed, '--keys', publicFile]);
    assert.equal(invalid.code, 1, invalid.stdout + invalid.stderr);
    assert.match(invalid.stdout, /^invalid: CAP XML: DSIG_DIGEST_MISMATCH/);

    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const strangerFile = join(files.dir, 'stranger.pem');
    writeFileSync(strangerFile, stranger.export({ format: 'pem', type: 'spki' }));
    const untrusted = await runCli(['verify', saved, '--keys', strangerFile]);
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stdout, /DSIG_UNTRUSTED_KEY/);
  });

  test('the hub refuses to start with an unusable XML signing key', async () => {
    const bad = join(files.dir, 'bad.pem');
    writeFileSync(bad, 'not a key');
    await assert.rejects(
      startTestHub({ configure: (config) => (config.alerts.xmlSigningKeyFile = bad) }),
      /DECODER|key/i,
    );
    await assert.rejects(
      startTestHub({
        configure: (config) => (config.alerts.xmlSigningKeyFile = join(files.dir, 'missing.pem')),
      }),
      /cannot read the XML signing key/,
    );
  });
});
