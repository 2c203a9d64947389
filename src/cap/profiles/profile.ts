// A CAP profile: a named set of extra rules on top of CAP 1.2, written as data where data can
// say it (required elements, allowed values, eventCode / parameter / geocode requirements,
// maximum lengths) and as small functions where it cannot. `compileProfile` turns the data
// into one closure per rule, once; `runProfile` applies them to an alert.
import { excerpt, type FindingCode, type FindingSeverity, finding } from '../findings.ts';
import type { Alert, Area, Finding, Info, NamedValue } from '../types.ts';

/** Optional single text elements of `<info>` a profile can require or limit. */
export type InfoTextElement =
  | 'language'
  | 'audience'
  | 'effective'
  | 'onset'
  | 'expires'
  | 'senderName'
  | 'headline'
  | 'description'
  | 'instruction'
  | 'web'
  | 'contact';

/** Optional single text elements of `<alert>` a profile can require. */
export type AlertTextElement = 'source' | 'restriction' | 'addresses' | 'note' | 'references' | 'incidents';

interface RuleBase {
  /** Where the rule comes from, quoted in messages: "IPAWS v1.0 §3.2.2". */
  ref: string;
  /** Overrides the catalogue's severity (e.g. a recommendation). */
  severity?: FindingSeverity;
}

/** `<code>` of the alert must include `value`. */
export interface AlertCodeRule extends RuleBase {
  kind: 'alertCode';
  value: string;
}
/** An element must be present and non-empty. */
export type RequiredRule = RuleBase &
  (
    | { kind: 'required'; on: 'alert'; element: AlertTextElement }
    | { kind: 'required'; on: 'info'; element: InfoTextElement | 'area' }
  );
/** An element present is ignored by the profile's recipients (a warning). */
export interface IgnoredRule extends RuleBase {
  kind: 'ignored';
  element: InfoTextElement;
}
/** An `<info>` text element (or a parameter's value) may be at most `max` characters. */
export interface MaxLengthRule extends RuleBase {
  kind: 'maxLength';
  element: InfoTextElement;
  max: number;
}
/** Named values under one valueName: how many, and which values. */
export interface NamedValueRule extends RuleBase {
  kind: 'eventCode' | 'parameter';
  valueName: string;
  /** At least this many (default 1). */
  min?: number;
  /** At most this many (default unlimited). */
  max?: number;
  /** Allowed values (exact). */
  values?: readonly string[];
  pattern?: RegExp;
  maxLength?: number;
  /** The rule does not apply to an info carrying this parameter value (e.g. BLOCKCHANNEL=EAS). */
  unless?: NamedValue;
}
/** Every `<area>` needs a geocode under one of `valueNames`, optionally well-formed and known. */
export interface GeocodeRule extends RuleBase {
  kind: 'geocode';
  valueNames: readonly string[];
  pattern?: RegExp;
  isKnown?: (code: string) => boolean;
}
/** Whatever data cannot express. `emit` adds a finding from the catalogue. */
export interface CheckRule extends RuleBase {
  kind: 'check';
  check: (alert: Alert, emit: Emit) => void;
}
export type Emit = (code: FindingCode, path: string, details?: Record<string, string | number>) => void;

export type ProfileRule =
  | AlertCodeRule
  | RequiredRule
  | IgnoredRule
  | MaxLengthRule
  | NamedValueRule
  | GeocodeRule
  | CheckRule;

/** A CAP profile, selected by `id` (`tocsin validate --profile <id>`). */
export interface Profile {
  id: string;
  name: string;
  rules: readonly ProfileRule[];
}

type CompiledRule = (alert: Alert, out: Finding[]) => void;
const compiled = new WeakMap<Profile, readonly CompiledRule[]>();

/** Applies a profile's rules to an alert, adding findings to `out`. Rules compile once per profile. */
export function runProfile(profile: Profile, alert: Alert, out: Finding[]): void {
  let rules = compiled.get(profile);
  if (rules === undefined) {
    rules = profile.rules.map((rule) => compileRule(profile, rule));
    compiled.set(profile, rules);
  }
  for (const rule of rules) rule(alert, out);
}

function eachInfo(alert: Alert, fn: (info: Info, path: string) => void): void {
  const infos = alert.info;
  for (let i = 0; i < infos.length; i++) fn(infos[i] as Info, `info[${i}]`);
}

function isBlank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function hasValue(list: readonly NamedValue[], nv: NamedValue): boolean {
  for (const p of list) if (p.valueName === nv.valueName && p.value.trim() === nv.value) return true;
  return false;
}

