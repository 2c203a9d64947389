import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import canonicalize from 'canonicalize';
import { prepareEvent, signEvent, verifyEvent } from './event-signing.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const keys = new Map([['k1', publicKey]]);
const unsigned = {
  seq: 7,
  id: 'e7',
  type: 'alert.issued',
  time: '2026-03-01T08:42:00.000Z',
  regions: ['UA-59'],
  alert: { id: 'a', headline: 'Повітряна тривога' },
};

test('a signed event verifies, also after a JSON round trip with other key order', () => {
  const event = signEvent(unsigned, { kid: 'k1', privateKey });
  assert.equal(event.kid, 'k1');
  assert.ok(verifyEvent(event, keys));
  const reordered = JSON.parse(
    JSON.stringify({
      sig: event.sig,
      alert: event.alert,
      kid: event.kid,
      seq: event.seq,
      id: event.id,
      type: event.type,
      time: event.time,
      regions: event.regions,
    }),
  );
  assert.ok(verifyEvent(reordered, keys));
});

test('one changed byte, an unknown kid, a foreign key or a missing sig fail verification', () => {
  const event = signEvent(unsigned, { kid: 'k1', privateKey });
  assert.equal(verifyEvent({ ...event, seq: 8 }, keys), false);
  assert.equal(
    verifyEvent({ ...event, alert: { ...unsigned.alert, headline: 'Повітряна тривогa' } }, keys),
    false,
  );
  assert.equal(verifyEvent({ ...event, kid: 'k2' }, keys), false);
  assert.equal(verifyEvent(signEvent(unsigned, { kid: 'k1', privateKey: other.privateKey }), keys), false);
  const { sig: _sig, ...unsignedCopy } = event;
  assert.equal(verifyEvent(unsignedCopy, keys), false);
  assert.equal(verifyEvent({ ...event, sig: 'not base64 !!' }, keys), false);
});

test('a prepared event is the canonical JSON of the signed event, for any seq', () => {
  const { seq: _seq, ...withoutSeq } = unsigned;
  const json = prepareEvent(withoutSeq, { kid: 'k1', privateKey });
  for (const seq of [1, 7, 123_456_789]) {
    const text = json(seq);
    const signed = signEvent({ ...withoutSeq, seq }, { kid: 'k1', privateKey });
    assert.equal(text, canonicalize(signed));
    assert.ok(verifyEvent(JSON.parse(text), keys));
  }
  assert.throws(() => json(0), RangeError);
  assert.throws(() => json(1.5), RangeError);
});
