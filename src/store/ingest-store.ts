// What CAP ingest keeps (src/ingest/): per upstream source its conditional-GET validators and
// last outcome, and per message it saw (sender, identifier, sent) what became of it, so a message
// is judged once and the source of every ingested alert stays on record. Engines: sqlite/ingest.ts,
// postgres/ingest.ts. Migration 6.

/** The poll state of one configured source. */
export interface IngestSourceRecord {
  name: string;
  url: string;
  /** Validators of the last 200 response (RFC 9110 §8.8), sent back as If-None-Match / If-Modified-Since. */
  etag: string | null;
  lastModified: string | null;
  lastPollMs: number | null;
  /** HTTP status of the last poll, 0 when the request failed before a response. */
  lastStatus: number | null;
  /** Stable code of the last failure (`INGEST_FEED_INVALID`, ...), null after a good poll. */
  lastError: string | null;
}

export const INGEST_OUTCOMES = ['issued', 'pending', 'refused', 'invalid', 'duplicate'] as const;
export type IngestOutcome = (typeof INGEST_OUTCOMES)[number];

/** One upstream CAP message as seen from one source, and what the hub did with it. */
export interface IngestRecord {
  source: string;
  sender: string;
  identifier: string;
  sent: string;
  outcome: IngestOutcome;
  /** The local alert it became (issued / pending), else null. */
  alertId: string | null;
  /** Error code of a refusal (AUTH_OUT_OF_JURISDICTION, CAP_INVALID, ...), else null. */
  code: string | null;
  message: string | null;
  seenMs: number;
}

export interface IngestStore {
  getSource(name: string): Promise<IngestSourceRecord | undefined>;
  saveSource(record: IngestSourceRecord): Promise<void>;
  /** The record of a message from a source, if it was judged before. */
  seen(source: string, sender: string, identifier: string, sent: string): Promise<IngestRecord | undefined>;
  /** Records a judgement; a second record of the same message from the same source is ignored. */
  record(record: IngestRecord): Promise<void>;
  /** Which source an ingested alert came from (provenance), if any. */
  sourceOfAlert(alertId: string): Promise<IngestRecord | undefined>;
  /** A source's records, newest first. */
  list(source: string, limit: number): Promise<IngestRecord[]>;
}
