// Process tests of `tocsin validate`: the real CLI as a child process, real files in a temp
// folder, and a loopback HTTP server for feed links.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT, runCli } from '../../test/helpers/cli.ts';

const CAP = join(REPO_ROOT, 'test/fixtures/cap');
const SIGNED = join(CAP, 'signed/signed.xml');
const UNSIGNED = join(CAP, 'signed/unsigned.xml');
const PUBLIC_KEY = join(CAP, 'signed/signed.pub.pem');
const FEED = join(CAP, 'feeds/tocsin-embedded.atom');
// Inside the fixtures' validity window, so the expiry rules stay quiet.
const NOW = ['--now', '2026-03-01T11:00:00+02:00'];

const dir = mkdtempSync(join(tmpdir(), 'tocsin-validate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const unsignedText = readFileSync(UNSIGNED, 'utf8');
const zulu =
  '"2026-03-01T10:42:00Z" uses "Z"; CAP 1.2 §3.3.2 requires a numeric offset: write -00:00 or +00:00 for UTC.';
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('single messages', () => {
  test('a valid message exits 0 with a summary', async () => {
    const result = await runCli(['validate', ...NOW, UNSIGNED]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^1 message checked: 1 valid, 0 invalid; 0 errors, 0 warnings$/m);
  });

  test('a broken message exits 1 with file:line:col: error CODE message for each problem', async () => {
    const broken = unsignedText
      .replace('<language>uk</language>', '<language>uk UA</language>')
      .replace('<sent>2026-03-01T10:42:00+02:00</sent>', '<sent>2026-03-01T10:42:00Z</sent>');
    const file = write('broken.xml', broken);
    const result = await runCli(['validate', ...NOW, file]);
    assert.equal(result.code, 1);
    const lines = result.stdout.split('\n');
    assert.ok(
      lines.includes(`${file}:${lineOf(broken, '<sent>')}:3: error CAP_DATE_ZULU ${zulu}`),
      result.stdout,
    );
    assert.match(
      result.stdout,
      new RegExp(`^${file}:${lineOf(broken, '<language>')}:5: error CAP_LANGUAGE_INVALID `, 'm'),
    );
    assert.match(result.stdout, /1 invalid; 2 errors/);
  });

  test('an invalid code value stops the parser with its position', async () => {
    const file = write(
      'status.xml',
      unsignedText.replace('<status>Exercise</status>', '<status>Bogus</status>'),
    );
    const result = await runCli(['validate', ...NOW, file]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      new RegExp(`^${file}:${lineOf(unsignedText, '<status>')}:\\d+: error CAP_\\w+ .*Bogus`, 'm'),
    );
  });

  test('not well-formed XML is reported at its position', async () => {
    const file = write('cut.xml', unsignedText.slice(0, unsignedText.indexOf('<info>') + 10));
    const result = await runCli(['validate', file]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^${file}:\\d+:\\d+: error CAP_XML_`, 'm'));
  });

  test('a DOCTYPE is refused without expanding entities', async () => {
    const file = write(
      'bomb.xml',
      `<?xml version="1.0"?>\n<!DOCTYPE alert [<!ENTITY a "aaaaaaaaaaaa">]>\n${unsignedText.replace(/^<\?xml[^>]*\?>\n/, '')}`,
    );
    const result = await runCli(['validate', file]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^${file}:2:\\d+: error `, 'm'));
  });

  test('the Tocsin profile adds its rules: the OASIS example lacks the TOCSIN event code', async () => {
    const example = join(CAP, 'spec/a2-severe-thunderstorm.xml');
    assert.equal((await runCli(['validate', '--now', '2003-06-17T14:57:00-07:00', example])).code, 0);
    const result = await runCli([
      'validate',
      '--profile',
      'tocsin',
      '--now',
      '2003-06-17T14:57:00-07:00',
      example,
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /: error CAP_EVENT_CODE_REQUIRED /);
  });

  test('stdin is read with -', async () => {
    const result = await runCli(['validate', ...NOW, '-'], { input: unsignedText });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const broken = await runCli(['validate', ...NOW, '-'], {
      input: unsignedText.replace('<scope>Public</scope>', '<scope>Everyone</scope>'),
    });
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, new RegExp(`^<stdin>:${lineOf(unsignedText, '<scope>')}:\\d+: error `, 'm'));
  });
});

test('a CAP JSON message is checked too; without positions a finding names its path', async () => {
  const json = JSON.stringify({
    identifier: 'urn:tocsin:example:json:1',
    sender: 'tocsin@example.org',
    sent: '2026-03-01T10:42:00+02:00',
    status: 'Exercise',
    msgType: 'Alert',
    scope: 'Public',
    info: [
      {
        category: ['Security'],
        event: 'Air raid',
        urgency: 'Immediate',
        severity: 'Extreme',
        certainty: 'Likely',
        language: 'en us',
      },
    ],
  });
  const result = await runCli(['validate', ...NOW, '-'], { input: json });
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /^<stdin>: error CAP_LANGUAGE_INVALID .* \(at info\[0\]\.language\)$/m);
});

