// SQLite queries of the ingest store (sources' poll state, messages seen).
import type Database from 'better-sqlite3';
import type { IngestOutcome, IngestRecord, IngestSourceRecord, IngestStore } from '../ingest-store.ts';

type Row = Record<string, unknown>;

function sourceFromRow(row: Row): IngestSourceRecord {
  return {
    name: row.name as string,
    url: row.url as string,
    etag: (row.etag as string | null) ?? null,
    lastModified: (row.last_modified as string | null) ?? null,
    lastPollMs: (row.last_poll_ms as number | null) ?? null,
    lastStatus: (row.last_status as number | null) ?? null,
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
    seenMs: row.seen_ms as number,
  };
}

export function createSqliteIngestStore(db: Database.Database): IngestStore {
  const q = {
    getSource: db.prepare('SELECT * FROM ingest_sources WHERE name = ?'),
    saveSource:
      db.prepare(`INSERT INTO ingest_sources (name, url, etag, last_modified, last_poll_ms, last_status, last_error)
      VALUES (@name, @url, @etag, @lastModified, @lastPollMs, @lastStatus, @lastError)
      ON CONFLICT (name) DO UPDATE SET url = excluded.url, etag = excluded.etag, last_modified = excluded.last_modified,
      last_poll_ms = excluded.last_poll_ms, last_status = excluded.last_status, last_error = excluded.last_error`),
    seen: db.prepare(
      'SELECT * FROM ingest_messages WHERE source = ? AND sender = ? AND identifier = ? AND sent = ?',
    ),
    record:
      db.prepare(`INSERT INTO ingest_messages (source, sender, identifier, sent, outcome, alert_id, code, message, seen_ms)
      VALUES (@source, @sender, @identifier, @sent, @outcome, @alertId, @code, @message, @seenMs)
      ON CONFLICT (source, sender, identifier, sent) DO NOTHING`),
    byAlert: db.prepare('SELECT * FROM ingest_messages WHERE alert_id = ? ORDER BY seen_ms LIMIT 1'),
    list: db.prepare(
      'SELECT * FROM ingest_messages WHERE source = ? ORDER BY seen_ms DESC, rowid DESC LIMIT ?',
    ),
  };
  return {
    async getSource(name) {
      const row = q.getSource.get(name) as Row | undefined;
      return row ? sourceFromRow(row) : undefined;
    },
    async saveSource(record) {
      q.saveSource.run(record);
    },
    async seen(source, sender, identifier, sent) {
      const row = q.seen.get(source, sender, identifier, sent) as Row | undefined;
      return row ? recordFromRow(row) : undefined;
    },
    async record(record) {
      q.record.run(record);
    },
    async sourceOfAlert(alertId) {
      const row = q.byAlert.get(alertId) as Row | undefined;
      return row ? recordFromRow(row) : undefined;
    },
    async list(source, limit) {
      return (q.list.all(source, limit) as Row[]).map(recordFromRow);
    },
  };
}
