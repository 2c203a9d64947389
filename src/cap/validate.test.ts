import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FINDINGS } from './findings.ts';
import type { Alert, Finding } from './types.ts';
import { CLOCK_SKEW_MINUTES, findProfile, MAX_FINDINGS, PROFILES, validateCap } from './validate.ts';
import { capDateMs } from './validate-dates.ts';
import { validAlert } from './validate-example.ts';

const codes = (findings: Finding[]) => findings.map((f) => `${f.code}@${f.path}`);
const info0 = (a: Alert) => a.info[0] as NonNullable<Alert['info'][0]>;

describe('validateCap', () => {
  test('a valid alert has no findings, under every profile', () => {
    for (const profile of Object.values(PROFILES).filter((p) => p.id !== 'ipaws')) {
      assert.deepEqual(validateCap(validAlert(), { profile }), [], profile.id);
    }
  });

  test('profiles are found by id; unknown and inherited names are not', () => {
    assert.equal(findProfile('ipaws'), PROFILES.ipaws);
    assert.equal(findProfile('tocsin')?.id, 'tocsin');
    for (const id of ['IPAWS', 'toString', '__proto__', '']) assert.equal(findProfile(id), undefined, id);
  });

  test('values outside the CAP enumerations (e.g. from JSON input) are errors with the element path', () => {
    const a = validAlert() as unknown as { status: string; info: { urgency: string; category: string[] }[] };
    a.status = 'Real';
    (a.info[0] as { urgency: string }).urgency = 'Now';
    (a.info[0] as { category: string[] }).category = ['Weather'];
    assert.deepEqual(
      codes(validateCap(a as unknown as Alert)).filter((c) => c.startsWith('CAP_VALUE_NOT_ALLOWED')),
      [
        'CAP_VALUE_NOT_ALLOWED@status',
        'CAP_VALUE_NOT_ALLOWED@info[0].category[0]',
        'CAP_VALUE_NOT_ALLOWED@info[0].urgency',
      ],
    );
  });

  test('an info without category is an error', () => {
    const a = validAlert();
    info0(a).category = [];
    assert.deepEqual(codes(validateCap(a)), ['CAP_INFO_CATEGORY_MISSING@info[0].category']);
  });

  test('resource size must be a whole number of bytes', () => {
    const a = validAlert();
    info0(a).resource = [
      { resourceDesc: 'map', mimeType: 'image/png', size: -3 },
      { resourceDesc: 'map', mimeType: 'image/png', size: 1.5 },
    ];
    assert.deepEqual(codes(validateCap(a)), [
      'CAP_SIZE_INVALID@info[0].resource[0].size',
      'CAP_SIZE_INVALID@info[0].resource[1].size',
    ]);
  });

  test('an Alert may reference earlier messages; Update, Cancel, Ack and Error must', () => {
    const a = validAlert();
    a.references = 'tocsin@example.org,UA-2026-0000,2026-11-26T10:00:00+02:00';
    assert.deepEqual(validateCap(a), []);
    for (const msgType of ['Update', 'Cancel', 'Ack', 'Error'] as const) {
      const b = { ...validAlert(), msgType, note: 'n' };
      assert.ok(codes(validateCap(b)).includes('CAP_REFERENCES_REQUIRED@references'), msgType);
      assert.ok(
        !codes(validateCap({ ...b, references: a.references })).includes(
          'CAP_REFERENCES_REQUIRED@references',
        ),
      );
    }
  });

  test('references compare instants, not text: an earlier time in another offset is not post-dated', () => {
    const a = { ...validAlert(), msgType: 'Update' as const };
    a.references = 'tocsin@example.org,UA-2026-0000,2026-11-26T09:30:00+01:00'; // = 10:30+02:00
    assert.deepEqual(validateCap(a), []);
    a.references = 'tocsin@example.org,UA-2026-0000,2026-11-26T09:50:00+01:00'; // = 10:50+02:00
    assert.deepEqual(codes(validateCap(a)), ['CAP_REFERENCES_FUTURE@references[0]']);
  });

  test('rules about now run only when now is given', () => {
    const a = validAlert();
    assert.deepEqual(validateCap(a), []);
    const later = new Date('2026-11-26T11:00:00Z'); // 13:00+02:00, after expires 12:42+02:00
    assert.deepEqual(codes(validateCap(a, { now: later })), ['CAP_EXPIRED@info[0].expires']);
    const before = new Date(capDateMs(a.sent) - (CLOCK_SKEW_MINUTES + 1) * 60_000);
    assert.deepEqual(codes(validateCap(a, { now: before })), ['CAP_SENT_IN_FUTURE@sent']);
    const within = new Date(capDateMs(a.sent) - (CLOCK_SKEW_MINUTES - 1) * 60_000);
    assert.deepEqual(validateCap(a, { now: within }), []);
  });

  test('circles: negative, NaN and larger-than-Earth radii and out-of-range centres are errors', () => {
    const a = validAlert();
    const area = info0(a).area[0] as NonNullable<Alert['info'][0]>['area'][0];
    area.circle = [
      { lat: 50, lon: 33, radiusKm: 0 },
      { lat: 50, lon: 33, radiusKm: Number.NaN },
      { lat: 50, lon: 33, radiusKm: 40_000 },
      { lat: 50, lon: 200, radiusKm: 10 },
    ];
    assert.deepEqual(codes(validateCap(a)), [
      'CAP_CIRCLE_INVALID@info[0].area[0].circle[1]',
      'CAP_CIRCLE_INVALID@info[0].area[0].circle[2]',
      'CAP_COORDINATE_OUT_OF_RANGE@info[0].area[0].circle[3]',
    ]);
  });

  test('hostile input: huge values are quoted shortened, messages stay small', () => {
    const a = validAlert();
    a.identifier = `${'x'.repeat(1_000_000)} y`;
    info0(a).language = 'z'.repeat(1_000_000);
    const findings = validateCap(a);
    assert.deepEqual(codes(findings), [
      'CAP_IDENTIFIER_INVALID@identifier',
      'CAP_LANGUAGE_INVALID@info[0].language',
    ]);
    for (const f of findings) assert.ok(f.message.length < 400, f.message.slice(0, 100));
  });

  test('hostile input: a flood of bad references is reported up to a limit, then counted', () => {
    const a = { ...validAlert(), msgType: 'Update' as const };
    a.references = Array.from({ length: 50_000 }, (_, i) => `x,${i}`).join(' ');
    const findings = validateCap(a);
    assert.equal(findings.length, MAX_FINDINGS + 1);
    assert.equal(findings[0]?.code, 'CAP_REFERENCES_MALFORMED');
    assert.equal(findings.at(-1)?.code, 'CAP_TOO_MANY_FINDINGS');
    assert.match(findings.at(-1)?.message ?? '', /^49800 more findings/);
  });

  test('every catalogue message template names only details the code paths fill in', () => {
    for (const [code, spec] of Object.entries(FINDINGS)) {
      assert.match(code, /^CAP_[A-Z0-9_]+$/);
      assert.ok(spec.severity === 'error' || spec.severity === 'warning');
    }
  });
});

