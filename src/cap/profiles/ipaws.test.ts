import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alert, Finding, Info } from '../types.ts';
import { validateCap } from '../validate.ts';
import { IPAWS_PROFILE } from './ipaws.ts';

const codes = (findings: Finding[]) => findings.map((f) => `${f.code}@${f.path}`);

/** A Local Area Emergency that meets every IPAWS v1.0 requirement. */
function ipawsAlert(): Alert {
  const info: Info = {
    language: 'en-US',
    category: ['Safety'],
    event: 'Local Area Emergency',
    responseType: ['Shelter'],
    urgency: 'Immediate',
    severity: 'Extreme',
    certainty: 'Observed',
    eventCode: [{ valueName: 'SAME', value: 'LAE' }],
    expires: '2026-11-26T11:42:00-05:00',
    senderName: 'Example County OEM',
    headline: 'Shelter in place',
    description: 'A chemical release near the river.',
    instruction: 'Go indoors and close windows.',
    parameter: [
      { valueName: 'EAS-ORG', value: 'CIV' },
      { valueName: 'CMAMtext', value: 'Chemical release near river. Shelter in place now.' },
    ],
    resource: [],
    area: [
      {
        areaDesc: 'Example County',
        polygon: [],
        circle: [],
        geocode: [{ valueName: 'SAME', value: '024031' }],
      },
    ],
  };
  return {
    identifier: 'EX-1',
    sender: 'oem@example.gov',
    sent: '2026-11-26T10:42:00-05:00',
    status: 'Actual',
    msgType: 'Alert',
    scope: 'Public',
    code: ['IPAWSv1.0'],
    info: [info, { ...structuredClone(info), language: 'es-US', headline: 'Refúgiese' }],
  };
}

const check = (a: Alert) => codes(validateCap(a, { profile: IPAWS_PROFILE }));
const info = (a: Alert, i = 0) => a.info[i] as Info;

test('a message meeting the IPAWS profile has no findings', () => {
  assert.deepEqual(check(ipawsAlert()), []);
});

test('the IPAWSv1.0 code, expires, one SAME event code, an area and a SAME geocode are required', () => {
  const a = ipawsAlert();
  a.code = [];
  delete info(a).expires;
  info(a).eventCode = [
    { valueName: 'SAME', value: 'LAE' },
    { valueName: 'SAME', value: 'CEM' },
  ];
  info(a, 1).eventCode = [...info(a).eventCode];
  info(a, 1).area = [];
  info(a).area = [
    { areaDesc: 'x', polygon: [], circle: [], geocode: [{ valueName: 'SAME', value: '24031' }] },
  ];
  assert.deepEqual(check(a), [
    'CAP_EXPIRES_MISSING@info[0].expires',
    'CAP_AREA_MISSING@info[1].area',
    'CAP_PROFILE_CODE_REQUIRED@code',
    'CAP_PROFILE_ELEMENT_REQUIRED@info[0].expires',
    'CAP_EVENT_CODE_REQUIRED@info[0]',
    'CAP_EVENT_CODE_REQUIRED@info[1]',
    'CAP_PROFILE_ELEMENT_REQUIRED@info[1].area',
    'CAP_GEOCODE_INVALID@info[0].area[0].geocode[0]',
  ]);
});

test('EAS-ORG is required unless the info is blocked from EAS, and must be a SAME originator', () => {
  const a = ipawsAlert();
  for (const i of [0, 1]) info(a, i).parameter = [{ valueName: 'EAS-ORG', value: 'ABC' }];
  assert.deepEqual(check(a), [
    'CAP_PARAMETER_INVALID@info[0].parameter[0]',
    'CAP_PARAMETER_INVALID@info[1].parameter[0]',
  ]);
  for (const i of [0, 1]) info(a, i).parameter = [];
  assert.deepEqual(check(a), ['CAP_PARAMETER_REQUIRED@info[0]', 'CAP_PARAMETER_REQUIRED@info[1]']);
  for (const i of [0, 1]) info(a, i).parameter = [{ valueName: 'BLOCKCHANNEL', value: 'EAS' }];
  assert.deepEqual(check(a), []);
});

test('CMAM text is limited to 90 characters; headlines over 160 are a warning', () => {
  const a = ipawsAlert();
  info(a).parameter[1] = { valueName: 'CMAMtext', value: 'x'.repeat(91) };
  info(a, 1).headline = 'h'.repeat(161);
  const findings = validateCap(a, { profile: IPAWS_PROFILE });
  assert.deepEqual(codes(findings), [
    'CAP_HEADLINE_TOO_LONG@info[1].headline',
    'CAP_PARAMETER_INVALID@info[0].parameter[1]',
    'CAP_PROFILE_TOO_LONG@info[1].headline',
  ]);
  assert.deepEqual(
    findings.map((f) => f.severity),
    ['warning', 'error', 'warning'],
  );
});

test('all infos carry the same categories and event codes; effective and onset are ignored', () => {
  const a = ipawsAlert();
  info(a, 1).category = ['Safety', 'Env'];
  info(a, 1).eventCode = [{ valueName: 'SAME', value: 'CEM' }];
  info(a).onset = '2026-11-26T10:50:00-05:00';
  assert.deepEqual(check(a), [
    'CAP_PROFILE_ELEMENT_IGNORED@info[0].onset',
    'CAP_INFO_MISMATCH@info[1].category',
    'CAP_INFO_MISMATCH@info[1].eventCode',
  ]);
});
