// Every event the hub emits is signed: Ed25519 over the RFC 8785 canonical JSON of the event
// without `sig` (DESIGN.md). Signed once, in the commit path, then stored and sent as bytes.
import { type KeyObject, sign, verify } from 'node:crypto';
import canonicalize from 'canonicalize';

/** An event as emitted: `{ seq, id, type, time, regions, alert, kid, sig }`. */
export interface SignedEvent {
  seq: number;
  id: string;
  type: string;
  /** RFC 3339. */
  time: string;
  regions: string[];
  alert: unknown;
  kid: string;
  /** base64url Ed25519 signature. */
  sig: string;
}

export type UnsignedEvent = Omit<SignedEvent, 'kid' | 'sig'>;

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

function canonicalBytes(value: unknown): Buffer {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('event cannot be canonicalised');
  return Buffer.from(text, 'utf8');
}

/** Signs an event; the result's `kid` names the key. */
export function signEvent(unsigned: UnsignedEvent, key: SigningKey): SignedEvent {
  const withKid = { ...unsigned, kid: key.kid };
  const sig = sign(null, canonicalBytes(withKid), key.privateKey).toString('base64url');
  return { ...withKid, sig };
}

/** True when `sig` verifies with the public key named by `kid`. */
export function verifyEvent(event: object, publicKeys: ReadonlyMap<string, KeyObject>): boolean {
  const { sig, ...rest } = event as { sig?: unknown; kid?: unknown };
  if (typeof rest.kid !== 'string' || typeof sig !== 'string') return false;
  const key = publicKeys.get(rest.kid);
  if (!key) return false;
  try {
    return verify(null, canonicalBytes(rest), key, Buffer.from(sig, 'base64url'));
  } catch {
    return false;
  }
}
