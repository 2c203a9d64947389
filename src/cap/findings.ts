// The closed catalogue of CAP validation findings: every code the validator and the profiles
// can emit, with its severity and a message template. `{name}` placeholders are filled from
// the details passed to `finding()`. Codes are stable: clients and tests match on them.
import type { Finding } from './types.ts';

export type FindingSeverity = Finding['severity'];

interface FindingSpec {
  severity: FindingSeverity;
  message: string;
}

export const FINDINGS = {
  // Identifiers and structure (CAP 1.2 §3.2.1)
  CAP_REQUIRED_MISSING: {
    severity: 'error',
    message: '{element} is required and must not be empty ({ref}).',
  },
  CAP_VALUE_NOT_ALLOWED: {
    severity: 'error',
    message: '"{value}" is not an allowed value of {element}; expected one of {allowed} ({ref}).',
  },
  CAP_IDENTIFIER_INVALID: {
    severity: 'error',
    message: '{element} must not contain spaces, commas, "<" or "&" (CAP 1.2 §3.2.1); found {found}.',
  },
  CAP_INFO_MISSING: {
    severity: 'warning',
    message: 'An {msgType} message without any <info> block tells recipients nothing (CAP 1.2 §3.2.2).',
  },
  CAP_INFO_CATEGORY_MISSING: {
    severity: 'error',
    message: 'Each <info> needs at least one <category> (CAP 1.2 §3.2.2).',
  },
  // Dates (CAP 1.2 §3.3.2)
  CAP_DATE_INVALID: {
    severity: 'error',
    message:
      '"{value}" is not a CAP date-time: expected YYYY-MM-DDThh:mm:ss±hh:mm with a real calendar date and time (CAP 1.2 §3.3.2).',
  },
  CAP_DATE_ZULU: {
    severity: 'error',
    message: '"{value}" uses "Z"; CAP 1.2 §3.3.2 requires a numeric offset: write -00:00 or +00:00 for UTC.',
  },
  CAP_EXPIRES_BEFORE_EFFECTIVE: {
    severity: 'error',
    message: '<expires> {expires} is before <effective> {effective}: the alert would never be in force.',
  },
  CAP_EXPIRES_BEFORE_SENT: {
    severity: 'error',
    message: '<expires> {expires} is before <sent> {sent}: the alert was expired when it was sent.',
  },
  CAP_EXPIRES_IMMEDIATELY: {
    severity: 'warning',
    message:
      '<expires> {expires} is the moment the message is sent or takes effect: recipients may drop it at once. Fine for a final cancellation, not for a warning.',
  },
  CAP_ONSET_AFTER_EXPIRES: {
    severity: 'warning',
    message:
      '<onset> {onset} is after <expires> {expires}: the event starts only after the alert has expired.',
  },
  CAP_EXPIRES_MISSING: {
    severity: 'warning',
    message: 'No <expires>: recipients cannot tell when this information stops being current; set one.',
  },
  CAP_EXPIRED: { severity: 'warning', message: '<expires> {expires} is already past ({now}).' },
  CAP_SENT_IN_FUTURE: {
    severity: 'warning',
    message: '<sent> {sent} is more than {skewMinutes} minutes ahead of the clock ({now}).',
  },
  // References (CAP 1.2 §3.2.1)
  CAP_REFERENCES_MALFORMED: {
    severity: 'error',
    message:
      'Reference "{value}" is not a "sender,identifier,sent" triplet with a valid CAP date (CAP 1.2 §3.2.1): {reason}.',
  },
  CAP_REFERENCES_SELF: {
    severity: 'error',
    message: 'Reference "{value}" points at this very message (same sender and identifier).',
  },
  CAP_REFERENCES_FUTURE: {
    severity: 'error',
    message:
      'Reference "{value}" was sent after this message ({sent}): a message can only refer to earlier ones.',
  },
  CAP_REFERENCES_REQUIRED: {
    severity: 'error',
    message:
      'A {msgType} message must reference the message(s) it applies to in <references> (CAP 1.2 §3.2.1).',
  },
  // Scope (CAP 1.2 §3.2.1)
  CAP_RESTRICTION_REQUIRED: {
    severity: 'error',
    message:
      'Scope "Restricted" requires a <restriction> saying who may receive the message (CAP 1.2 §3.2.1).',
  },
  CAP_RESTRICTION_UNEXPECTED: {
    severity: 'error',
    message:
      '<restriction> is only used with scope "Restricted"; this message has scope "{scope}" (CAP 1.2 §3.2.1).',
  },
  CAP_ADDRESSES_REQUIRED: {
    severity: 'error',
    message: 'Scope "Private" requires <addresses> naming the recipients (CAP 1.2 §3.2.1).',
  },
  CAP_NOTE_RECOMMENDED: {
    severity: 'warning',
    message: 'A message of type "Error" should explain the error in <note> (CAP 1.2 §3.2.1).',
  },
  // Info (CAP 1.2 §3.2.2)
  CAP_LANGUAGE_INVALID: {
    severity: 'error',
    message: '"{value}" is not an RFC 3066 language tag such as "uk", "en-US" (CAP 1.2 §3.2.2).',
  },
  CAP_WEB_NOT_ABSOLUTE: {
    severity: 'error',
    message:
      '<web> "{value}" must be a full absolute URI such as https://example.org/alert (CAP 1.2 §3.2.2).',
  },
  CAP_HEADLINE_TOO_LONG: {
    severity: 'warning',
    message:
      '<headline> is {length} characters; keep it under 160 so text pagers and cell broadcast show it whole (CAP 1.2 §3.2.2).',
  },
  CAP_HTML_IN_TEXT: {
    severity: 'warning',
    message:
      '<{element}> contains HTML markup ("{found}"); CAP text is plain text and many channels would show the tags.',
  },
  CAP_SENDER_NAME_MISSING: {
    severity: 'warning',
    message: 'No <senderName>: give the human-readable name of the issuing agency.',
  },
  CAP_AREA_MISSING: {
    severity: 'warning',
    message: 'This <info> has no <area>: recipients cannot tell where it applies.',
  },
  CAP_ALL_UNKNOWN: {
    severity: 'warning',
    message:
      'An Actual alert with urgency, severity and certainty all "Unknown" gives recipients no basis to act.',
  },
  // Resources (CAP 1.2 §3.2.3)
  CAP_MIME_TYPE_INVALID: {
    severity: 'error',
    message: '<mimeType> "{value}" is not an RFC 2046 media type such as "image/png" (CAP 1.2 §3.2.3).',
  },
  CAP_DIGEST_INVALID: {
    severity: 'error',
    message: '<digest> "{value}" is not a SHA-1 hash: 40 hexadecimal digits (CAP 1.2 §3.2.3).',
  },
  CAP_SIZE_INVALID: {
    severity: 'error',
    message: '<size> {value} must be a whole number of bytes ≥ 0 (CAP 1.2 §3.2.3).',
  },
  // Areas (CAP 1.2 §3.2.4)
  CAP_POLYGON_TOO_FEW_POINTS: {
    severity: 'error',
    message:
      'A polygon needs at least 4 points (3 distinct corners plus the first repeated at the end); this one has {count}{distinct} (CAP 1.2 §3.2.4).',
  },
  CAP_POLYGON_NOT_CLOSED: {
    severity: 'error',
    message:
      'The polygon is not closed: the last point {last} must equal the first {first} (CAP 1.2 §3.2.4).',
  },
  CAP_COORDINATE_OUT_OF_RANGE: {
    severity: 'error',
    message:
      'Point {index} ({lat},{lon}) is outside WGS 84: latitude must be in [-90, 90] and longitude in [-180, 180] (CAP 1.2 §3.2.4).',
  },
  CAP_POLYGON_SELF_INTERSECTION: {
    severity: 'error',
    message:
      'The polygon crosses itself: edge {a} (from point {a}) meets edge {b} (from point {b}); a polygon must be a simple closed ring.',
  },
  CAP_POLYGON_TOO_COMPLEX: {
    severity: 'error',
    message:
      'The polygon ({count} points) is too intricate to verify that it does not cross itself; simplify it (fewer, shorter edges).',
  },
  CAP_CIRCLE_INVALID: {
    severity: 'error',
    message:
      "Circle radius {radius} km must be a number ≥ 0 and at most {max} km (half the Earth's circumference) (CAP 1.2 §3.2.4).",
  },
  CAP_CEILING_WITHOUT_ALTITUDE: {
    severity: 'error',
    message: '<ceiling> may only be used together with <altitude> (CAP 1.2 §3.2.4).',
  },
  CAP_CEILING_BELOW_ALTITUDE: {
    severity: 'error',
    message: '<ceiling> {ceiling} ft is below <altitude> {altitude} ft (CAP 1.2 §3.2.4).',
  },
  CAP_TOO_MANY_FINDINGS: {
    severity: 'error',
    message: '{omitted} more findings were not listed (at most {max} are reported per message).',
  },
  // Profiles
  CAP_PROFILE_CODE_REQUIRED: {
    severity: 'error',
    message: 'The {profile} profile requires <code>{value}</code> on the alert ({ref}).',
  },
  CAP_PROFILE_ELEMENT_REQUIRED: {
    severity: 'error',
    message: 'The {profile} profile requires {element} ({ref}).',
  },
  CAP_PROFILE_ELEMENT_IGNORED: {
    severity: 'warning',
    message: '{element} is ignored by {profile} recipients ({ref}).',
  },
  CAP_PROFILE_TOO_LONG: {
    severity: 'error',
    message: '{element} is {length} characters; the {profile} profile allows at most {max} ({ref}).',
  },
  CAP_EVENT_CODE_REQUIRED: {
    severity: 'error',
    message:
      'The {profile} profile requires {expected} <eventCode> with valueName "{valueName}"; found {count} ({ref}).',
  },
  CAP_EVENT_CODE_UNKNOWN: {
    severity: 'error',
    message: '<eventCode> {valueName}="{value}" is not one of {allowed} ({ref}).',
  },
  CAP_PARAMETER_REQUIRED: {
    severity: 'error',
    message:
      'The {profile} profile requires {expected} <parameter> with valueName "{valueName}"; found {count} ({ref}).',
  },
  CAP_PARAMETER_INVALID: {
    severity: 'error',
    message: '<parameter> {valueName}="{value}" is not allowed: {reason} ({ref}).',
  },
  CAP_GEOCODE_REQUIRED: {
    severity: 'error',
    message:
      'The {profile} profile requires each <area> to carry a <geocode> with valueName {valueNames} ({ref}).',
  },
  CAP_GEOCODE_INVALID: {
    severity: 'error',
    message: '<geocode> {valueName}="{value}" is not valid: {reason} ({ref}).',
  },
  CAP_REGION_UNKNOWN: {
    severity: 'error',
    message: '<geocode> {valueName}="{value}" is not a known region.',
  },
  CAP_INFO_MISMATCH: {
    severity: 'error',
    message: 'Every <info> of one alert must carry the same {element} as the first one ({ref}).',
  },
  CAP_EXERCISE_REAL_WORDING: {
    severity: 'error',
    message:
      'A {status} message says "{found}" in <{element}>: exercise and test messages must never claim to be real.',
  },
} as const satisfies Record<string, FindingSpec>;

export type FindingCode = keyof typeof FINDINGS;

/** Values that fill a template's `{name}` placeholders. */
export type FindingDetails = Readonly<Record<string, string | number>>;

const PLACEHOLDER = /\{(\w+)\}/g;

/** Builds one finding from the catalogue; `severity` overrides the catalogue's default. */
export function finding(
  code: FindingCode,
  path: string,
  details?: FindingDetails,
  severity?: FindingSeverity,
): Finding {
  const spec: FindingSpec = FINDINGS[code];
  const message =
    details === undefined
      ? spec.message
      : spec.message.replace(PLACEHOLDER, (whole, name: string) => {
          const value = details[name];
          return value === undefined ? whole : String(value);
        });
  return { code, severity: severity ?? spec.severity, path, message };
}

/** Shortens a value quoted in a message so hostile input cannot make messages huge. */
export function excerpt(value: string, max = 80): string {
  return value.length <= max ? value : `${value.slice(0, max)}…`;
}
