// Every event the hub emits is signed: Ed25519 over the RFC 8785 canonical JSON of the event
// without `sig` (DESIGN.md). Signed once, in the commit path, then stored and sent as bytes.
import { type KeyObject, sign, verify } from 'node:crypto';
import { canonicalJson, quoteJson } from '../json/canonical.ts';

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
  return Buffer.from(canonicalJson(value), 'utf8');
}

/** Signs an event; the result's `kid` names the key. */
export function signEvent(unsigned: UnsignedEvent, key: SigningKey): SignedEvent {
  const withKid = { ...unsigned, kid: key.kid };
  const sig = sign(null, canonicalBytes(withKid), key.privateKey).toString('base64url');
  return { ...withKid, sig };
}

/**
 * The event's JSON text as a function of `seq`, for the commit path: everything but `seq` is
 * canonicalised here, once, before the transaction; inside it, `seq` is spliced in and signed.
 * The text is the canonical JSON of what `signEvent` returns (members in RFC 8785 order:
 * alert, id, kid, regions, seq, sig, time, type).
 */
export function prepareEvent(unsigned: Omit<UnsignedEvent, 'seq'>, key: SigningKey): (seq: number) => string {
  const head = `{"alert":${canonicalJson(unsigned.alert)},"id":${quoteJson(unsigned.id)},"kid":${quoteJson(key.kid)},"regions":${canonicalJson(unsigned.regions)},"seq":`;
  const tail = `,"time":${quoteJson(unsigned.time)},"type":${quoteJson(unsigned.type)}}`;
  return (seq) => {
    if (!Number.isSafeInteger(seq) || seq < 1) throw new RangeError(`seq ${seq} is not a positive integer`);
    const sig = sign(null, Buffer.from(`${head}${seq}${tail}`, 'utf8'), key.privateKey).toString('base64url');
    return `${head}${seq},"sig":"${sig}"${tail}`;
  };
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
