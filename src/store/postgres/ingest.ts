// PostgreSQL queries of the ingest store (sources' poll state, messages seen).
import type pg from 'pg';
import type { IngestOutcome, IngestRecord, IngestSourceRecord, IngestStore } from '../ingest-store.ts';

type Row = Record<string, unknown>;

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

function sourceFromRow(row: Row): IngestSourceRecord {
  return {
    name: row.name as string,
    url: row.url as string,
    etag: (row.etag as string | null) ?? null,
    lastModified: (row.last_modified as string | null) ?? null,
    lastPollMs: num(row.last_poll_ms),
    lastStatus: num(row.last_status),
    lastError: (row.last_error as string | null) ?? null,
  };
}

function recordFromRow(row: Row): IngestRecord {
  return {
    source: row.source as string,
    sender: row.sender as string,
    identifier: row.identifier as string,
    sent: row.sent as string,
    outcome: row.outcome as IngestOutcome,
    alertId: (row.alert_id as string | null) ?? null,
    code: (row.code as string | null) ?? null,
    message: (row.message as string | null) ?? null,
    seenMs: Number(row.seen_ms),
  };
}

const SQL = {
  getSource: 'SELECT * FROM ingest_sources WHERE name = $1',
  saveSource: `INSERT INTO ingest_sources (name, url, etag, last_modified, last_poll_ms, last_status, last_error)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (name) DO UPDATE SET url = EXCLUDED.url, etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,
    last_poll_ms = EXCLUDED.last_poll_ms, last_status = EXCLUDED.last_status, last_error = EXCLUDED.last_error`,
  seen: 'SELECT * FROM ingest_messages WHERE source = $1 AND sender = $2 AND identifier = $3 AND sent = $4',
  record: `INSERT INTO ingest_messages (source, sender, identifier, sent, outcome, alert_id, code, message, seen_ms)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (source, sender, identifier, sent) DO NOTHING`,
  byAlert: 'SELECT * FROM ingest_messages WHERE alert_id = $1 ORDER BY seen_ms LIMIT 1',
  list: 'SELECT * FROM ingest_messages WHERE source = $1 ORDER BY seen_ms DESC, id DESC LIMIT $2',
} as const;

export function createPostgresIngestStore(pool: pg.Pool): IngestStore {
  const rows = async (text: string, values: unknown[]): Promise<Row[]> =>
    (await pool.query(text, values)).rows as Row[];
  return {
    async getSource(name) {
      const [row] = await rows(SQL.getSource, [name]);
      return row ? sourceFromRow(row) : undefined;
    },
    async saveSource(r) {
      await pool.query(SQL.saveSource, [
        r.name,
        r.url,
        r.etag,
        r.lastModified,
        r.lastPollMs,
        r.lastStatus,
        r.lastError,
      ]);
    },
    async seen(source, sender, identifier, sent) {
      const [row] = await rows(SQL.seen, [source, sender, identifier, sent]);
      return row ? recordFromRow(row) : undefined;
    },
    async record(r) {
      await pool.query(SQL.record, [
        r.source,
        r.sender,
        r.identifier,
        r.sent,
        r.outcome,
        r.alertId,
        r.code,
        r.message,
        r.seenMs,
      ]);
    },
    async sourceOfAlert(alertId) {
      const [row] = await rows(SQL.byAlert, [alertId]);
      return row ? recordFromRow(row) : undefined;
    },
    async list(source, limit) {
      return (await rows(SQL.list, [source, limit])).map(recordFromRow);
    },
  };
}
