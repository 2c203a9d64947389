// Numbered PostgreSQL migrations, applied in order at open (migrate.ts). Never edit a shipped
// migration: add the next number. The schema mirrors the SQLite engine's so both pass one contract.
import type { Migration } from '../store.ts';

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'alerts, incidents, event log, idempotency, schedule, regions',
    sql: `
CREATE TABLE alerts (
  id          text PRIMARY KEY,
  incident_id text NOT NULL,
  state       text NOT NULL,
  event_type  text NOT NULL,
  status      text NOT NULL,
  msg_type    text NOT NULL,
  sent        text NOT NULL,
  sent_ms     bigint NOT NULL,
  expires_ms  bigint,
  author_id   text NOT NULL,
  approver_id text,
  cap_json    text NOT NULL,
  xml         text NOT NULL,
  -- Filled with the event's seq at the end of the commit transaction (see queries.ts stampSeq),
  -- so the seq counter's row lock is held for as short a time as possible.
  created_seq bigint UNIQUE,
  updated_seq bigint
);
CREATE INDEX alerts_incident ON alerts (incident_id);
CREATE INDEX alerts_state ON alerts (state, created_seq);

CREATE TABLE alert_regions (
  alert_id    text NOT NULL REFERENCES alerts (id),
  region_code text NOT NULL,
  coverage    double precision NOT NULL,
  whole       boolean NOT NULL,
  position    integer NOT NULL,
  PRIMARY KEY (alert_id, region_code)
);
CREATE INDEX alert_regions_region ON alert_regions (region_code, alert_id);

CREATE TABLE incidents (
  id               text PRIMARY KEY,
  event_type       text NOT NULL,
  status           text NOT NULL,
  current_alert_id text NOT NULL,
  regions_json     text NOT NULL,
  since            text NOT NULL,
  started_ms       bigint NOT NULL,
  ended_ms         bigint,
  end_reason       text
);
CREATE INDEX incidents_active ON incidents (ended_ms, started_ms);

-- The event log. seq comes from event_seq below, never from a SEQUENCE: a sequence leaves a
-- gap whenever a transaction rolls back, and the log must be gap-free.
CREATE TABLE events (
  seq          bigint PRIMARY KEY,
  id           text NOT NULL UNIQUE,
  type         text NOT NULL,
  time_ms      bigint NOT NULL,
  regions_json text NOT NULL,
  json         text NOT NULL
);

-- One row. "UPDATE ... RETURNING" inside the commit transaction takes its row lock, which
-- serialises writers on every node until commit: seqs are gap-free and commit in seq order.
CREATE TABLE event_seq (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  seq      bigint NOT NULL
);
INSERT INTO event_seq (only_row, seq) VALUES (true, 0);

CREATE TABLE idempotency (
  actor_id     text NOT NULL,
  key          text NOT NULL,
  request_hash text NOT NULL,
  alert_id     text NOT NULL,
  outcome      text NOT NULL,
  created_ms   bigint NOT NULL,
  PRIMARY KEY (actor_id, key)
);

CREATE TABLE schedule (
  alert_id text NOT NULL,
  kind     text NOT NULL,
  due_ms   bigint NOT NULL,
  PRIMARY KEY (alert_id, kind)
);
CREATE INDEX schedule_due ON schedule (due_ms);

CREATE TABLE regions (
  code        text PRIMARY KEY,
  parent      text,
  level       text NOT NULL,
  record_json text NOT NULL
);
CREATE INDEX regions_level ON regions (level);
`,
  },
  {
    version: 2,
    name: 'identity: operators, tokens, sessions, login attempts',
    sql: `
CREATE TABLE operators (
  id                   text PRIMARY KEY,
  name                 text NOT NULL UNIQUE,
  roles_json           text NOT NULL,
  jurisdiction_json    text NOT NULL,
  password_hash        text NOT NULL,
  must_change_password boolean NOT NULL,
  disabled             boolean NOT NULL,
  created_ms           bigint NOT NULL,
  updated_ms           bigint NOT NULL
);

CREATE TABLE tokens (
  id                text PRIMARY KEY,
  name              text NOT NULL,
  hash              text NOT NULL UNIQUE,
  operator_id       text,
  roles_json        text NOT NULL,
  jurisdiction_json text NOT NULL,
  created_ms        bigint NOT NULL,
  expires_ms        bigint,
  revoked_ms        bigint
);

CREATE TABLE sessions (
  hash         text PRIMARY KEY,
  operator_id  text NOT NULL,
  csrf_hash    text NOT NULL,
  created_ms   bigint NOT NULL,
  last_seen_ms bigint NOT NULL,
  expires_ms   bigint NOT NULL
);
CREATE INDEX sessions_operator ON sessions (operator_id);

CREATE TABLE login_attempts (
  key              text PRIMARY KEY,
  failures         integer NOT NULL,
  first_failure_ms bigint NOT NULL,
  locked_until_ms  bigint NOT NULL
);
`,
  },
  {
    version: 3,
    name: 'audit log (hash chain) and pre-approved templates',
    sql: `
CREATE TABLE audit_log (
  seq         bigint PRIMARY KEY,
  time_ms     bigint NOT NULL,
  actor_id    text NOT NULL,
  action      text NOT NULL,
  target_id   text,
  record_json text NOT NULL,
  hash        text NOT NULL
);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_target ON audit_log (target_id, seq);
-- Append-only: the hub never changes or removes a record (the chain would show it anyway).
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- The chain head: locked by UPDATE ... RETURNING, so appends from every node form one chain.
CREATE TABLE audit_head (
  only_row boolean PRIMARY KEY CHECK (only_row),
  seq      bigint NOT NULL,
  hash     text NOT NULL
);
INSERT INTO audit_head (only_row, seq, hash) VALUES (true, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TABLE templates (
  id             text PRIMARY KEY,
  name           text NOT NULL UNIQUE,
  event_type     text NOT NULL,
  regions_json   text NOT NULL,
  body_json      text NOT NULL,
  revision       integer NOT NULL,
  created_by     text NOT NULL,
  created_ms     bigint NOT NULL,
  updated_ms     bigint NOT NULL,
  approvals_json text NOT NULL
);
`,
  },
  {
    version: 4,
    name: 'webhooks, webhook deliveries (queue and log), channel cursors',
    sql: `
CREATE TABLE webhooks (
  id               text PRIMARY KEY,
  url              text NOT NULL,
  regions_json     text NOT NULL,
  event_types_json text NOT NULL,
  secret           text NOT NULL,
  owner_id         text NOT NULL,
  after_seq        bigint NOT NULL,
  created_ms       bigint NOT NULL,
  updated_ms       bigint NOT NULL
);

CREATE TABLE webhook_deliveries (
  id              bigserial PRIMARY KEY,
  webhook_id      text NOT NULL,
  event_seq       bigint NOT NULL,
  event_id        text NOT NULL,
  state           text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0,
  created_ms      bigint NOT NULL,
  next_attempt_ms bigint NOT NULL,
  lease_until_ms  bigint NOT NULL DEFAULT 0,
  last_attempt_ms bigint,
  last_status     integer,
  last_error      text,
  duration_ms     bigint,
  delivered_ms    bigint,
  UNIQUE (webhook_id, event_seq)
);
-- The head of each webhook's queue: the pending delivery of lowest seq.
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (webhook_id, event_seq) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (webhook_id, id);
-- Due deliveries, earliest first (the dispatcher's walk).
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_ms, id) WHERE state = 'pending';

CREATE TABLE channel_cursors (
  channel    text PRIMARY KEY,
  seq        bigint NOT NULL,
  updated_ms bigint NOT NULL
);
`,
  },
  {
    version: 5,
    name: 'web push subscriptions, VAPID key pair',
    sql: `
CREATE TABLE push_subscriptions (
  endpoint     text PRIMARY KEY,
  p256dh       text NOT NULL,
  auth         text NOT NULL,
  regions_json text NOT NULL,
  created_ms   bigint NOT NULL,
  updated_ms   bigint NOT NULL
);

-- One row: the hub's VAPID key pair (RFC 8292), generated on first start by whichever node is first.
CREATE TABLE push_vapid_keys (
  only_row    boolean PRIMARY KEY CHECK (only_row),
  public_key  text NOT NULL,
  private_key text NOT NULL,
  created_ms  bigint NOT NULL
);
`,
  },
  {
    version: 6,
    name: 'CAP ingest: sources and the messages seen',
    sql: `
-- Per configured upstream source: conditional-GET validators and the last poll's outcome.
CREATE TABLE ingest_sources (
  name          text PRIMARY KEY,
  url           text NOT NULL,
  etag          text,
  last_modified text,
  last_poll_ms  bigint,
  last_status   integer,
  last_error    text
);

-- Every upstream message judged, once per source: the de-duplication key and the provenance of
-- the alert it became (or why it was refused).
CREATE TABLE ingest_messages (
  id         bigserial UNIQUE,
  source     text NOT NULL,
  sender     text NOT NULL,
  identifier text NOT NULL,
  sent       text NOT NULL,
  outcome    text NOT NULL CHECK (outcome IN ('issued', 'pending', 'refused', 'invalid', 'duplicate')),
  alert_id   text,
  code       text,
  message    text,
  seen_ms    bigint NOT NULL,
  PRIMARY KEY (source, sender, identifier, sent)
);
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
  id         bigserial PRIMARY KEY,
  endpoint   text NOT NULL,
  payload    text NOT NULL,
  urgency    text NOT NULL CHECK (urgency IN ('very-low', 'low', 'normal', 'high')),
  attempt    integer NOT NULL,
  due_ms     bigint NOT NULL,
  expires_ms bigint NOT NULL,
  created_ms bigint NOT NULL
);
-- Due retries, earliest first (the channel's timer).
CREATE INDEX push_retries_due ON push_retries (due_ms, id);
CREATE INDEX push_retries_endpoint ON push_retries (endpoint);
`,
  },
];
