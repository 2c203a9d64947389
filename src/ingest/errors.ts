// The closed catalogue of ingest problems: stored as a source's `lastError`, printed by
// `tocsin ingest`, logged by the poller. Problems of one message that reached the alert service
// keep the service's own codes (AUTH_FORBIDDEN, CAP_INVALID, ...), recorded per message.

export const INGEST_CODES = {
  INGEST_SOURCES_INVALID: 'The ingest sources file is missing, not JSON, or does not match its schema.',
  INGEST_FETCH_FAILED: 'The source could not be fetched (connection, timeout).',
  INGEST_HTTP_STATUS: 'The source answered with an HTTP status other than 200 or 304.',
  INGEST_TOO_LARGE: 'The document is larger than ingest.maxBytes.',
  INGEST_NOT_CAP: 'The document is neither a CAP message nor an Atom/RSS feed.',
  INGEST_FEED_INVALID: 'The feed is not well-formed or breaks a feed limit; nothing of it was issued.',
  INGEST_MESSAGE_INVALID:
    'A message is not well-formed CAP (it has no sender, identifier and sent to record it by).',
  INGEST_LINK_UNSUPPORTED:
    "A feed entry links its CAP message with a scheme other than http(s), or outside the feed's origin.",
  INGEST_FAILED:
    'Issuing failed for a reason other than the message (e.g. the store); it is retried at the next poll.',
} as const;

export type IngestCode = keyof typeof INGEST_CODES;

/** One problem met while ingesting a document, with where it was. */
export interface IngestProblem {
  code: IngestCode;
  message: string;
  /** Entry or message position in the document, or the URL fetched. */
  where?: string;
}
