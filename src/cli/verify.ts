// `tocsin verify FILE`: checks a saved event (Ed25519 over the RFC 8785 canonical JSON of the
// event without `sig`, key named by `kid`) or a signed CAP XML file (enveloped XML-DSig)
// against a hub's keys. Exit 0 valid, 1 invalid, 2 usage or I/O.

import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyEvent } from '../alerts/event-signing.ts';
import { KEY_FILE_NAME, openKeyRing } from '../auth/keys.ts';
import { MAX_SIGNED_XML_BYTES, type TrustedKey, verifyCapSignature } from '../cap/dsig.ts';
import { formatViolations, loadConfig } from '../config/load.ts';
import { eventKeysDir } from '../config/schema.ts';
import { type Command, EXIT } from './command.ts';
import { parseFlags, stringFlag, UsageError } from './flags.ts';

const JWKS_PATH = '/.well-known/tocsin/keys.json';
const MAX_JWKS_BYTES = 1024 * 1024;
const FETCH_TIMEOUT_MS = 10_000;

const help = `Usage: tocsin verify FILE [--keys FILE|URL] [--data-dir DIR] [--config FILE] [--json]

  Checks the signature of FILE ('-' reads stdin):
    a saved event (JSON: { seq, id, type, time, regions, alert, kid, sig }): Ed25519 over the
      RFC 8785 canonical JSON of the event without sig, with the key its kid names;
    a CAP XML message: its enveloped XML-DSig signature over the whole <alert>.

  Keys, in this order:
    --keys URL    a hub's JWKS: https://hub.example.org (${JWKS_PATH} is added) or the full URL
    --keys FILE   a JWKS JSON file, or a PEM public key / certificate (for CAP XML)
    otherwise     the hub's data folder (DIR, default TOCSIN_DATA_DIR or ./tocsin-data): its event
                  keys, old ones included, and for CAP XML the configured XML signing key.

Exit 0 when valid, 1 when invalid (the reason is printed), 2 on usage or I/O errors.
`;

interface Keys {
  /** Event keys by kid. */
  events: Map<string, KeyObject>;
  /** Keys trusted for CAP XML; empty: none known. */
  xml: TrustedKey[];
  source: string;
}

type Verdict = { valid: true; kind: string; kid?: string } | { valid: false; kind: string; reason: string };

