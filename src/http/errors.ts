// The one place where error codes become HTTP statuses. Domain errors come from the closed
// catalogue in src/alerts/errors.ts; the few HTTP-level codes (media type, body size, request
// shape) are listed here. Clients get `{ error: { code, message, details } }` and never a stack
// trace; server errors are logged with the request's context and answered with a reference.
import type { FastifyBaseLogger, FastifyError } from 'fastify';
import { type ErrorCode, type ErrorDetail, isTocsinError } from '../alerts/errors.ts';

/** Every domain code's HTTP status. A new domain code fails the typecheck until it is mapped. */
export const DOMAIN_STATUS = {
  CAP_INVALID: 422,
  ALERT_INPUT_INVALID: 400,
  ALERT_UNKNOWN_EVENT: 422,
  ALERT_UNKNOWN_REGION: 422,
  ALERT_NOT_FOUND: 404,
  ALERT_ALREADY_ENDED: 409,
  ALERT_NOT_CURRENT: 409,
  ALERT_NOT_PENDING: 409,
  ALERT_NEEDS_APPROVAL: 403,
  ALERT_SELF_APPROVAL: 403,
  ALERT_DUPLICATE_IDENTIFIER: 409,
  ALERT_CONFLICT: 409,
  // draft-ietf-httpapi-idempotency-key-header §2.7: a key reused with another payload is 422.
  IDEMPOTENCY_CONFLICT: 422,
  REGION_NOT_FOUND: 404,
  QUERY_INVALID: 400,
  AUTH_FORBIDDEN: 403,
  AUTH_REQUIRED: 401,
  AUTH_INVALID_CREDENTIALS: 401,
  AUTH_TOKEN_INVALID: 401,
  AUTH_LOCKED: 429,
  AUTH_RATE_LIMITED: 429,
  AUTH_CSRF: 403,
  AUTH_ORIGIN_FORBIDDEN: 403,
  AUTH_PASSWORD_CHANGE_REQUIRED: 403,
  AUTH_PASSWORD_WEAK: 422,
  IDENTITY_INPUT_INVALID: 400,
  OPERATOR_NOT_FOUND: 404,
  OPERATOR_NAME_TAKEN: 409,
  TOKEN_NOT_FOUND: 404,
  TEMPLATE_NOT_FOUND: 404,
  TEMPLATE_INPUT_INVALID: 400,
  TEMPLATE_CONFLICT: 409,
  TEMPLATE_NOT_APPROVED: 409,
  TEMPLATE_SELF_APPROVAL: 403,
  TEMPLATE_ALREADY_APPROVED: 409,
  TEMPLATE_CONFIRMATION_REQUIRED: 400,
  WEBHOOK_NOT_FOUND: 404,
  WEBHOOK_INPUT_INVALID: 400,
  WEBHOOK_TARGET_FORBIDDEN: 422,
  WEBHOOK_TARGET_UNRESOLVABLE: 422,
  WEBHOOK_LIMIT_REACHED: 409,
  PUSH_SUBSCRIPTION_INVALID: 400,
  PUSH_ENDPOINT_REFUSED: 422,
  PUSH_SUBSCRIPTION_NOT_FOUND: 404,
  PUSH_SUBSCRIPTIONS_FULL: 503,
} as const satisfies Record<ErrorCode, number>;

/** Codes raised by the HTTP layer itself. */
export const HTTP_ERROR_CODES = {
  REQUEST_INVALID: 'The request does not match the endpoint schema; details name each field.',
  REQUEST_MALFORMED: 'The request body is not well-formed JSON, or nests too deeply.',
  URL_INVALID: 'The URL is malformed, or a path segment is too long.',
  UNSUPPORTED_MEDIA_TYPE: 'The Content-Type is not accepted here.',
  BODY_TOO_LARGE: 'The request body is larger than the configured limit.',
  NOT_FOUND: 'No such endpoint.',
  UNAVAILABLE: 'The hub is shutting down or its store is unreachable.',
  INTERNAL: 'Internal error; the server logged it with the request id.',
} as const;

export type HttpErrorCode = keyof typeof HTTP_ERROR_CODES;

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

export function errorBody(
  code: ErrorCode | HttpErrorCode,
  message: string,
  details: ErrorDetail[] = [],
): ErrorBody {
  return { error: { code, message, details } };
}

interface AjvLikeError {
  instancePath?: string;
  message?: string;
  keyword?: string;
  params?: Record<string, unknown>;
}

function validationDetails(error: FastifyError): ErrorDetail[] {
  const context = (error as FastifyError & { validationContext?: string }).validationContext ?? 'request';
  return ((error.validation ?? []) as AjvLikeError[]).map((v) => {
    let path = `${context}${v.instancePath ?? ''}`;
    const extra = v.params?.additionalProperty;
    if (v.keyword === 'additionalProperties' && typeof extra === 'string') path += `/${extra}`;
    if (v.keyword === 'required' && typeof v.params?.missingProperty === 'string')
      path += `/${v.params.missingProperty}`;
    return { path, message: v.message ?? 'invalid' };
  });
}

/** Maps anything thrown while handling a request to a status and a client-safe body. */
export function toHttpError(
  error: unknown,
  requestId: string,
): { status: number; body: ErrorBody; internal: boolean } {
  if (isTocsinError(error)) {
    return {
      status: DOMAIN_STATUS[error.code],
      body: errorBody(error.code, error.message, error.details),
      internal: false,
    };
  }
  const fastifyError = error as Partial<FastifyError>;
  if (fastifyError.validation) {
    const details = validationDetails(error as FastifyError);
    return {
      status: 400,
      body: errorBody('REQUEST_INVALID', HTTP_ERROR_CODES.REQUEST_INVALID, details),
      internal: false,
    };
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: errorBody(
          'UNSUPPORTED_MEDIA_TYPE',
          'Send application/json (short form or CAP JSON), or application/cap+xml / application/xml (CAP XML).',
        ),
        internal: false,
      };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: errorBody('BODY_TOO_LARGE', HTTP_ERROR_CODES.BODY_TOO_LARGE),
        internal: false,
      };
    case 'FST_ERR_BAD_URL':
      return {
        status: 400,
        body: errorBody('URL_INVALID', 'The URL is not valid (malformed percent-encoding).'),
        internal: false,
      };
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return {
        status: 414,
        body: errorBody('URL_INVALID', 'A path segment of the URL is too long.'),
        internal: false,
      };
    case 'JSON_TOO_DEEP':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return {
        status: 400,
        body: errorBody('REQUEST_MALFORMED', fastifyError.message ?? HTTP_ERROR_CODES.REQUEST_MALFORMED),
        internal: false,
      };
  }
  // Fastify's JSON parser raises a SyntaxError tagged with a 400 status for malformed JSON.
  if (error instanceof SyntaxError && fastifyError.statusCode === 400) {
    return {
      status: 400,
      body: errorBody('REQUEST_MALFORMED', `Malformed JSON: ${error.message}`),
      internal: false,
    };
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return {
      status,
      body: errorBody('REQUEST_INVALID', fastifyError.message ?? HTTP_ERROR_CODES.REQUEST_INVALID),
      internal: false,
    };
  }
  return {
    status: 500,
    body: errorBody('INTERNAL', `Internal error (request ${requestId}); the server logged it.`),
    internal: true,
  };
}

/** Logs a server error with its context: the request, never the client's body. */
export function logInternal(log: FastifyBaseLogger, error: unknown, context: Record<string, unknown>): void {
  log.error({ err: error, ...context }, 'request failed');
}