function compileRule(profile: Profile, rule: ProfileRule): CompiledRule {
  const name = profile.name;
  const { ref, severity } = rule;
  const push = (out: Finding[], code: FindingCode, path: string, details: Record<string, string | number>) =>
    out.push(finding(code, path, { profile: name, ref, ...details }, severity));

  switch (rule.kind) {
    case 'alertCode':
      return (alert, out) => {
        if (!alert.code.includes(rule.value))
          push(out, 'CAP_PROFILE_CODE_REQUIRED', 'code', { value: rule.value });
      };
    case 'required':
      if (rule.on === 'alert') {
        const element = rule.element;
        return (alert, out) => {
          if (isBlank(alert[element]))
            push(out, 'CAP_PROFILE_ELEMENT_REQUIRED', element, { element: `<${element}>` });
        };
      } else {
        const element = rule.element;
        return (alert, out) =>
          eachInfo(alert, (info, path) => {
            const missing = element === 'area' ? info.area.length === 0 : isBlank(info[element]);
            if (missing)
              push(out, 'CAP_PROFILE_ELEMENT_REQUIRED', `${path}.${element}`, { element: `<${element}>` });
          });
      }
    case 'ignored':
      return (alert, out) =>
        eachInfo(alert, (info, path) => {
          if (!isBlank(info[rule.element])) {
            push(out, 'CAP_PROFILE_ELEMENT_IGNORED', `${path}.${rule.element}`, {
              element: `<${rule.element}>`,
            });
          }
        });
    case 'maxLength':
      return (alert, out) =>
        eachInfo(alert, (info, path) => {
          const text = info[rule.element];
          if (text !== undefined && text.length > rule.max) {
            push(out, 'CAP_PROFILE_TOO_LONG', `${path}.${rule.element}`, {
              element: `<${rule.element}>`,
              length: text.length,
              max: rule.max,
            });
          }
        });
    case 'eventCode':
    case 'parameter':
      return compileNamedValueRule(rule, push);
    case 'geocode':
      return compileGeocodeRule(rule, push);
    case 'check':
      return (alert, out) => rule.check(alert, (code, path, details) => push(out, code, path, details ?? {}));
  }
}

type Push = (
  out: Finding[],
  code: FindingCode,
  path: string,
  details: Record<string, string | number>,
) => void;

function compileNamedValueRule(rule: NamedValueRule, push: Push): CompiledRule {
  const min = rule.min ?? 1;
  const max = rule.max ?? Number.POSITIVE_INFINITY;
  const allowed = rule.values === undefined ? undefined : new Set(rule.values);
  const allowedText = rule.values === undefined ? '' : rule.values.map((v) => `"${v}"`).join(', ');
  const expected =
    max === min
      ? `exactly ${min}`
      : max === Number.POSITIVE_INFINITY
        ? `at least ${min}`
        : `${min} to ${max}`;
  const isEvent = rule.kind === 'eventCode';
  const element = isEvent ? 'eventCode' : 'parameter';
  return (alert, out) =>
    eachInfo(alert, (info, path) => {
      if (rule.unless !== undefined && hasValue(info.parameter, rule.unless)) return;
      const list = isEvent ? info.eventCode : info.parameter;
      let count = 0;
      for (let j = 0; j < list.length; j++) {
        const nv = list[j] as NamedValue;
        if (nv.valueName !== rule.valueName) continue;
        count++;
        const value = nv.value.trim();
        const at = `${path}.${element}[${j}]`;
        const shown = excerpt(value);
        if (allowed !== undefined && !allowed.has(value)) {
          const code = isEvent ? 'CAP_EVENT_CODE_UNKNOWN' : 'CAP_PARAMETER_INVALID';
          push(out, code, at, {
            valueName: rule.valueName,
            value: shown,
            allowed: allowedText,
            reason: `expected one of ${allowedText}`,
          });
        } else if (rule.pattern !== undefined && !rule.pattern.test(value)) {
          const code = isEvent ? 'CAP_EVENT_CODE_UNKNOWN' : 'CAP_PARAMETER_INVALID';
          push(out, code, at, {
            valueName: rule.valueName,
            value: shown,
            allowed: `values matching ${rule.pattern}`,
            reason: `must match ${rule.pattern}`,
          });
        } else if (rule.maxLength !== undefined && value.length > rule.maxLength) {
          push(out, isEvent ? 'CAP_EVENT_CODE_UNKNOWN' : 'CAP_PARAMETER_INVALID', at, {
            valueName: rule.valueName,
            value: shown,
            allowed: `values of at most ${rule.maxLength} characters`,
            reason: `${value.length} characters, at most ${rule.maxLength} allowed`,
          });
        }
      }
      if (count < min || count > max) {
        push(out, isEvent ? 'CAP_EVENT_CODE_REQUIRED' : 'CAP_PARAMETER_REQUIRED', path, {
          expected,
          valueName: rule.valueName,
          count,
        });
      }
    });
}

function compileGeocodeRule(rule: GeocodeRule, push: Push): CompiledRule {
  const names = new Set(rule.valueNames);
  const namesText = rule.valueNames.map((v) => `"${v}"`).join(' or ');
  return (alert, out) =>
    eachInfo(alert, (info, path) => {
      for (let a = 0; a < info.area.length; a++) {
        const area = info.area[a] as Area;
        const areaPath = `${path}.area[${a}]`;
        let found = 0;
        for (let g = 0; g < area.geocode.length; g++) {
          const geocode = area.geocode[g] as NamedValue;
          if (!names.has(geocode.valueName)) continue;
          found++;
          const value = geocode.value.trim();
          const at = `${areaPath}.geocode[${g}]`;
          const details = { valueName: geocode.valueName, value: excerpt(value) };
          if (rule.pattern !== undefined && !rule.pattern.test(value)) {
            push(out, 'CAP_GEOCODE_INVALID', at, { ...details, reason: `must match ${rule.pattern}` });
          } else if (rule.isKnown !== undefined && !rule.isKnown(value)) {
            push(out, 'CAP_REGION_UNKNOWN', at, details);
          }
        }
        if (found === 0) push(out, 'CAP_GEOCODE_REQUIRED', areaPath, { valueNames: namesText });
      }
    });
}
