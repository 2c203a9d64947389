// The USA IPAWS profile: "Common Alerting Protocol, v. 1.2 USA Integrated Public Alert and Warning
// System Profile Version 1.0", OASIS Committee Specification 01, 13 October 2009
// (docs.oasis-open.org/emergency/cap/v1.2/ipaws-profile/v1.0/). Each rule cites the element whose
// requirement it enforces; docs/cap-validation.md lists what is and is not checked, and why.
import type { NamedValue } from '../types.ts';
import type { Profile } from './profile.ts';

const DOC = 'IPAWS v1.0';
/** SAME originator codes (47 CFR §11.31) allowed in the EAS-ORG parameter. */
export const EAS_ORG_CODES = ['EAS', 'CIV', 'WXR', 'PEP'] as const;
/** An info blocked from EAS need not carry the EAS-only elements. */
const NOT_FOR_EAS: NamedValue = { valueName: 'BLOCKCHANNEL', value: 'EAS' };

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sorted = [...b].sort();
  return [...a].sort().every((v, i) => v === sorted[i]);
}

export const IPAWS_PROFILE: Profile = {
  id: 'ipaws',
  name: 'IPAWS v1.0',
  rules: [
    // <code> SHALL include "IPAWSv1.0" to name the profile version.
    { kind: 'alertCode', value: 'IPAWSv1.0', ref: `${DOC} <code>` },
    // <expires> is REQUIRED in every <info>.
    { kind: 'required', on: 'info', element: 'expires', ref: `${DOC} <expires>` },
    // One and only one <eventCode> with valueName "SAME" and a three-letter SAME event code.
    {
      kind: 'eventCode',
      valueName: 'SAME',
      min: 1,
      max: 1,
      pattern: /^[A-Z]{3}$/,
      ref: `${DOC} <eventCode>`,
    },
    // Alerts for EAS / HazCollect MUST carry <parameter> EAS-ORG with a SAME originator code.
    {
      kind: 'parameter',
      valueName: 'EAS-ORG',
      min: 1,
      max: 1,
      values: EAS_ORG_CODES,
      unless: NOT_FOR_EAS,
      ref: `${DOC} <parameter> EAS-ORG`,
    },
    // CMAS (WEA) text, when given, is at most 90 characters.
    {
      kind: 'parameter',
      valueName: 'CMAMtext',
      min: 0,
      max: 1,
      maxLength: 90,
      ref: `${DOC} <parameter> CMAMtext`,
    },
    // At least one <area> per <info>.
    { kind: 'required', on: 'info', element: 'area', ref: `${DOC} <area>` },
    // Each <area> carries a <geocode> "SAME" with a 6-digit SAME (extended FIPS) location code.
    { kind: 'geocode', valueNames: ['SAME'], pattern: /^\d{6}$/, ref: `${DOC} <geocode>` },
    // Headline is shown on text displays and as CMAS fallback text: 160 characters at most.
    { kind: 'maxLength', element: 'headline', max: 160, severity: 'warning', ref: `${DOC} <headline>` },
    // Alerts are effective on issue: <effective> and <onset> are ignored by IPAWS recipients.
    { kind: 'ignored', element: 'effective', ref: `${DOC} <effective>` },
    { kind: 'ignored', element: 'onset', ref: `${DOC} <onset>` },
    // Meaningful <description> and <instruction> are expected.
    {
      kind: 'required',
      on: 'info',
      element: 'description',
      severity: 'warning',
      ref: `${DOC} <description>`,
    },
    {
      kind: 'required',
      on: 'info',
      element: 'instruction',
      severity: 'warning',
      ref: `${DOC} <instruction>`,
    },
    {
      kind: 'check',
      ref: `${DOC} <info>`,
      // All <info> blocks of one message MUST have the same <category> and <eventCode> values.
      check(alert, emit) {
        const first = alert.info[0];
        if (first === undefined) return;
        const codes = (list: readonly NamedValue[]) => list.map((c) => `${c.valueName}=${c.value}`);
        const firstCodes = codes(first.eventCode);
        for (let i = 1; i < alert.info.length; i++) {
          const info = alert.info[i];
          if (info === undefined) continue;
          if (!sameList(first.category, info.category))
            emit('CAP_INFO_MISMATCH', `info[${i}].category`, { element: '<category> values' });
          if (!sameList(firstCodes, codes(info.eventCode)))
            emit('CAP_INFO_MISMATCH', `info[${i}].eventCode`, { element: '<eventCode> values' });
        }
      },
    },
  ],
};
