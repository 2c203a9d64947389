// The hub's Ed25519 event-signing keys, kept in one file in the data folder (mode 0600):
// generated on first start; `tocsin keys rotate` makes a new current key and keeps the old
// public keys (their private halves are dropped) so events signed before still verify.
// Key ids are RFC 7638 JWK thumbprints, so a kid names exactly one public key.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SigningKey } from '../alerts/event-signing.ts';

/** Name of the key file inside the data folder. */
export const KEY_FILE_NAME = 'signing-keys.json';
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** A public key as published in the JWKS (RFC 8037 §2 OKP, Ed25519). */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  use: 'sig';
  alg: 'EdDSA';
}

interface StoredKey {
  kid: string;
  createdAt: string;
  /** When a rotation replaced it; absent for the current key. */
  retiredAt?: string;
  /** base64url raw public key (JWK `x`). */
  x: string;
  /** PKCS#8 PEM; only the current key keeps it. */
  privateKeyPem?: string;
}

interface KeyFile {
  version: 1;
  current: string;
  keys: StoredKey[];
}

export interface KeyRing {
  /** The key new events are signed with. */
  current(): SigningKey;
  /** Every public key, current first, by kid. */
  publicKeys(): ReadonlyMap<string, KeyObject>;
  /** The JWKS document served at /.well-known/tocsin/keys.json. */
  jwks(): { keys: PublicJwk[] };
}

export class KeyFileError extends Error {
  constructor(path: string, reason: string) {
    super(`signing key file ${path}: ${reason}`);
    this.name = 'KeyFileError';
  }
}

function thumbprint(x: string): string {
  // RFC 7638 §3.2: the required members of an OKP key, in lexicographic order, no spaces.
  return createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest('base64url');
}

function newKey(now: Date): StoredKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x as string;
  return {
    kid: thumbprint(x),
    createdAt: now.toISOString(),
    x,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
  };
}

function writeAtomically(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w', FILE_MODE);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  chmodSync(tmp, FILE_MODE); // the umask may have narrowed it, never widened; be exact anyway
  renameSync(tmp, path);
}

function readKeyFile(path: string): KeyFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KeyFileError(path, (error as Error).message);
  }
  let file: KeyFile;
  try {
    file = JSON.parse(text) as KeyFile;
  } catch {
    throw new KeyFileError(path, 'not valid JSON');
  }
  const current = Array.isArray(file.keys) ? file.keys.find((k) => k.kid === file.current) : undefined;
  if (file.version !== 1 || !current?.privateKeyPem) throw new KeyFileError(path, 'no usable current key');
  return file;
}

function ringOf(path: string, file: KeyFile): KeyRing {
  const stored = file.keys.find((k) => k.kid === file.current) as StoredKey;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(stored.privateKeyPem as string);
  } catch {
    throw new KeyFileError(path, `current key ${stored.kid} cannot be read`);
  }
  const ordered = [stored, ...file.keys.filter((k) => k !== stored)];
  const publicKeys = new Map(
    ordered.map((k) => [
      k.kid,
      createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: k.x }, format: 'jwk' }),
    ]),
  );
  const jwks = {
    keys: ordered.map(
      (k): PublicJwk => ({ kty: 'OKP', crv: 'Ed25519', x: k.x, kid: k.kid, use: 'sig', alg: 'EdDSA' }),
    ),
  };
  const current = { kid: stored.kid, privateKey };
  return { current: () => current, publicKeys: () => publicKeys, jwks: () => jwks };
}

/** Opens the key ring in `dir`, generating the first key when there is none. */
export function openKeyRing(dir: string, now: Date = new Date()): KeyRing {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  const path = join(dir, KEY_FILE_NAME);
  let file = readKeyFile(path);
  if (!file) {
    const key = newKey(now);
    file = { version: 1, current: key.kid, keys: [key] };
    writeAtomically(path, `${JSON.stringify(file, null, 2)}\n`);
  }
  return ringOf(path, file);
}

/** Makes a new current key; the old ones keep only their public half. Returns the new ring. */
export function rotateKeys(
  dir: string,
  now: Date = new Date(),
): { ring: KeyRing; previous: string | null; current: string } {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  const path = join(dir, KEY_FILE_NAME);
  const old = readKeyFile(path);
  const key = newKey(now);
  const retired = (old?.keys ?? []).map(({ privateKeyPem: _dropped, ...k }) => ({
    ...k,
    retiredAt: k.retiredAt ?? now.toISOString(),
  }));
  const file: KeyFile = { version: 1, current: key.kid, keys: [key, ...retired] };
  writeAtomically(path, `${JSON.stringify(file, null, 2)}\n`);
  return { ring: ringOf(path, file), previous: old?.current ?? null, current: key.kid };
}
