import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  hashPassword,
  oneTimePassword,
  PASSWORD_MAX_LENGTH,
  passwordProblem,
  verifyPassword,
} from './password.ts';

test('a hash verifies its password only; salts differ; the encoding carries the parameters', async () => {
  const a = await hashPassword('correct horse battery staple');
  const b = await hashPassword('correct horse battery staple');
  assert.notEqual(a, b);
  assert.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  assert.equal(await verifyPassword('correct horse battery staple', a), true);
  assert.equal(await verifyPassword('correct horse battery stapler', a), false);
  assert.equal(await verifyPassword('', a), false);
  // Unicode is normalised: the same text typed precomposed or decomposed matches.
  const accented = await hashPassword('pa\u0301ssword-long-enough');
  assert.equal(await verifyPassword('p\u00e1ssword-long-enough', accented), true);
});

test('malformed hashes and overlong passwords are refused without throwing', async () => {
  for (const bad of [
    '',
    'plain',
    'scrypt$1$2$3',
    'bcrypt$1$1$1$AA$AA',
    `scrypt$${2 ** 24}$8$1$AA$AA`,
    'scrypt$x$8$1$AA$AA',
  ]) {
    assert.equal(await verifyPassword('anything', bad), false, bad);
  }
  const hash = await hashPassword('x'.repeat(20));
  assert.equal(await verifyPassword('x'.repeat(PASSWORD_MAX_LENGTH + 1), hash), false);
});

test('password rules and one-time passwords', () => {
  assert.match(passwordProblem('short', 'anna') ?? '', /at least/);
  assert.match(passwordProblem('anna-anna-anna-anna', 'anna') ?? '', /name/);
  assert.match(passwordProblem('aaaaaaaaaaaaaaaa', 'bob') ?? '', /distinct/);
  assert.equal(passwordProblem('correct horse battery staple', 'anna'), undefined);
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const otp = oneTimePassword();
    assert.match(otp, /^[A-HJ-NP-Za-km-z2-9]{20}$/);
    assert.equal(passwordProblem(otp, 'admin'), undefined);
    seen.add(otp);
  }
  assert.equal(seen.size, 200);
});