describe('CAP dates (CAP 1.2 §3.3.2)', () => {
  test('accepts real dates with offsets, including leap days and -00:00', () => {
    assert.equal(capDateMs('2024-02-29T23:59:59-00:00'), Date.UTC(2024, 1, 29, 23, 59, 59));
    assert.equal(capDateMs('2026-11-26T10:42:00+02:00'), Date.UTC(2026, 10, 26, 8, 42, 0));
    assert.equal(capDateMs('2026-11-26T10:42:00-05:30'), Date.UTC(2026, 10, 26, 16, 12, 0));
    assert.equal(capDateMs('0050-01-01T00:00:00+00:00'), Date.UTC(2050, 0, 1) - 2000 * 365.2425 * 86_400_000);
  });

  test('rejects impossible dates, missing offsets, Z, fractions and junk', () => {
    for (const bad of [
      '2023-02-29T10:00:00+00:00',
      '2026-13-01T10:00:00+00:00',
      '2026-04-31T10:00:00+00:00',
      '2026-01-01T24:00:00+00:00',
      '2026-01-01T10:60:00+00:00',
      '2026-01-01T10:00:60+00:00',
      '2026-01-01T10:00:00+15:00',
      '2026-01-01T10:00:00+02:61',
      '2026-01-01T10:00:00',
      '2026-01-01T10:00:00Z',
      '2026-01-01T10:00:00.5+00:00',
      '2026-01-01 10:00:00+00:00',
      '',
      'yesterday',
    ]) {
      assert.ok(Number.isNaN(capDateMs(bad)), bad);
    }
  });
});
