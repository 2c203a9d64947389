// Semantic validation of a CAP 1.2 message: every rule of the specification that the XML schema
// cannot express, plus recommendations, plus the rules of an optional profile. Pure: no clock
// (rules about "now" run only when `now` is given), no I/O. The hot path allocates nothing for
// a valid message beyond the result array.
import { excerpt, finding } from './findings.ts';
import { checkCircle, checkPolygon } from './geometry.ts';
import { IPAWS_PROFILE } from './profiles/ipaws.ts';
import { type Profile, runProfile } from './profiles/profile.ts';
import { createTocsinProfile } from './profiles/tocsin.ts';
import {
  type Alert,
  type Area,
  CATEGORIES,
  CERTAINTIES,
  type Finding,
  type Info,
  MSG_TYPES,
  type Position,
  RESPONSE_TYPES,
  type Resource,
  SCOPES,
  SEVERITIES,
  STATUSES,
  URGENCIES,
} from './types.ts';
import { checkCapDate } from './validate-dates.ts';
import { checkReferences } from './validate-references.ts';

export interface ValidateOptions {
  profile?: Profile;
  /** The current time, for rules about expiry and clock skew; those rules are skipped without it. */
  now?: Date;
}

/** The plain CAP 1.2 rules, with no profile on top. */
export const CAP_PROFILE: Profile = { id: 'cap', name: 'CAP 1.2', rules: [] };

/** The profiles the CLI's `--profile` can name, by id. */
export const PROFILES: Readonly<Record<'cap' | 'ipaws' | 'tocsin', Profile>> = {
  cap: CAP_PROFILE,
  ipaws: IPAWS_PROFILE,
  tocsin: createTocsinProfile(),
};

export type ProfileId = keyof typeof PROFILES;

/** The profile named `id` (e.g. from `--profile`), or undefined for an unknown name. */
export function findProfile(id: string): Profile | undefined {
  return Object.hasOwn(PROFILES, id) ? PROFILES[id as ProfileId] : undefined;
}

