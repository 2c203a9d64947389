// Checks XML documents against an XML Schema with libxml2's xmllint (Debian libxml2-utils),
// many documents per process so that property tests stay fast.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The OASIS CAP 1.2 schema committed with the parser. */
export const CAP_XSD_PATH = fileURLToPath(new URL('../../src/cap/schema/CAP-v1.2.xsd', import.meta.url));

export interface XsdResult {
  valid: boolean;
  /** xmllint's messages about this document (empty when valid). */
  messages: string[];
}

/** Validates each document against the schema in one xmllint run; results in input order. */
export async function validateWithXsd(docs: readonly string[], xsd = CAP_XSD_PATH): Promise<XsdResult[]> {
  if (docs.length === 0) return [];
  const dir = await mkdtemp(join(tmpdir(), 'tocsin-xmllint-'));
  try {
    const files = docs.map((_, i) => join(dir, `doc-${i}.xml`));
    await Promise.all(docs.map((doc, i) => writeFile(files[i] as string, doc)));
    const stderr = await new Promise<string>((resolve, reject) => {
      execFile(
        'xmllint',
        ['--noout', '--nonet', '--schema', xsd, ...files],
        { maxBuffer: 64 * 1024 * 1024 },
        (err, _stdout, errText) => {
          // Exit status 3/4 means "some document is invalid": the per-file lines tell which.
          if (err !== null && typeof err.code !== 'number') reject(err);
          else resolve(errText);
        },
      );
    });
    const lines = stderr.split('\n');
    return files.map((file) => {
      const mine = lines.filter((l) => l.startsWith(`${file}:`) || l.startsWith(`${file} `));
      return {
        valid: mine.includes(`${file} validates`),
        messages: mine.filter((l) => l !== `${file} validates`),
      };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
