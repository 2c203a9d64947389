// The PostgreSQL engine's SQL, named. Parameters are positional ($1...). Alerts are read with
// their region links aggregated in the same statement, so a read is one round trip.

/** Columns of an alert row plus its regions as a JSON array, in link order. */
const ALERT_COLUMNS = `a.*, (
  SELECT coalesce(json_agg(json_build_object('code', r.region_code, 'coverage', r.coverage, 'whole', r.whole)
    ORDER BY r.position), '[]'::json)
  FROM alert_regions r WHERE r.alert_id = a.id) AS regions`;

export const SQL = {
  // --- commitAlertChange, in the order of one transaction ---
  /** Locks the alerts a change expects (sorted, so concurrent commits lock in the same order). */
  lockAlertStates: 'SELECT id, state FROM alerts WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
  idempotencyExists: 'SELECT 1 FROM idempotency WHERE actor_id = $1 AND key = $2',
  /** The alert and its region links in one round trip (the links' foreign key is checked at statement end). */
  insertAlert: `WITH alert AS (
      INSERT INTO alerts (id, incident_id, state, event_type, status, msg_type, sent, sent_ms,
        expires_ms, author_id, approver_id, cap_json, xml)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
      RETURNING id
    )
    INSERT INTO alert_regions (alert_id, region_code, coverage, whole, position)
    SELECT alert.id, code, coverage, whole, position - 1
    FROM alert, unnest($14::text[], $15::float8[], $16::boolean[]) WITH ORDINALITY AS t(code, coverage, whole, position)`,
  setAlertState: 'UPDATE alerts SET state = $2, approver_id = coalesce($3, approver_id) WHERE id = $1',
  upsertIncident: `INSERT INTO incidents (id, event_type, status, current_alert_id, regions_json, since, started_ms, ended_ms, end_reason)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
    ON CONFLICT (id) DO UPDATE SET current_alert_id = excluded.current_alert_id, regions_json = excluded.regions_json,
      ended_ms = excluded.ended_ms, end_reason = excluded.end_reason`,
  scheduleRemove: 'DELETE FROM schedule WHERE alert_id = ANY($1::text[])',
  scheduleAdd: `INSERT INTO schedule (alert_id, kind, due_ms) VALUES ($1, $2, $3)
    ON CONFLICT (alert_id, kind) DO UPDATE SET due_ms = excluded.due_ms`,
  idempotencyInsert: `INSERT INTO idempotency (actor_id, key, request_hash, alert_id, outcome, created_ms)
    VALUES ($1, $2, $3, $4, $5, $6)`,
  /** Takes the counter's row lock until commit: the last statements of the transaction follow. */
  nextSeq: 'UPDATE event_seq SET seq = seq + 1 RETURNING seq',
  /** Stamps the alerts this change touched with its seq and appends the event, in one round trip. */
  stampSeqAndInsertEvent: `WITH stamped AS (
      UPDATE alerts SET created_seq = coalesce(created_seq, $1), updated_seq = $1 WHERE id = ANY($7::text[])
    )
    INSERT INTO events (seq, id, type, time_ms, regions_json, json) VALUES ($1, $2, $3, $4, $5, $6)`,

  // --- reads ---
  alertById: `SELECT ${ALERT_COLUMNS} FROM alerts a WHERE a.id = $1`,
  incidentById: 'SELECT * FROM incidents WHERE id = $1',
  activeIncidents: 'SELECT * FROM incidents WHERE ended_ms IS NULL ORDER BY started_ms, id',
  incidentsOverlapping: `SELECT * FROM incidents WHERE started_ms < $2 AND (ended_ms IS NULL OR ended_ms > $1)
    AND ($3::text IS NULL OR event_type = $3) ORDER BY started_ms, id`,
  idempotencyGet: 'SELECT * FROM idempotency WHERE actor_id = $1 AND key = $2',
  scheduleDue:
    'SELECT alert_id, kind, due_ms FROM schedule WHERE due_ms <= $1 ORDER BY due_ms, alert_id LIMIT $2',
  scheduleNext: 'SELECT alert_id, kind, due_ms FROM schedule ORDER BY due_ms, alert_id LIMIT 1',
  readEvents: 'SELECT * FROM events WHERE seq > $1 ORDER BY seq LIMIT $2',
  latestSeq: 'SELECT coalesce(max(seq), 0) AS seq FROM events',
  oldestSeq: 'SELECT min(seq) AS seq FROM events',

  // --- regions ---
  regions: 'SELECT record_json FROM regions ORDER BY code',
  deleteRegionLevel: 'DELETE FROM regions WHERE level = $1',
  insertRegions: `INSERT INTO regions (code, parent, level, record_json)
    SELECT code, parent, $1, record FROM unnest($2::text[], $3::text[], $4::text[]) AS t(code, parent, record)
    ON CONFLICT (code) DO UPDATE SET parent = excluded.parent, level = excluded.level, record_json = excluded.record_json`,

  ping: 'SELECT 1',
} as const;

/** The history query: newest first by createdSeq, which is unique and never reused. */
export function alertListSql(query: {
  regions?: string[];
  eventType?: string;
  fromMs?: number;
  toMs?: number;
  active?: boolean;
  states?: string[];
  beforeSeq?: number;
  limit: number;
}): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const param = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const where = [`a.state = ANY(${param(query.states ?? ['issued', 'superseded', 'ended'])}::text[])`];
  if (query.regions !== undefined) {
    where.push(
      `a.id IN (SELECT alert_id FROM alert_regions WHERE region_code = ANY(${param(query.regions)}::text[]))`,
    );
  }
  if (query.eventType !== undefined) where.push(`a.event_type = ${param(query.eventType)}`);
  if (query.fromMs !== undefined) where.push(`a.sent_ms >= ${param(query.fromMs)}`);
  if (query.toMs !== undefined) where.push(`a.sent_ms < ${param(query.toMs)}`);
  if (query.active === true) where.push("a.state = 'issued'");
  if (query.active === false) where.push("a.state <> 'issued'");
  if (query.beforeSeq !== undefined) where.push(`a.created_seq < ${param(query.beforeSeq)}`);
  const text = `SELECT ${ALERT_COLUMNS} FROM alerts a WHERE ${where.join(' AND ')}
    ORDER BY a.created_seq DESC LIMIT ${param(query.limit)}`;
  return { text, values };
}
