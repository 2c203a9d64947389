// SQLite queries of the audit log and templates (migration 3). `appendInTransaction` is called
// by the lifecycle commit inside its own transaction, so an action and its record commit together.
import type Database from 'better-sqlite3';
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

export interface SqliteAudit {
  store: AuditStore;
  /** Appends inside the caller's open transaction. */
  appendInTransaction(entry: AuditEntry): AuditRecord;
}

export function createSqliteAudit(db: Database.Database): SqliteAudit {
  const q = {
    head: db.prepare('SELECT seq, hash FROM audit_head WHERE only_row = 1'),
    setHead: db.prepare('UPDATE audit_head SET seq = ?, hash = ? WHERE only_row = 1'),
    insert: db.prepare(
      'INSERT INTO audit_log (seq, time_ms, actor_id, action, target_id, record_json, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    rows: db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?'),
    template: db.prepare('SELECT * FROM templates WHERE id = ?'),
    templates: db.prepare('SELECT * FROM templates ORDER BY name, id'),
    templateRevision: db.prepare('SELECT revision FROM templates WHERE id = ?').pluck(),
    templateByName: db.prepare('SELECT id FROM templates WHERE name = ?').pluck(),
    insertTemplate:
      db.prepare(`INSERT INTO templates (id, name, event_type, regions_json, body_json, revision,
      created_by, created_ms, updated_ms, approvals_json) VALUES (@id, @name, @eventType, @regionsJson, @bodyJson,
      @revision, @createdBy, @createdMs, @updatedMs, @approvalsJson)`),
    updateTemplate:
      db.prepare(`UPDATE templates SET name = @name, event_type = @eventType, regions_json = @regionsJson,
      body_json = @bodyJson, revision = @revision, updated_ms = @updatedMs, approvals_json = @approvalsJson WHERE id = @id`),
  };

  const head = (): { seq: number; hash: string } => q.head.get() as { seq: number; hash: string };

  function appendInTransaction(entry: AuditEntry): AuditRecord {
    const last = head();
    const { record, json } = sealAudit(entry, last.seq + 1, last.hash);
    q.insert.run(
      record.seq,
      record.timeMs,
      record.actor.id,
      record.action,
      record.target?.id ?? null,
      json,
      record.hash,
    );
    q.setHead.run(record.seq, record.hash);
    return record;
  }

  const appendOne = db.transaction(appendInTransaction);

  const saveTemplate = db.transaction(
    (t: TemplateRecord, expectRevision: number | null, audit: AuditEntry): AuditRecord => {
      const stored = q.templateRevision.get(t.id) as number | undefined;
      if (expectRevision === null ? stored !== undefined : stored !== expectRevision)
        throw new TemplateConflictError('revision', `template ${t.id} changed meanwhile`);
      const other = q.templateByName.get(t.name) as string | undefined;
      if (other !== undefined && other !== t.id)
        throw new TemplateConflictError('name', `a template named ${JSON.stringify(t.name)} exists`);
      const row = {
        ...t,
        regionsJson: JSON.stringify(t.regions),
        bodyJson: JSON.stringify(t.body),
        approvalsJson: JSON.stringify(t.approvals),
      };
      if (expectRevision === null) q.insertTemplate.run(row);
      else q.updateTemplate.run(row);
      return appendInTransaction(audit);
    },
  );

  const store: AuditStore = {
    async append(entry) {
      return appendOne.immediate(entry);
    },
    async list(query) {
      const { sql, params } = auditListSql(query);
      return (db.prepare(sql).all(params) as Record<string, unknown>[]).map((r) => ({
        ...(JSON.parse(r.record_json as string) as AuditRecord),
        hash: r.hash as string,
      }));
    },
    async readRows(afterSeq, limit) {
      return (q.rows.all(afterSeq, limit) as Record<string, unknown>[]).map(auditRowOf);
    },
    async head() {
      return head();
    },
    async getTemplate(id) {
      const row = q.template.get(id) as Record<string, unknown> | undefined;
      return row ? templateOf(row) : undefined;
    },
    async listTemplates() {
      return (q.templates.all() as Record<string, unknown>[]).map(templateOf);
    },
    async saveTemplate(template, expectRevision, audit) {
      return saveTemplate.immediate(template, expectRevision, audit);
    },
  };
  return { store, appendInTransaction };
}

function auditListSql(query: AuditQuery): { sql: string; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = { limit: query.limit };
  const add = (clause: string, name: string, value: unknown) => {
    where.push(clause);
    params[name] = value;
  };
  if (query.action !== undefined) add('action = @action', 'action', query.action);
  if (query.actorId !== undefined) add('actor_id = @actorId', 'actorId', query.actorId);
  if (query.targetId !== undefined) add('target_id = @targetId', 'targetId', query.targetId);
  if (query.fromMs !== undefined) add('time_ms >= @fromMs', 'fromMs', query.fromMs);
  if (query.toMs !== undefined) add('time_ms < @toMs', 'toMs', query.toMs);
  if (query.beforeSeq !== undefined) add('seq < @beforeSeq', 'beforeSeq', query.beforeSeq);
  return {
    sql: `SELECT record_json, hash FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit`,
    params,
  };
}