describe('signatures', () => {
  test('the signed example: signed by its key, valid and trusted with --key', async () => {
    const result = await runCli(['validate', ...NOW, '--key', PUBLIC_KEY, SIGNED]);
    assert.equal(result.code, 0, result.stdout);
    assert.match(
      result.stdout,
      new RegExp(`^${SIGNED}: signed by key [A-Za-z0-9_-]{43}, valid \\(trusted key\\)$`, 'm'),
    );
  });

  test('without --key the signature is verified but marked as not checked against a trusted key', async () => {
    const result = await runCli(['validate', ...NOW, SIGNED]);
    assert.equal(result.code, 0);
    assert.match(
      result.stdout,
      /signed by key \S+, valid \(key not checked against a trusted key: pass --key\)/,
    );
  });

  test('one changed byte makes the signature INVALID and the exit status 1', async () => {
    const file = write('tampered.xml', readFileSync(SIGNED, 'utf8').replace('UA-59', 'UA-58'));
    const result = await runCli(['validate', ...NOW, '--key', PUBLIC_KEY, file]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, new RegExp(`^${file}: signed by key \\S+, INVALID: digest mismatch`, 'm'));
  });

  test('a signature by another key than the trusted one is INVALID', async () => {
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    const other = write('other.pub.pem', stranger.export({ format: 'pem', type: 'spki' }) as string);
    const result = await runCli(['validate', ...NOW, '--key', other, SIGNED]);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stdout,
      /signed by key \S+, INVALID: the signing key is not among the trusted keys$/m,
    );
  });
});

describe('feeds', () => {
  test('an Atom feed: the embedded alert and the alert it links by a relative path are both checked', async () => {
    const result = await runCli(['validate', ...NOW, '--key', PUBLIC_KEY, FEED]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /signed\/signed\.xml: signed by key \S+, valid \(trusted key\)/);
    assert.match(result.stdout, /^2 messages checked \(2 from 1 feed\): 2 valid, 0 invalid/m);
  });

  test("a finding in an embedded alert points into the feed file at the element's line", async () => {
    const feedText = readFileSync(FEED, 'utf8').replace(
      '<cap:urgency>Immediate</cap:urgency>',
      '<cap:urgency>Now</cap:urgency>',
    );
    const file = write('bad-feed.atom', feedText);
    copyFileSync(SIGNED, join(dir, 'signed.xml'));
    writeFileSync(file, feedText.replace('../signed/signed.xml', 'signed.xml'));
    const result = await runCli(['validate', ...NOW, file]);
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      new RegExp(`^${file}:${lineOf(feedText, '<cap:urgency>')}:\\d+: error \\S+ .*Now`, 'm'),
    );
  });

  test('an RSS feed whose items link by enclosure and file: links', async () => {
    const result = await runCli(['validate', ...NOW, join(CAP, 'feeds/tocsin-items.rss')]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^2 messages checked \(2 from 1 feed\)/m);
  });

  test('http links are fetched (loopback server); a link that fails is an I/O error (exit 2)', async (t) => {
    const server = createServer((req, res) => {
      if (req.url === '/alert.xml')
        res.writeHead(200, { 'content-type': 'application/cap+xml' }).end(unsignedText);
      else res.writeHead(404).end('not found');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => server.close());
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const feed = (href: string) =>
      `<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>e1</id><link type="application/cap+xml" href="${href}"/></entry></feed>`;
    const good = await runCli(['validate', ...NOW, write('http.atom', feed(`${base}/alert.xml`))]);
    assert.equal(good.code, 0, good.stdout + good.stderr);
    assert.match(good.stdout, /^1 message checked \(1 from 1 feed\): 1 valid/m);
    const missing = await runCli(['validate', ...NOW, write('http404.atom', feed(`${base}/gone.xml`))]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read linked message .*\/gone\.xml: HTTP 404/);
  });

  test('a signed alert embedded in a feed keeps a valid signature; changed inside the feed it is INVALID', async () => {
    const body = readFileSync(SIGNED, 'utf8').replace(/^<\?xml[^>]*\?>\s*/, '');
    const feed = (alert: string) =>
      `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:x="urn:x"><entry><id>1</id><content type="application/cap+xml">${alert}</content></entry></feed>`;
    const good = await runCli([
      'validate',
      ...NOW,
      '--key',
      PUBLIC_KEY,
      write('signed-embedded.atom', feed(body)),
    ]);
    assert.equal(good.code, 0, good.stdout);
    assert.match(good.stdout, /signed-embedded\.atom: signed by key \S+, valid \(trusted key\)/);
    const bad = await runCli([
      'validate',
      ...NOW,
      '--key',
      PUBLIC_KEY,
      write('changed-embedded.atom', feed(body.replace('UA-59', 'UA-63'))),
    ]);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /changed-embedded\.atom: signed by key \S+, INVALID: digest mismatch/);
  });

  test('a feed with a DOCTYPE is refused', async () => {
    const file = write(
      'doctype.atom',
      '<!DOCTYPE feed [<!ENTITY x "y">]><feed xmlns="http://www.w3.org/2005/Atom"/>',
    );
    const result = await runCli(['validate', file]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /error FEED_DOCTYPE_FORBIDDEN/);
  });
});

