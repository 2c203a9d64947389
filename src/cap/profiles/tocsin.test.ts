import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Alert, Finding } from '../types.ts';
import { validateCap } from '../validate.ts';
import { validAlert } from '../validate-example.ts';
import { foldText, phraseMatcher, REAL_WORDING } from '../validate-wording.ts';
import { DEFAULT_EVENT_TYPES } from './event-types.ts';
import { createTocsinProfile } from './tocsin.ts';

const codes = (findings: Finding[]) => findings.map((f) => `${f.code}@${f.path}`);
const info0 = (a: Alert) => a.info[0] as NonNullable<Alert['info'][0]>;
const area0 = (a: Alert) => info0(a).area[0] as NonNullable<Alert['info'][0]>['area'][0];

describe('Tocsin profile', () => {
  const profile = createTocsinProfile();

  test('every default event type is accepted; an unknown one and a second TOCSIN code are errors', () => {
    for (const { code } of DEFAULT_EVENT_TYPES) {
      const a = validAlert();
      info0(a).eventCode = [{ valueName: 'TOCSIN', value: code }];
      assert.deepEqual(validateCap(a, { profile }), [], code);
    }
    const a = validAlert();
    info0(a).eventCode.push({ valueName: 'TOCSIN', value: 'missile' });
    assert.deepEqual(codes(validateCap(a, { profile })), ['CAP_EVENT_CODE_REQUIRED@info[0]']);
  });

  test('a deployment can configure its own event types and region schemes', () => {
    const custom = createTocsinProfile({
      eventTypes: [{ ...(DEFAULT_EVENT_TYPES[0] as (typeof DEFAULT_EVENT_TYPES)[0]), code: 'flood' }],
      regionCodeSchemes: ['KATOTTH'],
    });
    const a = validAlert();
    assert.deepEqual(codes(validateCap(a, { profile: custom })), [
      'CAP_EVENT_CODE_UNKNOWN@info[0].eventCode[0]',
      'CAP_GEOCODE_REQUIRED@info[0].area[0]',
    ]);
    info0(a).eventCode = [{ valueName: 'TOCSIN', value: 'flood' }];
    area0(a).geocode = [{ valueName: 'KATOTTH', value: 'UA59000000000000000' }];
    assert.deepEqual(validateCap(a, { profile: custom }), []);
  });

  test('with isKnownRegion, region geocodes must name known regions', () => {
    const known = new Set(['UA-59', 'UA-63']);
    const withRegions = createTocsinProfile({ isKnownRegion: (code) => known.has(code) });
    const a = validAlert();
    assert.deepEqual(validateCap(a, { profile: withRegions }), []);
    area0(a).geocode.push(
      { valueName: 'ISO 3166-2', value: 'UA-99' },
      { valueName: 'FIPS6', value: 'ignored' },
    );
    assert.deepEqual(codes(validateCap(a, { profile: withRegions })), [
      'CAP_REGION_UNKNOWN@info[0].area[0].geocode[1]',
    ]);
  });

  test('the real-wording rule applies to Exercise and Test only, never to Actual', () => {
    for (const status of ['Exercise', 'Test', 'Actual', 'System', 'Draft'] as const) {
      const a = { ...validAlert(), status, note: 'This is NOT a drill.' };
      const expected = status === 'Exercise' || status === 'Test' ? ['CAP_EXERCISE_REAL_WORDING@note'] : [];
      assert.deepEqual(codes(validateCap(a, { profile })), expected, status);
    }
  });

  test('the phrases are configurable and parameter values are read too', () => {
    const custom = createTocsinProfile({ realWording: ['це справжня тривога'] });
    const a = { ...validAlert(), status: 'Test' as const };
    info0(a).parameter = [{ valueName: 'note', value: 'Увага: це СПРАВЖНЯ тривога' }];
    assert.deepEqual(codes(validateCap(a, { profile: custom })), [
      'CAP_EXERCISE_REAL_WORDING@info[0].parameter[0]',
    ]);
    info0(a).parameter = [{ valueName: 'note', value: 'not a drill' }];
    assert.deepEqual(
      validateCap(a, { profile: custom }),
      [],
      'the default phrases are replaced, not extended',
    );
  });

  test('an exercise that says it is an exercise is fine', () => {
    const a = { ...validAlert(), status: 'Exercise' as const };
    info0(a).headline = 'НАВЧАННЯ. Це навчальна тривога';
    info0(a).description = 'This is a drill. This is an exercise.';
    assert.deepEqual(validateCap(a, { profile }), []);
  });
});

describe('real-wording matcher', () => {
  const find = phraseMatcher(REAL_WORDING);

  test('matches regardless of case, spacing, punctuation, invisible characters and look-alike letters', () => {
    for (const text of [
      'NOT A DRILL',
      'not\n\ta   drill!',
      'This is not an exercise.',
      'Увага! Це НЕ навчання!!!',
      'Тривога не є навчанням',
      'не\u00a0навчання',
      'не нав\u200bчан\u00adня', // zero-width space and soft hyphen inside a word
      'нe навчання', // Latin "e" in "не"
      'ＮＯＴ Ａ ＤＲＩＬＬ', // full-width letters, folded by NFKC
    ]) {
      assert.ok(find(text) !== undefined, text);
    }
  });

  test('words stay words: no match inside longer words or for harmless text', () => {
    for (const text of [
      'not a drilling rig',
      'this is an exercise',
      'навчання',
      'Це навчальна тривога',
      'cannot a drill',
    ]) {
      assert.equal(find(text), undefined, text);
    }
    assert.equal(foldText('  Hello,   World  '), ' hello world ');
  });
});
