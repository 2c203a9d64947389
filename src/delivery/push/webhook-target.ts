// Server-side request forgery guard for webhook URLs (issue 8). A URL is checked at registration
// AND before every attempt: its host is resolved here (not by the HTTP client), every address it
// resolves to must be public, and the connection is then pinned to the checked address, so a DNS
// answer that changes between the check and the connect (DNS rebinding) cannot reach inside.
// Refused unless allowed by configuration: loopback, private (RFC 1918, ULA), link-local, CGNAT
// (RFC 6598), multicast, unspecified, reserved/documentation ranges and cloud metadata addresses;
// IPv4 embedded in IPv6 (mapped, NAT64, 6to4) is judged as the IPv4 address it carries.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

export type AddressFamily = 4 | 6;
export interface ResolvedAddress {
  address: string;
  family: AddressFamily;
}
/** Resolves a host name to every address it has (A and AAAA). */
export type Resolve = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolve: Resolve = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

export type RefusalReason = 'malformed' | 'scheme' | 'credentials' | 'unresolvable' | 'forbidden_address';

/** A webhook URL that may not be used; `message` names the address and why. */
export class TargetRefused extends Error {
  readonly reason: RefusalReason;
  constructor(reason: RefusalReason, message: string) {
    super(message);
    this.name = 'TargetRefused';
    this.reason = reason;
  }
}

export interface CheckedTarget {
  url: URL;
  /** The address to connect to (checked). */
  address: string;
  family: AddressFamily;
}

export interface TargetPolicy {
  /** Allow every address (a lab, or a hub whose receivers are all on a private network). */
  allowPrivateTargets: boolean;
  /** CIDRs allowed even though they are in a refused range (`127.0.0.1/32`, `10.20.0.0/16`). */
  allowCidrs: readonly string[];
}

export const MAX_URL_LENGTH = 2048;

type Bytes = number[];
interface Cidr {
  bytes: Bytes;
  bits: number;
}

function parseV4(text: string): Bytes | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

function parseV6(text: string): Bytes | undefined {
  let head = text.toLowerCase().replace(/%.*$/, '');
  const tail: number[] = [];
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(head);
  if (dotted) {
    const v4 = parseV4(dotted[1] as string);
    if (!v4) return undefined;
    tail.push((v4[0] as number) * 256 + (v4[1] as number), (v4[2] as number) * 256 + (v4[3] as number));
    head = head.slice(0, -(dotted[1] as string).length);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const words = (s: string) =>
    s === ''
      ? []
      : s.split(':').map((w) => (/^[0-9a-f]{1,4}$/.test(w) ? Number.parseInt(w, 16) : Number.NaN));
  const left = words(halves[0] as string);
  const right = [...(halves.length === 2 ? words(halves[1] as string) : []), ...tail];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0) || [...left, ...right].some(Number.isNaN))
    return undefined;
  const all = [...left, ...new Array<number>(missing).fill(0), ...right];
  return all.flatMap((w) => [w >> 8, w & 0xff]);
}

/** The address as bytes (4 or 16); undefined when it is not an IP address. */
export function addressBytes(address: string): Bytes | undefined {
  const kind = isIP(address);
  return kind === 4 ? parseV4(address) : kind === 6 ? parseV6(address) : undefined;
}

function parseCidr(text: string): Cidr {
  const [address = '', bitsText] = text.trim().split('/');
  const bytes = addressBytes(address);
  if (!bytes) throw new Error(`not a CIDR: ${JSON.stringify(text)}`);
  const bits = bitsText === undefined ? bytes.length * 8 : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > bytes.length * 8)
    throw new Error(`not a CIDR: ${JSON.stringify(text)}`);
  return { bytes, bits };
}

function inCidr(bytes: Bytes, cidr: Cidr): boolean {
  if (bytes.length !== cidr.bytes.length) return false;
  for (let bit = 0; bit < cidr.bits; bit++) {
    const i = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((bytes[i] as number) & mask) !== ((cidr.bytes[i] as number) & mask)) return false;
  }
  return true;
}