describe('--json', () => {
  test('prints one JSON document with the findings, their positions, signatures and a summary', async () => {
    const broken = write(
      'json-broken.xml',
      unsignedText.replace('<scope>Public</scope>', '<scope>Everyone</scope>'),
    );
    const result = await runCli(['validate', ...NOW, '--json', SIGNED, broken]);
    assert.equal(result.code, 1);
    const doc = JSON.parse(result.stdout);
    assert.equal(doc.ok, false);
    assert.equal(doc.profile, 'cap');
    assert.deepEqual(
      {
        messages: doc.summary.messages,
        valid: doc.summary.valid,
        invalid: doc.summary.invalid,
        signed: doc.summary.signed,
      },
      { messages: 2, valid: 1, invalid: 1, signed: 1 },
    );
    const [signed, bad] = doc.messages;
    assert.equal(signed.signature.valid, true);
    assert.equal(signed.identifier, 'urn:tocsin:example:signed:0001');
    assert.equal(bad.valid, false);
    assert.equal(bad.findings[0].severity, 'error');
    assert.equal(bad.findings[0].line, lineOf(unsignedText, '<scope>'));
    assert.equal(bad.findings[0].path, 'scope');
  });
});

test('a file larger than any CAP document is refused without being read', async () => {
  const file = join(dir, 'huge.xml');
  writeFileSync(file, '');
  truncateSync(file, 33 * 1024 * 1024); // sparse: nothing is written to disk
  const result = await runCli(['validate', file]);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /huge\.xml: error INPUT_TOO_LARGE the file is 34603008 bytes/);
});

describe('usage and I/O errors exit 2', () => {
  test('a missing file', async () => {
    const result = await runCli(['validate', join(dir, 'nope.xml')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /nope\.xml: no such file/);
  });

  test('a --key file that is not a key', async () => {
    const result = await runCli(['validate', ...NOW, '--key', UNSIGNED, SIGNED]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unsigned\.xml: cannot use as a key: not a PEM public key/);
  });

  test('an unknown profile names the known ones', async () => {
    const result = await runCli(['validate', '--profile', 'nws', UNSIGNED]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /unknown profile 'nws'; known profiles: cap, ipaws, tocsin/);
  });

  test('an unknown option, a bad --now, and no file at all', async () => {
    assert.equal((await runCli(['validate', '--frobnicate', UNSIGNED])).code, 2);
    const badNow = await runCli(['validate', '--now', 'yesterday', UNSIGNED]);
    assert.equal(badNow.code, 2);
    assert.match(badNow.stderr, /--now 'yesterday' is not an RFC 3339/);
    assert.equal((await runCli(['validate'])).code, 2);
  });

  test('--help documents the options and exit codes', async () => {
    const result = await runCli(['validate', '--help']);
    assert.equal(result.code, 0);
    for (const word of ['--profile', '--json', '--now', '--key', '--timeout', 'Exit status'])
      assert.ok(result.stdout.includes(word), word);
  });
});
