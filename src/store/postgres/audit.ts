// PostgreSQL queries of the audit log and templates (migration 3). The chain head row is locked
// by UPDATE ... RETURNING, so appends from every node and connection form one chain.
// `appendWithClient` runs inside the lifecycle commit's transaction: after the event_seq lock,
// always in that order, so the two locks never wait on each other in a cycle.
import type pg from 'pg';
import { sealAudit } from '../../audit/chain.ts';
import { auditRowOf, templateOf } from '../audit-rows.ts';
import {
  type AuditEntry,
  type AuditQuery,
  type AuditRecord,
  type AuditStore,
  TemplateConflictError,
  type TemplateRecord,
} from '../audit-store.ts';

const UNIQUE_VIOLATION = '23505';

const SQL = {
  lockHead: 'UPDATE audit_head SET seq = seq + 1 WHERE only_row RETURNING seq, hash',
  setHeadHash: 'UPDATE audit_head SET hash = $1 WHERE only_row',
  head: 'SELECT seq, hash FROM audit_head WHERE only_row',
  insert:
    'INSERT INTO audit_log (seq, time_ms, actor_id, action, target_id, record_json, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)',
  rows: 'SELECT * FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2',
  template: 'SELECT * FROM templates WHERE id = $1',
  templates: 'SELECT * FROM templates ORDER BY name, id',
  templateRevision: 'SELECT revision FROM templates WHERE id = $1 FOR UPDATE',
  insertTemplate: `INSERT INTO templates (id, name, event_type, regions_json, body_json, revision, created_by,
    created_ms, updated_ms, approvals_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
  updateTemplate: `UPDATE templates SET name = $2, event_type = $3, regions_json = $4, body_json = $5, revision = $6,
    updated_ms = $9, approvals_json = $10 WHERE id = $1 AND created_by = $7 AND created_ms = $8`,
} as const;

/** Appends one record inside the caller's transaction. */
export async function appendWithClient(client: pg.ClientBase, entry: AuditEntry): Promise<AuditRecord> {
  const { rows } = await client.query<{ seq: number; hash: string }>(SQL.lockHead);
  const head = rows[0];
  if (!head) throw new Error('audit_head has no row: the schema is damaged');
  const { record, json } = sealAudit(entry, Number(head.seq), head.hash);
  await client.query(SQL.insert, [
    record.seq,
    record.timeMs,
    record.actor.id,
    record.action,
    record.target?.id ?? null,
    json,
    record.hash,
  ]);
  await client.query(SQL.setHeadHash, [record.hash]);
  return record;
}

async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    try {
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    }
  } finally {
    client.release(broken);
  }
}

export function createPostgresAuditStore(pool: pg.Pool): AuditStore {
  return {
    append: (entry) => transaction(pool, (client) => appendWithClient(client, entry)),
    async list(query) {
      const { text, values } = auditListSql(query);
      const { rows } = await pool.query<{ record_json: string; hash: string }>(text, values);
      return rows.map((r) => ({ ...(JSON.parse(r.record_json) as AuditRecord), hash: r.hash }));
    },
    async readRows(afterSeq, limit) {
      const { rows } = await pool.query(SQL.rows, [afterSeq, limit]);
      return (rows as Record<string, unknown>[]).map(auditRowOf);
    },
    async head() {
      const { rows } = await pool.query<{ seq: string | number; hash: string }>(SQL.head);
      const row = rows[0];
      if (!row) throw new Error('audit_head has no row: the schema is damaged');
      return { seq: Number(row.seq), hash: row.hash };
    },
    async getTemplate(id) {
      const { rows } = await pool.query(SQL.template, [id]);
      const row = rows[0] as Record<string, unknown> | undefined;
      return row ? templateOf(row) : undefined;
    },
    async listTemplates() {
      const { rows } = await pool.query(SQL.templates);
      return (rows as Record<string, unknown>[]).map(templateOf);
    },
    async saveTemplate(t: TemplateRecord, expectRevision, audit) {
      try {
        return await transaction(pool, async (client) => {
          const { rows } = await client.query<{ revision: number }>(SQL.templateRevision, [t.id]);
          const stored = rows[0]?.revision;
          if (expectRevision === null ? stored !== undefined : stored !== expectRevision)
            throw new TemplateConflictError('revision', `template ${t.id} changed meanwhile`);
          const values = [
            t.id,
            t.name,
            t.eventType,
            JSON.stringify(t.regions),
            JSON.stringify(t.body),
            t.revision,
            t.createdBy,
            t.createdMs,
            t.updatedMs,
            JSON.stringify(t.approvals),
          ];
          await client.query(expectRevision === null ? SQL.insertTemplate : SQL.updateTemplate, values);
          return appendWithClient(client, audit);
        });
      } catch (error) {
        const e = error as { code?: string; constraint?: string };
        if (e.code === UNIQUE_VIOLATION && e.constraint === 'templates_name_key')
          throw new TemplateConflictError('name', `a template named ${JSON.stringify(t.name)} exists`);
        if (e.code === UNIQUE_VIOLATION && e.constraint === 'templates_pkey')
          throw new TemplateConflictError('revision', `template ${t.id} exists`);
        throw error;
      }
    },
  };
}

function auditListSql(query: AuditQuery): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (column: string, op: string, value: unknown) => {
    values.push(value);
    where.push(`${column} ${op} $${values.length}`);
  };
  if (query.action !== undefined) add('action', '=', query.action);
  if (query.actorId !== undefined) add('actor_id', '=', query.actorId);
  if (query.targetId !== undefined) add('target_id', '=', query.targetId);
  if (query.fromMs !== undefined) add('time_ms', '>=', query.fromMs);
  if (query.toMs !== undefined) add('time_ms', '<', query.toMs);
  if (query.beforeSeq !== undefined) add('seq', '<', query.beforeSeq);
  values.push(query.limit);
  return {
    text: `SELECT record_json, hash FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${values.length}`,
    values,
  };
}
