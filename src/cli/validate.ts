// `tocsin validate`: checks CAP messages and CAP feeds from files or stdin. A thin transport:
// parsing, validation and signature checks are the cap/ library's; this file reads the inputs,
// follows feed links, maps each finding to a file:line:col, and picks the exit code.
import { readFile, stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { SignatureCheck, TrustedKey } from '../cap/dsig.ts';
import { readTrustedKey, verifyCapSignature } from '../cap/dsig.ts';
import type { FeedEntry } from '../cap/feed.ts';
import { DEFAULT_FEED_LIMITS, documentKind, parseCapFeed } from '../cap/feed.ts';
import { parseCapJson } from '../cap/json.ts';
import type { Finding, Position } from '../cap/types.ts';
import { PROFILES, validateCap } from '../cap/validate.ts';
import { DEFAULT_CAP_XML_LIMITS, parseCapXml } from '../cap/xml.ts';
import { type CliIo, type Command, EXIT } from './command.ts';
import { listFlag, parseFlags, stringFlag, UsageError } from './flags.ts';

const DEFAULT_TIMEOUT_MS = 10_000;
/** Linked messages fetched at once from one feed. */
const FETCH_CONCURRENCY = 4;
const DSIG_NAMESPACE = 'http://www.w3.org/2000/09/xmldsig#';
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
type ProfileId = keyof typeof PROFILES;

const help = `Usage: tocsin validate [--profile P] [--json] [--now RFC3339] [--key FILE]... [--timeout MS] FILE... | -

Checks CAP messages (CAP 1.2 XML, also 1.1 and 1.0; or Tocsin's CAP JSON) and CAP feeds (Atom
or RSS 2.0), told apart by their root element. For a feed, every entry is checked: a CAP message embedded in the entry, or
the message it links to (link type="application/cap+xml", enclosure, or the entry's link). A
relative or file: link is read from disk relative to the feed; an http(s) link is fetched.
A signed message (XML-DSig) also has its signature verified.

Options:
  --profile P    rules on top of CAP 1.2: ${Object.keys(PROFILES).join(', ')} (default: cap, the plain CAP rules)
  --json         print one JSON document instead of lines
  --now T        the time to check expiry against, RFC 3339 (default: the clock)
  --key FILE     a trusted signing key or certificate (PEM); repeatable. With --key, a
                 signature by any other key is INVALID; without it, a signature is verified
                 with the key it carries and reported as not checked against a trusted key
  --timeout MS   how long to wait for each http(s) link (default ${DEFAULT_TIMEOUT_MS})
  -              read one document from standard input

Output: one line per finding, "FILE:LINE:COL: error|warning CODE message", a line per
signed message ("FILE: signed by key KID, valid" or "... INVALID: reason"), then a summary.
For an embedded message the position is in the feed file.

Exit status: 0 everything valid (warnings allowed), 1 something invalid (an error finding or
a bad signature), 2 usage or I/O error (unknown option or profile, unreadable file, a feed
link that could not be read).
`;

interface Options {
  profile: ProfileId;
  json: boolean;
  now: Date;
  keys: TrustedKey[] | undefined;
  timeoutMs: number;
}

/** One checked CAP message, wherever it came from. */
interface MessageReport {
  source: string;
  feed?: string;
  entry?: { index: number; id?: string };
  identifier?: string;
  valid: boolean;
  findings: Finding[];
  signature?: SignatureCheck;
}

interface FeedReport {
  source: string;
  kind: 'atom' | 'rss';
  entries: number;
}

interface Report {
  messages: MessageReport[];
  feeds: FeedReport[];
  /** Documents that are neither CAP nor a feed, or feeds that did not parse. */
  documents: MessageReport[];
  ioErrors: { source: string; message: string }[];
}

function parseOptions(args: string[]): { options: Options; inputs: string[]; keyFiles: string[] } {
  const parsed = parseFlags(args, {
    profile: { type: 'string' },
    json: { type: 'boolean' },
    now: { type: 'string' },
    key: { type: 'string', multiple: true },
    timeout: { type: 'string' },
  });
  const profile = stringFlag(parsed, 'profile') ?? 'cap';
  if (!Object.hasOwn(PROFILES, profile)) {
    throw new UsageError(`unknown profile '${profile}'; known profiles: ${Object.keys(PROFILES).join(', ')}`);
  }
  const nowText = stringFlag(parsed, 'now');
  const now = nowText === undefined ? new Date() : new Date(nowText);
  if (nowText !== undefined && (!RFC3339.test(nowText) || Number.isNaN(now.getTime()))) {
    throw new UsageError(`--now '${nowText}' is not an RFC 3339 date-time such as 2026-03-01T10:42:00+02:00`);
  }
  const timeoutText = stringFlag(parsed, 'timeout');
  const timeoutMs = timeoutText === undefined ? DEFAULT_TIMEOUT_MS : Number(timeoutText);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0)
    throw new UsageError(`--timeout '${timeoutText}' is not a positive whole number of milliseconds`);
  const inputs = parsed.positionals;
  if (inputs.length === 0) throw new UsageError('no FILE given (use - for standard input)');
  if (inputs.filter((i) => i === '-').length > 1)
    throw new UsageError("'-' (standard input) may be given only once");
  const keyFiles = listFlag(parsed, 'key');
  return {
    options: {
      profile: profile as ProfileId,
      json: parsed.values.json === true,
      now,
      keys: undefined,
      timeoutMs,
    },
    inputs,
    keyFiles,
  };
}

