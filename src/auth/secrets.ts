// Random secrets and their hashes: tokens, session ids and CSRF tokens are 256-bit random values;
// only their SHA-256 is stored (enough for high-entropy secrets: no dictionary to try).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url (43 characters). */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

export function randomId(prefix: string): string {
  return `${prefix}${randomBytes(9).toString('base64url')}`;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** Constant-time equality of two strings' SHA-256 (lengths may differ). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
