// One invalid CAP message per validation rule (test/fixtures/cap/invalid/<CODE>[.variant].xml),
// each a copy of _base.xml with one change. Its first comment says which finding it must produce:
// "expect: CODE at PATH; profile: ID". _base.xml itself must produce nothing at all, so every
// finding below is caused by the one change.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FINDINGS } from '../src/cap/findings.ts';
import { locateFindings, PROFILES, validateCap } from '../src/cap/validate.ts';
import { parseCapXml } from '../src/cap/xml.ts';

const DIR = join(import.meta.dirname, 'fixtures/cap/invalid');
const HEADER = /<!-- expect: (\S+)(?: at (\S+))?(?:; profile: (\w+))? -->/;

function load(file: string) {
  const xml = readFileSync(join(DIR, file), 'utf8');
  const header = HEADER.exec(xml);
  assert.ok(header, `${file} has no "expect:" comment`);
  const parsed = parseCapXml(xml);
  assert.ok(parsed.ok, `${file} does not parse: ${JSON.stringify(!parsed.ok && parsed.errors)}`);
  const profileId = header[3] as keyof typeof PROFILES | undefined;
  const profile = profileId === undefined ? undefined : PROFILES[profileId];
  const findings = validateCap(parsed.alert, profile === undefined ? {} : { profile });
  return { code: header[1] as string, path: header[2], findings, positions: parsed.positions };
}

test('the base message is valid under the Tocsin profile, with no warnings either', () => {
  assert.deepEqual(load('_base.xml').findings, []);
});

const files = readdirSync(DIR).filter((f) => f.endsWith('.xml') && !f.startsWith('_'));

for (const file of files) {
  test(`${file} is reported with its code and path`, () => {
    const { code, path, findings, positions } = load(file);
    assert.ok(code in FINDINGS, `${code} is not in the catalogue`);
    assert.equal(file.split('.')[0], code, 'the file is named after its code');
    const hit = findings.find((f) => f.code === code && f.path === path);
    assert.ok(hit, `expected ${code} at ${path}, got ${JSON.stringify(findings, null, 1)}`);
    assert.equal(hit.severity, FINDINGS[code as keyof typeof FINDINGS].severity);
    assert.ok(
      hit.message.length > 20 && !/\{\w+\}/.test(hit.message),
      `message is filled in: ${hit.message}`,
    );
    const [located] = locateFindings([hit], positions);
    assert.ok(located?.line !== undefined && located.line >= 3, 'the finding points into the document');
  });
}
