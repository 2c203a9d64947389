// Numbered SQLite migrations, applied in order at open (sqlite-store.ts). Never edit a shipped
// migration: add the next number.
import type { Migration } from '../store.ts';

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'alerts, incidents, event log, idempotency, schedule, regions',
    sql: `
CREATE TABLE alerts (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL,
  state TEXT NOT NULL,
  event_type TEXT NOT NULL,
  status TEXT NOT NULL,
  msg_type TEXT NOT NULL,
  sent TEXT NOT NULL,
  sent_ms INTEGER NOT NULL,
  expires_ms INTEGER,
  author_id TEXT NOT NULL,
  approver_id TEXT,
  cap_json TEXT NOT NULL,
  xml TEXT NOT NULL,
  created_seq INTEGER NOT NULL UNIQUE,
  updated_seq INTEGER NOT NULL
) STRICT;
CREATE INDEX alerts_incident ON alerts (incident_id);
CREATE INDEX alerts_state ON alerts (state, created_seq);

CREATE TABLE alert_regions (
  alert_id TEXT NOT NULL REFERENCES alerts (id),
  region_code TEXT NOT NULL,
  coverage REAL NOT NULL,
  whole INTEGER NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (alert_id, region_code)
) STRICT;
CREATE INDEX alert_regions_region ON alert_regions (region_code, alert_id);

CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  event_type TEXT NOT NULL,
  status TEXT NOT NULL,
  current_alert_id TEXT NOT NULL,
  regions_json TEXT NOT NULL,
  since TEXT NOT NULL,
  started_ms INTEGER NOT NULL,
  ended_ms INTEGER,
  end_reason TEXT
) STRICT;
CREATE INDEX incidents_active ON incidents (ended_ms, started_ms);

CREATE TABLE events (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  regions_json TEXT NOT NULL,
  json TEXT NOT NULL
) STRICT;

CREATE TABLE idempotency (
  actor_id TEXT NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  alert_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  PRIMARY KEY (actor_id, key)
) STRICT;

CREATE TABLE schedule (
  alert_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  due_ms INTEGER NOT NULL,
  PRIMARY KEY (alert_id, kind)
) STRICT;
CREATE INDEX schedule_due ON schedule (due_ms);

CREATE TABLE regions (
  code TEXT PRIMARY KEY,
  parent TEXT,
  level TEXT NOT NULL,
  record_json TEXT NOT NULL
) STRICT;
CREATE INDEX regions_level ON regions (level);
`,
  },
  {
    version: 2,
    name: 'identity: operators, tokens, sessions, login attempts',
    sql: `
CREATE TABLE operators (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  roles_json TEXT NOT NULL,
  jurisdiction_json TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL,
  disabled INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  operator_id TEXT,
  roles_json TEXT NOT NULL,
  jurisdiction_json TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER,
  revoked_ms INTEGER
) STRICT;

CREATE TABLE sessions (
  hash TEXT PRIMARY KEY,
  operator_id TEXT NOT NULL,
  csrf_hash TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  last_seen_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_operator ON sessions (operator_id);

CREATE TABLE login_attempts (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  first_failure_ms INTEGER NOT NULL,
  locked_until_ms INTEGER NOT NULL
) STRICT;
`,
  },
  {
    version: 3,
    name: 'audit log (hash chain) and pre-approved templates',
    sql: `
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target_id TEXT,
  record_json TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_target ON audit_log (target_id, seq);
-- Append-only: the hub never changes or removes a record (the chain would show it anyway).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE audit_head (
  only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
) STRICT;
INSERT INTO audit_head (only_row, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE templates (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  event_type TEXT NOT NULL,
  regions_json TEXT NOT NULL,
  body_json TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL,
  approvals_json TEXT NOT NULL
) STRICT;
`,
  },
  {
    version: 4,
    name: 'webhooks, webhook deliveries (queue and log), channel cursors',
    sql: `
CREATE TABLE webhooks (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  regions_json TEXT NOT NULL,
  event_types_json TEXT NOT NULL,
  secret TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  after_seq INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id TEXT NOT NULL,
  event_seq INTEGER NOT NULL,
  event_id TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL,
  lease_until_ms INTEGER NOT NULL DEFAULT 0,
  last_attempt_ms INTEGER,
  last_status INTEGER,
  last_error TEXT,
  duration_ms INTEGER,
  delivered_ms INTEGER,
  UNIQUE (webhook_id, event_seq)
) STRICT;
-- The head of each webhook's queue: the pending delivery of lowest seq.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, event_seq) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id);
-- Due deliveries, earliest first (the dispatcher's walk).
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_ms, id) WHERE state = 'pending';

CREATE TABLE channel_cursors (
  channel TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) STRICT;
`,
  },
  {
    version: 5,
    name: 'web push subscriptions, VAPID key pair',
    sql: `
CREATE TABLE push_subscriptions (
  endpoint TEXT PRIMARY KEY,
  p256dh TEXT NOT NULL,
  auth TEXT NOT NULL,
  regions_json TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
) STRICT;

-- One row: the hub's VAPID key pair (RFC 8292), generated on first start.
CREATE TABLE push_vapid_keys (
  only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
  public_key TEXT NOT NULL,
  private_key TEXT NOT NULL,
  created_ms INTEGER NOT NULL
) STRICT;
`,
  },
  {
    version: 6,
    name: 'CAP ingest: sources and the messages seen',
    sql: `
-- Per configured upstream source: conditional-GET validators and the last poll's outcome.
CREATE TABLE ingest_sources (
  name TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  etag TEXT,
  last_modified TEXT,
  last_poll_ms INTEGER,
  last_status INTEGER,
  last_error TEXT
) STRICT;

-- Every upstream message judged, once per source: the de-duplication key and the provenance of
-- the alert it became (or why it was refused).
CREATE TABLE ingest_messages (
  source TEXT NOT NULL,
  sender TEXT NOT NULL,
  identifier TEXT NOT NULL,
  sent TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('issued', 'pending', 'refused', 'invalid', 'duplicate')),
  alert_id TEXT,
  code TEXT,
  message TEXT,
  seen_ms INTEGER NOT NULL,
  PRIMARY KEY (source, sender, identifier, sent)
) STRICT;
CREATE INDEX ingest_messages_alert ON ingest_messages (alert_id) WHERE alert_id IS NOT NULL;
CREATE INDEX ingest_messages_recent ON ingest_messages (source, seen_ms);
`,
  },
  {
    version: 7,
    name: 'web push retries',
    sql: `
-- Web Push sends waiting for another attempt (the push service answered 429, 5xx or not at all),
-- kept until the attempt is made or the message's TTL ends; removing the subscription removes them.
CREATE TABLE push_retries (
  id INTEGER PRIMARY KEY,
  endpoint TEXT NOT NULL,
  payload TEXT NOT NULL,
  urgency TEXT NOT NULL CHECK (urgency IN ('very-low', 'low', 'normal', 'high')),
  attempt INTEGER NOT NULL,
  due_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL
) STRICT;
-- Due retries, earliest first (the channel's timer).
CREATE INDEX push_retries_due ON push_retries (due_ms, id);
CREATE INDEX push_retries_endpoint ON push_retries (endpoint);
`,
  },
];