/** A sender's clock may run this far ahead before `sent` counts as in the future. */
export const CLOCK_SKEW_MINUTES = 5;
/** Findings reported per message; the rest are counted in one CAP_TOO_MANY_FINDINGS. */
export const MAX_FINDINGS = 200;
const HEADLINE_MAX_CHARS = 160;
const SPEC = 'CAP 1.2 §3.2';
const RESTRICTED_ID = /[\s,<&]/;
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;
const MIME_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$/;
const SHA1_HEX = /^[0-9A-Fa-f]{40}$/;
const HTML_TAG = /<\/?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?\/?>|&(nbsp|amp|lt|gt|quot|#\d+);/;
const TEXT_FIELDS = ['event', 'headline', 'description', 'instruction', 'senderName', 'contact'] as const;
const STATUS_SET = new Set<string>(STATUSES);
const MSG_TYPE_SET = new Set<string>(MSG_TYPES);
const SCOPE_SET = new Set<string>(SCOPES);
const CATEGORY_SET = new Set<string>(CATEGORIES);
const RESPONSE_TYPE_SET = new Set<string>(RESPONSE_TYPES);
const URGENCY_SET = new Set<string>(URGENCIES);
const SEVERITY_SET = new Set<string>(SEVERITIES);
const CERTAINTY_SET = new Set<string>(CERTAINTIES);

/** Checks a CAP alert against CAP 1.2 and an optional profile; an empty array means valid. */
export function validateCap(alert: Alert, options: ValidateOptions = {}): Finding[] {
  const out: Finding[] = [];
  const sentMs = checkAlert(alert, out);
  const now = options.now;
  if (now !== undefined && sentMs > now.getTime() + CLOCK_SKEW_MINUTES * 60_000) {
    const details = { sent: alert.sent, skewMinutes: CLOCK_SKEW_MINUTES, now: now.toISOString() };
    out.push(finding('CAP_SENT_IN_FUTURE', 'sent', details));
  }
  const infos = alert.info ?? [];
  for (let i = 0; i < infos.length; i++) checkInfo(alert, infos[i] as Info, `info[${i}]`, sentMs, now, out);
  if (options.profile !== undefined) runProfile(options.profile, alert, out);
  if (out.length > MAX_FINDINGS) {
    // Hostile input (170,000 malformed references fit in 1 MB) must not turn into 25 MB of report.
    const omitted = out.length - MAX_FINDINGS;
    out.length = MAX_FINDINGS;
    out.push(finding('CAP_TOO_MANY_FINDINGS', '', { omitted, max: MAX_FINDINGS }));
  }
  return out;
}

/**
 * Adds source positions to findings, from the `positions` map of `parseCapXml`: each finding gets
 * the line and column of its path, or of the nearest enclosing element that has one
 * (`references[1]` falls back to `references`, a missing `<addresses>` to `<alert>`).
 */
export function locateFindings(findings: Finding[], positions: ReadonlyMap<string, Position>): Finding[] {
  return findings.map((f) => {
    if (f.line !== undefined) return f;
    for (let path = f.path; ; ) {
      const at = positions.get(path);
      if (at !== undefined) return { ...f, line: at.line, column: at.column };
      if (path === '') return f;
      const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
      path = cut <= 0 ? '' : path.slice(0, cut); // '' is the <alert> element itself
    }
  });
}

function blank(value: string | undefined): boolean {
  return value === undefined || value.trim() === '';
}

function required(value: string | undefined, element: string, path: string, out: Finding[]): boolean {
  if (typeof value === 'string' && value.trim() !== '') return true;
  out.push(finding('CAP_REQUIRED_MISSING', path, { element: `<${element}>`, ref: SPEC }));
  return false;
}

function oneOf(set: ReadonlySet<string>, value: string, element: string, path: string, out: Finding[]): void {
  if (set.has(value)) return;
  const allowed = [...set].join(', ');
  out.push(
    finding('CAP_VALUE_NOT_ALLOWED', path, {
      value: excerpt(String(value)),
      element: `<${element}>`,
      allowed,
      ref: SPEC,
    }),
  );
}

function checkIdentifierLike(value: string, element: string, path: string, out: Finding[]): void {
  if (!required(value, element, path, out)) return;
  const m = RESTRICTED_ID.exec(value);
  if (m !== null) {
    const found = m[0] === ',' ? 'a comma' : m[0] === '<' || m[0] === '&' ? `"${m[0]}"` : 'a space';
    out.push(finding('CAP_IDENTIFIER_INVALID', path, { element: `<${element}>`, found }));
  }
}

/** Alert-level rules; returns the instant of `sent` (NaN when invalid). */
function checkAlert(alert: Alert, out: Finding[]): number {
  checkIdentifierLike(alert.identifier, 'identifier', 'identifier', out);
  checkIdentifierLike(alert.sender, 'sender', 'sender', out);
  const sentMs = required(alert.sent, 'sent', 'sent', out)
    ? checkCapDate(alert.sent, 'sent', out)
    : Number.NaN;
  oneOf(STATUS_SET, alert.status, 'status', 'status', out);
  oneOf(MSG_TYPE_SET, alert.msgType, 'msgType', 'msgType', out);
  oneOf(SCOPE_SET, alert.scope, 'scope', 'scope', out);

  if (alert.scope === 'Restricted' && blank(alert.restriction)) {
    out.push(finding('CAP_RESTRICTION_REQUIRED', 'restriction'));
  } else if (alert.scope !== 'Restricted' && !blank(alert.restriction)) {
    out.push(finding('CAP_RESTRICTION_UNEXPECTED', 'restriction', { scope: alert.scope }));
  }
  if (alert.scope === 'Private' && blank(alert.addresses))
    out.push(finding('CAP_ADDRESSES_REQUIRED', 'addresses'));
  if (alert.msgType === 'Error' && blank(alert.note)) out.push(finding('CAP_NOTE_RECOMMENDED', 'note'));

  if (!blank(alert.references)) {
    checkReferences(alert, alert.references as string, sentMs, out);
  } else if (alert.msgType !== 'Alert' && MSG_TYPE_SET.has(alert.msgType)) {
    out.push(finding('CAP_REFERENCES_REQUIRED', 'references', { msgType: alert.msgType }));
  }
  if ((alert.info ?? []).length === 0 && (alert.msgType === 'Alert' || alert.msgType === 'Update')) {
    out.push(finding('CAP_INFO_MISSING', 'info', { msgType: alert.msgType }));
  }
  return sentMs;
}

function checkInfo(
  alert: Alert,
  info: Info,
  path: string,
  sentMs: number,
  now: Date | undefined,
  out: Finding[],
): void {
  if (info.language !== undefined && !LANGUAGE_TAG.test(info.language)) {
    out.push(finding('CAP_LANGUAGE_INVALID', `${path}.language`, { value: excerpt(info.language) }));
  }
  if (info.category.length === 0) out.push(finding('CAP_INFO_CATEGORY_MISSING', `${path}.category`));
  for (let c = 0; c < info.category.length; c++)
    oneOf(CATEGORY_SET, info.category[c] as string, 'category', `${path}.category[${c}]`, out);
  for (let r = 0; r < info.responseType.length; r++) {
    oneOf(
      RESPONSE_TYPE_SET,
      info.responseType[r] as string,
      'responseType',
      `${path}.responseType[${r}]`,
      out,
    );
  }
  required(info.event, 'event', `${path}.event`, out);
  oneOf(URGENCY_SET, info.urgency, 'urgency', `${path}.urgency`, out);
  oneOf(SEVERITY_SET, info.severity, 'severity', `${path}.severity`, out);
  oneOf(CERTAINTY_SET, info.certainty, 'certainty', `${path}.certainty`, out);
  if (
    alert.status === 'Actual' &&
    info.urgency === 'Unknown' &&
    info.severity === 'Unknown' &&
    info.certainty === 'Unknown'
  ) {
    out.push(finding('CAP_ALL_UNKNOWN', path));
  }

  checkTimes(info, path, alert.sent, sentMs, now, out);

  if (info.web !== undefined && !(ABSOLUTE_URI.test(info.web) && URL.canParse(info.web))) {
    out.push(finding('CAP_WEB_NOT_ABSOLUTE', `${path}.web`, { value: excerpt(info.web) }));
  }
  if (info.headline !== undefined && info.headline.length > HEADLINE_MAX_CHARS) {
    out.push(finding('CAP_HEADLINE_TOO_LONG', `${path}.headline`, { length: info.headline.length }));
  }
  for (const element of TEXT_FIELDS) {
    const text = info[element];
    const m = text === undefined ? null : HTML_TAG.exec(text);
    if (m !== null)
      out.push(finding('CAP_HTML_IN_TEXT', `${path}.${element}`, { element, found: excerpt(m[0], 40) }));
  }
  if (blank(info.senderName)) out.push(finding('CAP_SENDER_NAME_MISSING', `${path}.senderName`));

  for (let r = 0; r < info.resource.length; r++)
    checkResource(info.resource[r] as Resource, `${path}.resource[${r}]`, out);
  if (info.area.length === 0) out.push(finding('CAP_AREA_MISSING', `${path}.area`));
  for (let a = 0; a < info.area.length; a++) checkArea(info.area[a] as Area, `${path}.area[${a}]`, out);
}

function checkTimes(
  info: Info,
  path: string,
  sentText: string,
  sentMs: number,
  now: Date | undefined,
  out: Finding[],
): void {
  const effective =
    info.effective === undefined ? Number.NaN : checkCapDate(info.effective, `${path}.effective`, out);
  const onset = info.onset === undefined ? Number.NaN : checkCapDate(info.onset, `${path}.onset`, out);
  if (info.expires === undefined) {
    out.push(finding('CAP_EXPIRES_MISSING', `${path}.expires`));
    return;
  }
  const expires = checkCapDate(info.expires, `${path}.expires`, out);
  if (Number.isNaN(expires)) return;
  // NaN comparisons are false, so an absent or invalid date skips its rule. Equality is only a
  // warning: final cancellations (e.g. NWS tsunami centres) expire the moment they are sent.
  if (expires < effective) {
    const details = { expires: info.expires, effective: info.effective ?? '' };
    out.push(finding('CAP_EXPIRES_BEFORE_EFFECTIVE', `${path}.expires`, details));
  } else if (expires < sentMs) {
    const details = { expires: info.expires, sent: sentText };
    out.push(finding('CAP_EXPIRES_BEFORE_SENT', `${path}.expires`, details));
  } else if (expires === sentMs || expires === effective) {
    out.push(finding('CAP_EXPIRES_IMMEDIATELY', `${path}.expires`, { expires: info.expires }));
  }
  if (onset > expires) {
    out.push(
      finding('CAP_ONSET_AFTER_EXPIRES', `${path}.onset`, { onset: info.onset ?? '', expires: info.expires }),
    );
  }
  if (now !== undefined && expires <= now.getTime()) {
    out.push(finding('CAP_EXPIRED', `${path}.expires`, { expires: info.expires, now: now.toISOString() }));
  }
}

function checkResource(resource: Resource, path: string, out: Finding[]): void {
  required(resource.resourceDesc, 'resourceDesc', `${path}.resourceDesc`, out);
  if (
    required(resource.mimeType, 'mimeType', `${path}.mimeType`, out) &&
    !MIME_TYPE.test(resource.mimeType.trim())
  ) {
    out.push(finding('CAP_MIME_TYPE_INVALID', `${path}.mimeType`, { value: excerpt(resource.mimeType) }));
  }
  if (resource.size !== undefined && !(Number.isSafeInteger(resource.size) && resource.size >= 0)) {
    out.push(finding('CAP_SIZE_INVALID', `${path}.size`, { value: resource.size }));
  }
  if (resource.digest !== undefined && !SHA1_HEX.test(resource.digest.trim())) {
    out.push(finding('CAP_DIGEST_INVALID', `${path}.digest`, { value: excerpt(resource.digest) }));
  }
}

function checkArea(area: Area, path: string, out: Finding[]): void {
  required(area.areaDesc, 'areaDesc', `${path}.areaDesc`, out);
  for (let p = 0; p < area.polygon.length; p++)
    checkPolygon(area.polygon[p] ?? [], `${path}.polygon[${p}]`, out);
  for (let c = 0; c < area.circle.length; c++) {
    const circle = area.circle[c];
    if (circle !== undefined) checkCircle(circle, `${path}.circle[${c}]`, out);
  }
  if (area.ceiling !== undefined) {
    if (area.altitude === undefined) out.push(finding('CAP_CEILING_WITHOUT_ALTITUDE', `${path}.ceiling`));
    else if (area.ceiling < area.altitude) {
      out.push(
        finding('CAP_CEILING_BELOW_ALTITUDE', `${path}.ceiling`, {
          ceiling: area.ceiling,
          altitude: area.altitude,
        }),
      );
    }
  }
}
