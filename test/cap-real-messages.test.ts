// Real CAP messages of public warning services of five countries (test/fixtures/cap/real/, provenance in its
// PROVENANCE.md) must parse and validate with no errors; the warnings each one earns are listed
// here, so a rule that starts rejecting real traffic, or stops noticing what it should, fails.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PROFILES, validateCap } from '../src/cap/validate.ts';
import { parseCapXml } from '../src/cap/xml.ts';

const DIR = join(import.meta.dirname, 'fixtures/cap/real');

interface Expectation {
  /** Findings under plain CAP 1.2 (all warnings), as CODE@path. */
  cap: string[];
  /** Findings under the IPAWS profile, for messages that claim it with <code>IPAWSv1.0</code>. */
  ipaws?: string[];
}

const MESSAGES: Record<string, Expectation> = {
  // Australian Bureau of Meteorology (CAP-AU, prefixed `cap:` elements): Severe Thunderstorm Warning
  'australia-bom-thunderstorm-2019.xml': {
    cap: ['CAP_ALL_UNKNOWN@info[0]', 'CAP_HEADLINE_TOO_LONG@info[0].headline'],
  },
  // Environment and Climate Change Canada via NAAD (CAP-CP, English and French, empty elements)
  'canada-eccc-naad-statement-2019.xml': { cap: [] },
  // Icelandic Met Office: wind warning in Icelandic and English, resource with size and SHA-1 digest
  'iceland-imo-wind-2021.xml': { cap: [] },
  // PAGASA (Philippines): a Test tropical cyclone alert, XML-DSig signed
  'pagasa-tropical-cyclone-test-2014.xml': { cap: [] },
  // Michigan State Police via IPAWS: a statewide Civil Emergency Message (COVID-19 order)
  'michigan-state-police-cem-2020.xml': {
    cap: [],
    ipaws: ['CAP_PROFILE_ELEMENT_REQUIRED@info[0].instruction'],
  },
  // Montgomery County, Maryland via IPAWS: Local Area Emergency with a circle-like polygon
  'montgomery-county-md-lae-2019.xml': {
    cap: [],
    ipaws: [
      'CAP_PROFILE_ELEMENT_REQUIRED@info[0].description',
      'CAP_PROFILE_ELEMENT_REQUIRED@info[0].instruction',
    ],
  },
  // Nevada Department of Public Safety via IPAWS: a Cancel with no info, signed with XML-DSig
  'nevada-dps-cancel-2019.xml': { cap: [], ipaws: [] },
  // NWS West Coast/Alaska Tsunami Warning Center: final cancellation expiring as it is sent
  'ntwc-tsunami-cancellation-2013.xml': {
    cap: ['CAP_EXPIRES_IMMEDIATELY@info[0].expires', 'CAP_HEADLINE_TOO_LONG@info[0].headline'],
  },
  // NWS Duluth (CAP 1.1 via the NWS Atom feed): Blizzard Warning with geocodes only
  'nws-duluth-blizzard-2021.xml': { cap: [] },
};

for (const [file, expected] of Object.entries(MESSAGES)) {
  test(`${file}: no errors; warnings as listed`, () => {
    const parsed = parseCapXml(readFileSync(join(DIR, file)));
    assert.ok(parsed.ok, `does not parse: ${JSON.stringify(!parsed.ok && parsed.errors)}`);
    // The NWS feed of that time wrote an empty <polygon></polygon>: dropped with a warning.
    if (file.startsWith('nws-duluth')) {
      assert.deepEqual(
        parsed.warnings.map((f) => f.code),
        ['CAP_POLYGON_EMPTY'],
      );
    }
    const findings = validateCap(parsed.alert).map((f) => `${f.code}@${f.path}`);
    assert.deepEqual(findings, expected.cap);
    if (expected.ipaws !== undefined) {
      assert.ok(parsed.alert.code.includes('IPAWSv1.0'));
      const ipaws = validateCap(parsed.alert, { profile: PROFILES.ipaws });
      assert.deepEqual(
        ipaws.map((f) => `${f.code}@${f.path}`),
        expected.ipaws,
      );
      assert.ok(ipaws.every((f) => f.severity === 'warning'));
    }
  });
}