// Order matters: the first match names the range (metadata before link-local / ULA).
const REFUSED: readonly [string, string][] = [
  ['169.254.169.254/32', 'cloud metadata'],
  ['fd00:ec2::254/128', 'cloud metadata'],
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private (RFC 1918)'],
  ['100.64.0.0/10', 'shared CGNAT (RFC 6598)'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private (RFC 1918)'],
  ['192.0.0.0/24', 'reserved (IETF protocol assignments)'],
  ['192.0.2.0/24', 'reserved (documentation)'],
  ['192.168.0.0/16', 'private (RFC 1918)'],
  ['198.18.0.0/15', 'reserved (benchmarking)'],
  ['198.51.100.0/24', 'reserved (documentation)'],
  ['203.0.113.0/24', 'reserved (documentation)'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved (incl. broadcast)'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['100::/64', 'reserved (discard)'],
  ['2001:db8::/32', 'reserved (documentation)'],
  ['fc00::/7', 'private (unique local, ULA)'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private (site-local)'],
  ['ff00::/8', 'multicast'],
];
const REFUSED_CIDRS = REFUSED.map(([cidr, why]) => ({ cidr: parseCidr(cidr), why }));
const MAPPED = parseCidr('::ffff:0:0/96');
const NAT64 = parseCidr('64:ff9b::/96');
const SIX_TO_FOUR = parseCidr('2002::/16');

/** The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), if any. */
function embeddedV4(bytes: Bytes): Bytes | undefined {
  if (bytes.length !== 16) return undefined;
  if (inCidr(bytes, MAPPED) || inCidr(bytes, NAT64)) return bytes.slice(12);
  if (inCidr(bytes, SIX_TO_FOUR)) return bytes.slice(2, 6);
  return undefined;
}

/** Why an address may not be a webhook target ('loopback', ...); undefined for a public address. */
export function refusedRange(address: string): string | undefined {
  const bytes = addressBytes(address);
  if (!bytes) return 'not an IP address';
  const v4 = embeddedV4(bytes);
  const judged = v4 ?? bytes;
  return REFUSED_CIDRS.find(({ cidr }) => inCidr(judged, cidr))?.why;
}

/** Parses the allow-list setting (comma-separated CIDRs); throws on a malformed entry. */
export function parseAllowCidrs(text: string): string[] {
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const entry of entries) parseCidr(entry);
  return entries;
}

export interface TargetGuard {
  /** Parses and checks a URL; resolves with the address to connect to, or rejects with TargetRefused. */
  check(url: string): Promise<CheckedTarget>;
}

/** The guard for a policy; `resolve` is injectable (tests resolve names to chosen addresses). */
export function createTargetGuard(policy: TargetPolicy, resolve: Resolve = systemResolve): TargetGuard {
  const allowed = policy.allowCidrs.map(parseCidr);
  const isAllowed = (address: string): string | undefined => {
    if (policy.allowPrivateTargets) return undefined;
    const why = refusedRange(address);
    if (why === undefined) return undefined;
    const bytes = addressBytes(address) as Bytes;
    const v4 = embeddedV4(bytes);
    return allowed.some((cidr) => inCidr(bytes, cidr) || (v4 !== undefined && inCidr(v4, cidr)))
      ? undefined
      : why;
  };

  return {
    async check(text) {
      if (text.length > MAX_URL_LENGTH)
        throw new TargetRefused('malformed', `the URL is longer than ${MAX_URL_LENGTH} characters`);
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw new TargetRefused('malformed', 'not an absolute URL');
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new TargetRefused(
          'scheme',
          `the scheme ${url.protocol.slice(0, -1)} is not allowed: use https or http`,
        );
      if (url.username !== '' || url.password !== '')
        throw new TargetRefused(
          'credentials',
          'credentials in the URL are not allowed: use the webhook secret',
        );
      const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      let addresses: ResolvedAddress[];
      if (isIP(host) !== 0) addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
      else {
        try {
          addresses = await resolve(host);
        } catch (error) {
          throw new TargetRefused(
            'unresolvable',
            `${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'DNS error'})`,
          );
        }
        if (addresses.length === 0) throw new TargetRefused('unresolvable', `${host} has no address`);
      }
      // Every address must pass: a name with one public and one private address is refused whole.
      for (const { address } of addresses) {
        const why = isAllowed(address);
        if (why !== undefined)
          throw new TargetRefused(
            'forbidden_address',
            host === address ? `${address} is ${why}` : `${host} resolves to ${address}, which is ${why}`,
          );
      }
      const first = addresses[0] as ResolvedAddress;
      return { url, address: first.address, family: first.family };
    },
  };
}