/** Moves a finding from a message's own coordinates into the feed that embeds it. */
function shift(position: Position, at: Position | undefined): Position {
  if (!at) return position;
  return position.line === 1
    ? { line: at.line, column: at.column + position.column - 1 }
    : { line: at.line + position.line - 1, column: position.column };
}

/** The position of a model path, or of its nearest ancestor that has one. */
function positionOf(path: string, positions: Map<string, Position>): Position | undefined {
  for (let p = path; ; ) {
    const found = positions.get(p);
    if (found || p === '') return found;
    // 'info[0].area[1]' → 'info[0].area' → 'info[0]' → 'info' → ''
    const parent = p.replace(/(?:^|\.)[^.[\]]+$|\[\d+\]$/, '');
    p = parent === p ? '' : parent;
  }
}

function located(finding: Finding, position: Position | undefined, at: Position | undefined): Finding {
  const base = finding.line !== undefined ? { line: finding.line, column: finding.column ?? 1 } : position;
  if (!base) return finding;
  const { line, column } = shift(base, at);
  return { ...finding, line, column };
}

/** Parses, validates and (when signed) verifies one CAP message. */
function checkMessage(
  text: string | Uint8Array,
  source: string,
  options: Options,
  at?: Position,
  format: 'xml' | 'json' = 'xml',
): MessageReport {
  const parsed =
    format === 'json'
      ? parseCapJson(typeof text === 'string' ? text : Buffer.from(text).toString('utf8'))
      : parseCapXml(text);
  if (!parsed.ok)
    return { source, valid: false, findings: parsed.errors.map((f) => located(f, undefined, at)) };
  const findings = [
    ...parsed.warnings,
    ...validateCap(parsed.alert, { profile: PROFILES[options.profile], now: options.now }),
  ]
    .map((f) => located(f, positionOf(f.path, parsed.positions), at))
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  const report: MessageReport = {
    source,
    identifier: parsed.alert.identifier,
    valid: !findings.some((f) => f.severity === 'error'),
    findings,
  };
  const xml = typeof text === 'string' ? text : Buffer.from(text).toString('utf8');
  if (format === 'xml' && xml.includes(DSIG_NAMESPACE)) {
    report.signature = verifyCapSignature(xml, options.keys ? { keys: options.keys } : {});
    if (report.signature.signed && !report.signature.valid) report.valid = false;
  }
  return report;
}

async function fetchText(url: URL, timeoutMs: number): Promise<Uint8Array> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(timeoutMs),
    headers: { accept: 'application/cap+xml, application/xml;q=0.9' },
  });
  if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
  const limit = DEFAULT_CAP_XML_LIMITS.maxBytes;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += (chunk as Uint8Array).byteLength;
    // Stop reading past the parser's limit: it would refuse the message anyway.
    if (size > limit + 1) break;
    chunks.push(chunk as Uint8Array);
  }
  return Buffer.concat(chunks);
}

