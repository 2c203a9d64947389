// The stream's refusals: stable codes, the HTTP status each maps to, and the documented error
// body (DESIGN.md: `{ "error": { "code", "message", "details" } }`). They are answered before
// any upgrade, so WebSocket and SSE clients see the same refusal.

export const STREAM_ERRORS = {
  STREAM_BAD_QUERY: 400,
  STREAM_UNKNOWN_REGION: 400,
  STREAM_TOO_MANY_REGIONS: 400,
  STREAM_NO_REGION_AT_POINT: 400,
  STREAM_BAD_SINCE: 400,
  STREAM_NOT_ACCEPTABLE: 406,
  STREAM_QUERY_TOO_LONG: 414,
  STREAM_LIMIT_PER_IP: 429,
  STREAM_LIMIT_TOTAL: 503,
  STREAM_UNAVAILABLE: 503,
} as const;

export type StreamErrorCode = keyof typeof STREAM_ERRORS;

export interface ErrorDetail {
  /** Where the problem is: `query.regions`, `header.last-event-id`, ... */
  path: string;
  message: string;
}

export class StreamError extends Error {
  readonly code: StreamErrorCode;
  readonly details: ErrorDetail[];

  constructor(code: StreamErrorCode, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'StreamError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return STREAM_ERRORS[this.code];
  }

  body(): { error: { code: string; message: string; details: ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}
