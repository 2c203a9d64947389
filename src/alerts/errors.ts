// The closed catalogue of domain errors. Each has a stable code; src/http/errors.ts maps codes to
// HTTP statuses in one place. Messages say what is wrong; `details` say where.

/** Every code the domain can raise, with what it means. */
export const ERROR_CODES = {
  CAP_INVALID: 'The CAP message is malformed or fails validation; details hold the findings.',
  ALERT_INPUT_INVALID: 'The request is not a usable alert (short form, format or field missing).',
  ALERT_UNKNOWN_EVENT: 'The event type is not in the profile.',
  ALERT_UNKNOWN_REGION: 'The alert areas resolve to no known region.',
  ALERT_NOT_FOUND: 'No alert with this identifier.',
  ALERT_ALREADY_ENDED: 'The incident has already ended (all-clear, cancel or expiry).',
  ALERT_NOT_CURRENT: 'The alert was superseded by an update; act on the latest alert of the incident.',
  ALERT_NOT_PENDING: 'The alert is not waiting for approval.',
  ALERT_NEEDS_APPROVAL: 'The alert needs a second operator before it can be issued.',
  ALERT_SELF_APPROVAL: 'An alert must be approved or rejected by a different operator than its author.',
  ALERT_DUPLICATE_IDENTIFIER: 'An alert with this identifier already exists.',
  ALERT_CONFLICT: 'The incident changed concurrently; retry with the latest alert.',
  IDEMPOTENCY_CONFLICT: 'The Idempotency-Key was already used with a different request.',
  REGION_NOT_FOUND: 'No region with this code.',
  QUERY_INVALID: 'A query parameter (cursor, time, limit) is malformed.',
  AUTH_FORBIDDEN: 'The actor may not perform this action.',
  AUTH_REQUIRED: 'This endpoint needs credentials: a bearer token or a console session.',
  AUTH_INVALID_CREDENTIALS: 'Unknown name or wrong password.',
  AUTH_TOKEN_INVALID: 'The bearer token or session is unknown, revoked or expired.',
  AUTH_LOCKED: 'Too many failed logins for this name or address; retry after the time given.',
  AUTH_RATE_LIMITED: 'Too many requests with this token; retry after the time given.',
  AUTH_CSRF: "A request with a session cookie must carry the session's X-CSRF-Token header.",
  AUTH_ORIGIN_FORBIDDEN: 'The request comes from an origin not allowed to use the operator API.',
  AUTH_PASSWORD_CHANGE_REQUIRED:
    'The one-time password must be changed (POST /v1/session/password) before anything else.',
  AUTH_PASSWORD_WEAK: 'The new password is too short, too simple, or equal to the old one.',
  IDENTITY_INPUT_INVALID: 'An operator or token field is malformed (name, roles, jurisdiction, expiry).',
  OPERATOR_NOT_FOUND: 'No operator with this id.',
  OPERATOR_NAME_TAKEN: 'An operator with this name exists.',
  TOKEN_NOT_FOUND: 'No token with this id.',
  TEMPLATE_NOT_FOUND: 'No template with this id.',
  TEMPLATE_INPUT_INVALID: 'A template field is malformed (name, alert short form, status, fixed expiry).',
  TEMPLATE_CONFLICT: 'The template changed meanwhile, or another template has this name.',
  TEMPLATE_NOT_APPROVED:
    'The template needs approval by two different people, one of them an admin, before it can be fired.',
  TEMPLATE_SELF_APPROVAL: "A template's author counts as one of its approvers only as an admin.",
  TEMPLATE_ALREADY_APPROVED: 'This person already approved this revision of the template.',
  TEMPLATE_CONFIRMATION_REQUIRED: 'Firing a template needs an explicit { "confirm": true }.',
  WEBHOOK_NOT_FOUND: 'No webhook with this id.',
  WEBHOOK_INPUT_INVALID: 'A webhook field is malformed (URL, regions, event types, secret, delivery ids).',
  WEBHOOK_TARGET_FORBIDDEN:
    'The webhook URL resolves to an address the hub may not call (loopback, private, link-local, metadata, ...), uses another scheme than http(s), or carries credentials.',
  WEBHOOK_TARGET_UNRESOLVABLE: 'The host of the webhook URL does not resolve.',
  WEBHOOK_LIMIT_REACHED: 'The hub holds as many webhooks as configured (webhooks.maxWebhooks).',
  PUSH_SUBSCRIPTION_INVALID:
    'The push subscription is malformed (endpoint, keys.p256dh, keys.auth) or names unknown regions.',
  PUSH_ENDPOINT_REFUSED:
    'The push endpoint is not an https URL on a public address (webPush.allowInsecureEndpoints allows others).',
  PUSH_SUBSCRIPTION_NOT_FOUND: 'No push subscription with this endpoint.',
  PUSH_SUBSCRIPTIONS_FULL:
    'The hub holds as many push subscriptions as configured (webPush.maxSubscriptions).',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One detail of an error: a CAP finding, or a field and what is wrong with it. */
export interface ErrorDetail {
  code?: string;
  path?: string;
  message: string;
  severity?: 'error' | 'warning';
  line?: number;
  column?: number;
}

export class TocsinError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message: string = ERROR_CODES[code], details: ErrorDetail[] = []) {
    super(message);
    this.name = 'TocsinError';
    this.code = code;
    this.details = details;
  }
}

export function isTocsinError(error: unknown): error is TocsinError {
  return error instanceof TocsinError;
}