async function readLinked(
  link: string,
  base: URL,
  timeoutMs: number,
): Promise<{ source: string; bytes: Uint8Array }> {
  const url = new URL(link, base);
  if (url.protocol === 'file:') {
    const path = fileURLToPath(url);
    return { source: relative(process.cwd(), path) || path, bytes: await readFile(path) };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:')
    return { source: url.href, bytes: await fetchText(url, timeoutMs) };
  throw new Error(`unsupported link scheme '${url.protocol}'`);
}

async function checkEntry(
  entry: FeedEntry,
  index: number,
  feed: string,
  base: URL,
  options: Options,
  report: Report,
): Promise<MessageReport | undefined> {
  const where = { feed, entry: { index, ...(entry.id !== undefined ? { id: entry.id } : {}) } };
  if (entry.capXml !== undefined) {
    return { ...checkMessage(entry.capXml, feed, options, entry.capPosition), ...where };
  }
  if (entry.capUrl === undefined) {
    const finding: Finding = {
      code: 'FEED_ENTRY_WITHOUT_CAP',
      severity: 'warning',
      path: '',
      message: `entry ${index + 1} neither embeds nor links a CAP message`,
      ...entry.position,
    };
    return { source: feed, ...where, valid: true, findings: [finding] };
  }
  try {
    const linked = await readLinked(entry.capUrl, base, options.timeoutMs);
    return { ...checkMessage(linked.bytes, linked.source, options), ...where };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const cause =
      e.name === 'TimeoutError'
        ? `no answer within ${options.timeoutMs} ms`
        : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}`;
    report.ioErrors.push({
      source: `${feed}:${entry.position.line}:${entry.position.column}`,
      message: `cannot read linked message ${entry.capUrl}: ${cause}`,
    });
    return undefined;
  }
}

async function checkDocument(
  bytes: Uint8Array,
  source: string,
  base: URL,
  options: Options,
  report: Report,
): Promise<void> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    report.documents.push({
      source,
      valid: false,
      findings: [
        {
          code: 'CAP_XML_INVALID_UTF8',
          severity: 'error',
          path: '',
          message: 'the document is not valid UTF-8',
        },
      ],
    });
    return;
  }
  const kind = documentKind(text);
  if (kind === 'alert') {
    report.messages.push(checkMessage(bytes, source, options));
    return;
  }
  if (kind === 'unknown' && text.trimStart().startsWith('{')) {
    report.messages.push(checkMessage(text, source, options, undefined, 'json'));
    return;
  }
  if (kind === 'unknown') {
    const message = 'neither a CAP message (XML <alert> or JSON) nor an Atom or RSS feed';
    report.documents.push({
      source,
      valid: false,
      findings: [
        { code: 'CAP_NOT_A_CAP_DOCUMENT', severity: 'error', path: '', message, line: 1, column: 1 },
      ],
    });
    return;
  }
  const feed = parseCapFeed(text);
  if (!feed.ok) {
    report.documents.push({ source, valid: false, findings: feed.errors });
    return;
  }
  report.feeds.push({ source, kind: feed.kind, entries: feed.entries.length });
  const results: (MessageReport | undefined)[] = new Array(feed.entries.length);
  let next = 0;
  const worker = async () => {
    while (next < feed.entries.length) {
      const index = next++;
      results[index] = await checkEntry(feed.entries[index]!, index, source, base, options, report);
    }
  };
  await Promise.all(Array.from({ length: Math.min(FETCH_CONCURRENCY, feed.entries.length) }, worker));
  for (const r of results) if (r) report.messages.push(r);
}

function formatFinding(source: string, f: Finding): string {
  if (f.line === undefined)
    return `${source}: ${f.severity} ${f.code} ${f.message}${f.path ? ` (at ${f.path})` : ''}`;
  return `${source}:${f.line}:${f.column ?? 1}: ${f.severity} ${f.code} ${f.message}`;
}

function formatSignature(source: string, s: SignatureCheck): string {
  const key = s.keyId ? `key ${s.keyId}${s.subject ? ` (${s.subject})` : ''}` : 'an unidentified key';
  if (!s.valid) return `${source}: signed by ${key}, INVALID: ${s.reason ?? 'unknown reason'}`;
  return `${source}: signed by ${key}, valid${s.trusted ? ' (trusted key)' : ' (key not checked against a trusted key: pass --key)'}`;
}

function summarize(report: Report) {
  const all = [...report.messages, ...report.documents];
  const findings = all.flatMap((m) => m.findings);
  return {
    messages: report.messages.length,
    fromFeeds: report.messages.filter((m) => m.feed !== undefined).length,
    feeds: report.feeds.length,
    valid: report.messages.filter((m) => m.valid).length,
    invalid: all.filter((m) => !m.valid).length,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    signed: report.messages.filter((m) => m.signature?.signed).length,
    ioErrors: report.ioErrors.length,
  };
}

function exitCode(report: Report): number {
  if (report.ioErrors.length > 0) return EXIT.usage;
  return [...report.messages, ...report.documents].every((m) => m.valid) ? EXIT.ok : EXIT.failure;
}

function printText(report: Report, io: CliIo): void {
  const lines: string[] = [];
  for (const m of [...report.documents, ...report.messages]) {
    const label = m.source;
    for (const f of m.findings) lines.push(formatFinding(label, f));
    if (m.signature?.signed) lines.push(formatSignature(label, m.signature));
  }
  const s = summarize(report);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  lines.push(
    `${plural(s.messages, 'message')} checked${s.feeds ? ` (${s.fromFeeds} from ${plural(s.feeds, 'feed')})` : ''}: ` +
      `${s.valid} valid, ${s.invalid} invalid; ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}` +
      `${s.signed ? `, ${s.signed} signed` : ''}${s.ioErrors ? `; ${plural(s.ioErrors, 'input')} could not be read` : ''}`,
  );
  io.stdout(`${lines.join('\n')}\n`);
  for (const e of report.ioErrors) io.stderr(`tocsin validate: ${e.source}: ${e.message}\n`);
}

async function readKeys(files: string[], report: Report): Promise<TrustedKey[]> {
  const keys: TrustedKey[] = [];
  for (const file of files) {
    try {
      keys.push(readTrustedKey(await readFile(file, 'utf8')));
    } catch (error) {
      report.ioErrors.push({ source: file, message: `cannot use as a key: ${(error as Error).message}` });
    }
  }
  return keys;
}

export const command: Command = {
  summary: 'check CAP messages and CAP feeds (and their XML signatures)',
  help,
  async run(args, io) {
    let parsed: ReturnType<typeof parseOptions>;
    try {
      parsed = parseOptions(args);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      io.stderr(`tocsin validate: ${error.message}\nRun 'tocsin validate --help' for usage.\n`);
      return EXIT.usage;
    }
    const { options, inputs, keyFiles } = parsed;
    const report: Report = { messages: [], feeds: [], documents: [], ioErrors: [] };
    if (keyFiles.length > 0) options.keys = await readKeys(keyFiles, report);
    for (const input of inputs) {
      const source = input === '-' ? '<stdin>' : input;
      const base = input === '-' ? pathToFileURL(`${process.cwd()}/`) : pathToFileURL(input);
      let bytes: Uint8Array;
      try {
        // A feed is the largest document accepted; refuse bigger files before reading them.
        const size = input === '-' ? 0 : (await stat(input)).size;
        if (size > DEFAULT_FEED_LIMITS.maxBytes) {
          const message = `the file is ${size} bytes; no CAP message or feed may exceed ${DEFAULT_FEED_LIMITS.maxBytes}`;
          report.documents.push({
            source,
            valid: false,
            findings: [{ code: 'INPUT_TOO_LARGE', severity: 'error', path: '', message }],
          });
          continue;
        }
        bytes = input === '-' ? Buffer.from(await io.readStdin(), 'utf8') : await readFile(input);
      } catch (error) {
        const e = error as NodeJS.ErrnoException;
        report.ioErrors.push({
          source,
          message: e.code === 'ENOENT' ? 'no such file' : `cannot read: ${e.message}`,
        });
        continue;
      }
      await checkDocument(bytes, source, base, options, report);
    }
    if (options.json) {
      const { messages, feeds, documents, ioErrors } = report;
      io.stdout(
        `${JSON.stringify({ ok: exitCode(report) === EXIT.ok, profile: options.profile, summary: summarize(report), messages, feeds, documents, ioErrors }, null, 2)}\n`,
      );
      for (const e of ioErrors) io.stderr(`tocsin validate: ${e.source}: ${e.message}\n`);
    } else {
      printText(report, io);
    }
    return exitCode(report);
  },
};
