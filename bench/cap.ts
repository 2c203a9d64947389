// CAP throughput: messages per second for parse + full validation, against @dec112/cap-ts
// parsing the same texts and against xmllint validating them with the OASIS XSD.
//   npm run bench:cap [-- --rounds 5 --round-ms 1000 --xmllint-copies 50]
// Contenders alternate within each round (so a noisy neighbour hurts all of them alike) and the
// median of the rounds is reported. Results go to bench/out/cap.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CAP_1_2 } from '@dec112/cap-ts';
import { PROFILES, validateCap } from '../src/cap/validate.ts';
import { parseCapXml } from '../src/cap/xml.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CORPUS_DIRS = ['test/fixtures/cap/spec', 'test/fixtures/cap/real', 'test/fixtures/cap/signed'];
const XSD = join(ROOT, 'src/cap/schema/CAP-v1.2.xsd');

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'round-ms': { type: 'string', default: '1000' },
    'xmllint-copies': { type: 'string', default: '50' },
  },
});
const ROUNDS = Number(values.rounds);
const ROUND_MS = Number(values['round-ms']);
const XMLLINT_COPIES = Number(values['xmllint-copies']);

interface CorpusFile {
  path: string;
  text: string;
}

function corpus(): CorpusFile[] {
  const files: CorpusFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.xml')) files.push({ path, text: readFileSync(path, 'utf8') });
    }
  };
  for (const dir of CORPUS_DIRS) if (existsSync(join(ROOT, dir))) walk(join(ROOT, dir));
  return files;
}

interface Contender {
  name: string;
  /** Processes the whole corpus once; resolves to how many messages it accepted. */
  pass: () => number | Promise<number>;
}

/** Runs whole passes over the corpus for at least ROUND_MS; returns messages per second. */
async function measure(contender: Contender, size: number): Promise<number> {
  let messages = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  const budgetNs = BigInt(ROUND_MS) * 1_000_000n;
  while (elapsedNs < budgetNs) {
    await contender.pass();
    messages += size;
    elapsedNs = process.hrtime.bigint() - start;
  }
  return messages / (Number(elapsedNs) / 1e9);
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One xmllint process validating every file XMLLINT_COPIES times; its wall time gives messages/s. */
function xmllintRound(files: CorpusFile[]): { rate: number; accepted: number } {
  const args = ['--noout', '--schema', XSD];
  for (let copy = 0; copy < XMLLINT_COPIES; copy++) for (const f of files) args.push(f.path);
  const start = process.hrtime.bigint();
  const result = spawnSync('xmllint', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const accepted = (result.stderr.match(/ validates$/gm) ?? []).length / XMLLINT_COPIES;
  return { rate: (files.length * XMLLINT_COPIES) / seconds, accepted };
}

async function main(): Promise<void> {
  const files = corpus();
  const texts = files.map((f) => f.text);
  const tocsin = PROFILES.tocsin;
  const contenders: Contender[] = [
    {
      name: 'tocsin parse + validate (CAP 1.2 rules)',
      pass: () => {
        let ok = 0;
        for (const t of texts) {
          const r = parseCapXml(t);
          if (r.ok && !validateCap(r.alert).some((f) => f.severity === 'error')) ok++;
        }
        return ok;
      },
    },
    {
      name: 'tocsin parse + validate (Tocsin profile)',
      pass: () => {
        let ok = 0;
        for (const t of texts) {
          const r = parseCapXml(t);
          if (r.ok && !validateCap(r.alert, { profile: tocsin }).some((f) => f.severity === 'error')) ok++;
        }
        return ok;
      },
    },
    {
      name: '@dec112/cap-ts Alert.fromXML (parse only)',
      pass: async () => {
        let ok = 0;
        for (const t of texts) {
          try {
            await CAP_1_2.Alert.fromXML(t);
            ok++;
          } catch {
            // counted as not accepted
          }
        }
        return ok;
      },
    },
  ];
  const accepted = new Map<string, number>();
  for (const c of contenders) accepted.set(c.name, await c.pass());
  // Warm-up: let the JIT settle on every contender before the measured rounds.
  for (const c of contenders) await measure(c, texts.length);

  const xmllintName = `xmllint --noout --schema CAP-v1.2.xsd (one process, ${XMLLINT_COPIES}× the corpus)`;
  const haveXmllint = spawnSync('xmllint', ['--version']).status === 0;
  const rates = new Map<string, number[]>([...contenders.map((c) => [c.name, []] as [string, number[]])]);
  if (haveXmllint) rates.set(xmllintName, []);
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the starting contender each round.
    const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
    for (const c of order) rates.get(c.name)!.push(await measure(c, texts.length));
    if (haveXmllint) {
      const x = xmllintRound(files);
      rates.get(xmllintName)!.push(x.rate);
      accepted.set(xmllintName, x.accepted);
    }
  }

  const capTs = median(rates.get(contenders[2]!.name)!);
  const rows = [...rates].map(([name, rs]) => ({
    name,
    medianPerSecond: Math.round(median(rs)),
    ratioToCapTs: Number((median(rs) / capTs).toFixed(2)),
    accepted: accepted.get(name) ?? 0,
    rounds: rs.map((r) => Math.round(r)),
  }));
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `CAP corpus: ${files.length} messages (${CORPUS_DIRS.filter((d) => existsSync(join(ROOT, d))).join(', ')}); ` +
      `${ROUNDS} rounds of ${ROUND_MS} ms per contender; Node ${process.version}; ${cpu} ×${cpus().length}; ` +
      `load average ${loadavg()[0]?.toFixed(1)}`,
    '',
    '| contender | messages/s (median) | × cap-ts | accepted of corpus | rounds |',
    '| --- | ---: | ---: | ---: | --- |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.medianPerSecond} | ${r.ratioToCapTs} | ${r.accepted}/${files.length} | ${r.rounds.join(', ')} |`,
    ),
  ];
  console.log(lines.join('\n'));
  const outDir = join(ROOT, 'bench/out');
  mkdirSync(outDir, { recursive: true });
  // xmllint prints its version on stderr.
  const xmllintVersion = haveXmllint ? spawnSync('xmllint', ['--version'], { encoding: 'utf8' }).stderr : '';
  writeFileSync(
    join(outDir, 'cap.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        cpu,
        cpus: cpus().length,
        loadAverage: loadavg()[0],
        rounds: ROUNDS,
        roundMs: ROUND_MS,
        xmllintCopies: XMLLINT_COPIES,
        xmllint: xmllintVersion.split('\n')[0] ?? '',
        corpus: files.map((f) => f.path.slice(ROOT.length)),
        rows,
      },
      null,
      2,
    )}\n`,
  );
}

await main();
