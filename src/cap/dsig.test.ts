import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DSIG_CODES, keyThumbprint, readTrustedKey, signCapXml, verifyCapSignature } from './dsig.ts';

const FIXTURES = new URL('../../test/fixtures/cap/signed/', import.meta.url);
const UNSIGNED = readFileSync(new URL('unsigned.xml', FIXTURES), 'utf8');

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: typeof rsa.privateKey) => key.export({ format: 'pem', type: 'pkcs8' }) as string;

for (const [name, pair, algorithm] of [
  ['RSA', rsa, 'rsa-sha256'],
  ['ECDSA P-256', ec, 'ecdsa-sha256'],
] as const) {
  describe(`${name} signatures`, () => {
    const signed = signCapXml(UNSIGNED, { privateKey: pem(pair.privateKey), algorithm });

    test('sign then verify with the trusted public key: valid, trusted, named by thumbprint', () => {
      const check = verifyCapSignature(signed, { keys: [pair.publicKey] });
      assert.deepEqual(check, {
        signed: true,
        valid: true,
        trusted: true,
        algorithm,
        keyId: keyThumbprint(pair.publicKey),
      });
    });

    test('the signature is the last child of alert and covers it with URI=""', () => {
      assert.match(signed, /<Reference URI="">/);
      assert.match(signed, /<\/Signature><\/alert>\s*$/);
      assert.match(signed, /enveloped-signature/);
      assert.match(signed, /xml-exc-c14n#/);
    });

    test('one changed byte in the signed alert is a digest mismatch', () => {
      const tampered = signed.replace('UA-59', 'UA-58');
      assert.notEqual(tampered, signed);
      const check = verifyCapSignature(tampered, { keys: [pair.publicKey] });
      assert.equal(check.valid, false);
      assert.equal(check.code, DSIG_CODES.digestMismatch);
      assert.match(check.reason ?? '', /digest mismatch/);
    });

    test('a changed SignatureValue is a signature value mismatch', () => {
      const tampered = signed.replace(
        /<SignatureValue>(.)/,
        (_m, c: string) => `<SignatureValue>${c === 'A' ? 'B' : 'A'}`,
      );
      const check = verifyCapSignature(tampered, { keys: [pair.publicKey] });
      assert.equal(check.code, DSIG_CODES.signatureMismatch);
      assert.equal(check.valid, false);
    });

    test('a key outside the trusted list is reported as untrusted', () => {
      const stranger = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
      const check = verifyCapSignature(signed, { keys: [stranger] });
      assert.equal(check.valid, false);
      assert.equal(check.code, DSIG_CODES.untrustedKey);
      assert.equal(check.keyId, keyThumbprint(pair.publicKey));
    });
  });
}

test('with no trust list the embedded key verifies the signature, but it is not trusted', () => {
  const signed = signCapXml(UNSIGNED, { privateKey: ec.privateKey, algorithm: 'ecdsa-sha256' });
  assert.deepEqual(verifyCapSignature(signed), {
    signed: true,
    valid: true,
    trusted: false,
    algorithm: 'ecdsa-sha256',
    keyId: keyThumbprint(ec.publicKey),
  });
});

test('a signature made by another key than the one KeyInfo claims fails on the signature value', () => {
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signed = signCapXml(UNSIGNED, {
    privateKey: other.privateKey,
    publicKey: ec.publicKey,
    algorithm: 'ecdsa-sha256',
  });
  assert.equal(verifyCapSignature(signed, { keys: [ec.publicKey] }).code, DSIG_CODES.signatureMismatch);
});

test('an unsigned message is signed:false with the reason', () => {
  const check = verifyCapSignature(UNSIGNED);
  assert.equal(check.signed, false);
  assert.equal(check.code, DSIG_CODES.noSignature);
});

test('bytes are accepted and decoded as UTF-8; invalid UTF-8 is refused', () => {
  const signed = signCapXml(UNSIGNED, { privateKey: ec.privateKey, algorithm: 'ecdsa-sha256' });
  assert.equal(verifyCapSignature(Buffer.from(signed, 'utf8')).valid, true);
  assert.equal(verifyCapSignature(new Uint8Array([0x3c, 0xff, 0xfe])).code, DSIG_CODES.malformed);
});

describe('wrapping and hostile input', () => {
  const signed = signCapXml(UNSIGNED, { privateKey: ec.privateKey, algorithm: 'ecdsa-sha256' });

  test('a Reference to anything but the whole alert is refused', () => {
    const wrapped = signed.replace('<Reference URI="">', '<Reference URI="#evil">');
    const check = verifyCapSignature(wrapped, { keys: [ec.publicKey] });
    assert.equal(check.code, DSIG_CODES.badReference);
    assert.match(check.reason ?? '', /URI=""/);
  });

  test('a Reference without the enveloped-signature transform is refused', () => {
    const noEnveloped = signed.replace(
      /<Transform Algorithm="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#enveloped-signature"\/>/,
      '',
    );
    assert.equal(verifyCapSignature(noEnveloped).code, DSIG_CODES.badReference);
  });

  test('a second Reference is refused', () => {
    const twice = signed.replace(/(<Reference[\s\S]*?<\/Reference>)/, '$1$1');
    assert.equal(verifyCapSignature(twice).code, DSIG_CODES.badReference);
  });

  test('a signed alert wrapped inside another alert is refused (Signature not a child of the root)', () => {
    const body = signed.replace(/^<\?xml[^>]*\?>\s*/, '');
    const outer = `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>evil</identifier><note>${body}</note></alert>`;
    assert.equal(verifyCapSignature(outer).code, DSIG_CODES.badReference);
  });

  test('content added after the Signature is refused', () => {
    const after = signed.replace('</Signature></alert>', '</Signature><note>later</note></alert>');
    assert.equal(verifyCapSignature(after).code, DSIG_CODES.badReference);
  });

  test('a DOCTYPE (entity expansion) is refused before parsing', () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>${signed.replace(/^<\?xml[^>]*\?>/, '')}`;
    const check = verifyCapSignature(bomb);
    assert.equal(check.code, DSIG_CODES.refused);
    assert.throws(
      () =>
        signCapXml(bomb.replace(/<Signature[\s\S]*<\/Signature>/, ''), {
          privateKey: ec.privateKey,
          algorithm: 'ecdsa-sha256',
        }),
      /DOCTYPE/,
    );
  });

  test('malformed XML and non-CAP roots are reported, not thrown', () => {
    assert.equal(
      verifyCapSignature('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>').code,
      DSIG_CODES.malformed,
    );
    assert.equal(
      verifyCapSignature('<feed xmlns="http://www.w3.org/2005/Atom"/>').code,
      DSIG_CODES.malformed,
    );
  });

  test('deep nesting is refused before the DOM parser sees it', () => {
    const depth = 200_000;
    const deep = signed.replace(
      '<note>',
      `${'<x:n xmlns:x="urn:x">'.repeat(depth)}${'</x:n>'.repeat(depth)}<note>`,
    );
    const check = verifyCapSignature(deep);
    assert.equal(check.code, DSIG_CODES.refused);
    assert.match(check.reason ?? '', /nested 200001 deep/);
  });

  test('an RSA-SHA1 signature method is not accepted', () => {
    const sha1 = signed.replace(
      'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
      'http://www.w3.org/2000/09/xmldsig#rsa-sha1',
    );
    assert.equal(verifyCapSignature(sha1).code, DSIG_CODES.unsupportedAlgorithm);
  });

  test('signing an already signed message is refused', () => {
    assert.throws(
      () => signCapXml(signed, { privateKey: ec.privateKey, algorithm: 'ecdsa-sha256' }),
      /already signed/,
    );
  });
});

test('the committed signed example verifies with its committed public key', () => {
  const signed = readFileSync(new URL('signed.xml', FIXTURES), 'utf8');
  const publicKey = readFileSync(new URL('signed.pub.pem', FIXTURES), 'utf8');
  const check = verifyCapSignature(signed, { keys: [publicKey] });
  assert.equal(check.valid, true);
  assert.equal(check.trusted, true);
});

test('an X.509 certificate in KeyInfo names the subject and is trusted by certificate', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tocsin-dsig-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=Tocsin test signer',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
  } catch {
    t.skip('openssl is not available to make a certificate');
    return;
  }
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const signed = signCapXml(UNSIGNED, {
    privateKey: readFileSync(join(dir, 'key.pem'), 'utf8'),
    publicCert: cert,
    algorithm: 'ecdsa-sha256',
  });
  assert.match(signed, /<X509Certificate>/);
  const check = verifyCapSignature(signed, { keys: [cert] });
  assert.equal(check.valid, true);
  assert.equal(check.trusted, true);
  assert.equal(check.subject, 'CN=Tocsin test signer');
});

test('a real IPAWS-OPEN signed message (RSA-SHA256, X.509 in KeyInfo) verifies', (t) => {
  const file = new URL('../../test/fixtures/cap/real/nevada-dps-cancel-2019.xml', import.meta.url);
  let xml: string;
  try {
    xml = readFileSync(file, 'utf8');
  } catch {
    t.skip('the real-message fixtures are not present');
    return;
  }
  const check = verifyCapSignature(xml);
  assert.equal(check.valid, true, check.reason);
  assert.equal(check.algorithm, 'rsa-sha256');
  assert.match(check.subject ?? '', /O=FEMA IPAWS, .*CN=IPAWSOPEN_200302/);
  const tampered = verifyCapSignature(xml.replace('<msgType>Cancel</msgType>', '<msgType>Alert</msgType>'));
  assert.equal(tampered.code, DSIG_CODES.digestMismatch);
});

test('readTrustedKey takes PEM keys and certificates and says why it refuses anything else', () => {
  const fromPublic = readTrustedKey(ec.publicKey.export({ format: 'pem', type: 'spki' }) as string);
  const fromPrivate = readTrustedKey(pem(ec.privateKey));
  assert.equal(keyThumbprint(fromPublic as typeof ec.publicKey), keyThumbprint(ec.publicKey));
  assert.equal(keyThumbprint(fromPrivate as typeof ec.publicKey), keyThumbprint(ec.publicKey));
  assert.throws(() => readTrustedKey(UNSIGNED), /not a PEM public key, private key or X\.509 certificate/);
});