export const command: Command = {
  summary: 'check the signature of a saved event or a signed CAP XML file',
  help,
  async run(args, io) {
    try {
      const parsed = parseFlags(
        args,
        {
          keys: { type: 'string' },
          'data-dir': { type: 'string' },
          config: { type: 'string' },
          json: { type: 'boolean' },
        },
        1,
      );
      const file = parsed.positionals[0];
      if (file === undefined) throw new UsageError('missing FILE');
      const text = file === '-' ? await io.readStdin() : readText(file);
      const keys = await loadKeys(parsed, io);
      if (!keys) return EXIT.usage;
      const verdict = check(text, keys);
      if (parsed.values.json) io.stdout(`${JSON.stringify({ ...verdict, keys: keys.source })}\n`);
      else if (verdict.valid)
        io.stdout(
          `valid: ${verdict.kind} signed by ${verdict.kid ?? 'a trusted key'} (keys: ${keys.source})\n`,
        );
      else io.stdout(`invalid: ${verdict.kind}: ${verdict.reason}\n`);
      return verdict.valid ? EXIT.ok : EXIT.failure;
    } catch (error) {
      if (error instanceof UsageError) {
        io.stderr(`tocsin verify: ${error.message}\n${help}`);
        return EXIT.usage;
      }
      io.stderr(`tocsin verify: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
  },
};

function readText(file: string): string {
  const bytes = readFileSync(file);
  if (bytes.length > MAX_SIGNED_XML_BYTES)
    throw new Error(`${file} is larger than ${MAX_SIGNED_XML_BYTES} bytes`);
  return bytes.toString('utf8');
}

/** A CAP XML message or an event JSON, told apart by the first significant character. */
export function check(text: string, keys: Keys): Verdict {
  const body = text.replace(/^\uFEFF/, '').trimStart();
  if (body.startsWith('<')) {
    if (keys.xml.length === 0)
      return {
        valid: false,
        kind: 'CAP XML',
        reason: 'no trusted XML signing key: pass --keys with the hub’s PEM public key or certificate',
      };
    const result = verifyCapSignature(body, { keys: keys.xml });
    return result.valid
      ? { valid: true, kind: 'CAP XML', ...(result.keyId ? { kid: result.keyId } : {}) }
      : {
          valid: false,
          kind: 'CAP XML',
          reason: `${result.code ?? 'DSIG'}: ${result.reason ?? 'not valid'}`,
        };
  }
  let event: unknown;
  try {
    event = JSON.parse(body);
  } catch (error) {
    return { valid: false, kind: 'file', reason: `neither CAP XML nor JSON (${(error as Error).message})` };
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event))
    return { valid: false, kind: 'event', reason: 'not a JSON object' };
  const { kid, sig } = event as { kid?: unknown; sig?: unknown };
  if (typeof kid !== 'string' || typeof sig !== 'string')
    return { valid: false, kind: 'event', reason: 'no kid and sig: the event is not signed' };
  if (!keys.events.has(kid))
    return {
      valid: false,
      kind: 'event',
      reason: `unknown key ${JSON.stringify(kid.slice(0, 100))} (not in ${keys.source})`,
    };
  return verifyEvent(event, keys.events)
    ? { valid: true, kind: 'event', kid }
    : { valid: false, kind: 'event', reason: `the signature does not match the content (key ${kid})` };
}

async function loadKeys(
  parsed: ReturnType<typeof parseFlags>,
  io: Parameters<Command['run']>[1],
): Promise<Keys | undefined> {
  const given = stringFlag(parsed, 'keys');
  if (given !== undefined && /^https?:\/\//i.test(given)) {
    const url = new URL(given);
    if (url.pathname === '/' || url.pathname === '') url.pathname = JWKS_PATH;
    const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!response.ok) throw new Error(`${url.href} answered ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error(`${url.href} sent more than ${MAX_JWKS_BYTES} bytes`);
    return { ...jwksKeys(text, url.href), source: url.href };
  }
  if (given !== undefined) {
    const text = readFileSync(given, 'utf8');
    if (text.includes('-----BEGIN')) return { events: new Map(), xml: [text], source: given };
    return { ...jwksKeys(text, given), source: given };
  }
  const file = stringFlag(parsed, 'config');
  const dataDir = stringFlag(parsed, 'data-dir');
  const result = loadConfig({
    env: io.env,
    ...(file !== undefined ? { file } : {}),
    ...(dataDir !== undefined ? { flags: { dataDir: { value: dataDir, flag: '--data-dir' } } } : {}),
  });
  if (!result.ok) {
    io.stderr(formatViolations(result.violations));
    return undefined;
  }
  const dir = eventKeysDir(result.config);
  // Never create keys where none exist: verification only reads.
  const events = existsSync(join(dir, KEY_FILE_NAME)) ? new Map(openKeyRing(dir).publicKeys()) : new Map();
  const keyFile = result.config.alerts.xmlSigningKeyFile;
  const xml = keyFile === '' ? [] : [createPublicKey(readFileSync(keyFile, 'utf8'))];
  if (events.size === 0 && xml.length === 0)
    throw new Error(`no signing keys in ${dir} (pass --keys or --data-dir)`);
  return { events, xml, source: dir };
}

/** Event keys (Ed25519) and XML keys (RSA, EC) of a JWKS document. */
function jwksKeys(text: string, where: string): Omit<Keys, 'source'> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not a JWKS (not JSON)`);
  }
  const list = (doc as { keys?: unknown }).keys;
  if (!Array.isArray(list)) throw new Error(`${where} is not a JWKS (no "keys" array)`);
  const events = new Map<string, KeyObject>();
  const xml: TrustedKey[] = [];
  for (const jwk of list) {
    if (typeof jwk !== 'object' || jwk === null) continue;
    const j = jwk as { kid?: unknown; kty?: unknown };
    let key: KeyObject;
    try {
      key = createPublicKey({ key: jwk as never, format: 'jwk' });
    } catch {
      continue; // a key this tool cannot read names no signature it could check
    }
    if (j.kty === 'OKP' && typeof j.kid === 'string') events.set(j.kid, key);
    else if (j.kty === 'RSA' || j.kty === 'EC') xml.push(key);
  }
  return { events, xml };
}
