// Database rows → audit records and templates: the same columns in both engines.
import type { AuditRow, TemplateRecord } from './audit-store.ts';

export function auditRowOf(r: Record<string, unknown>): AuditRow {
  return {
    seq: Number(r.seq),
    json: r.record_json as string,
    hash: r.hash as string,
    timeMs: Number(r.time_ms),
    actorId: r.actor_id as string,
    action: r.action as string,
    targetId: (r.target_id as string | null) ?? null,
  };
}

export function templateOf(r: Record<string, unknown>): TemplateRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    eventType: r.event_type as string,
    regions: JSON.parse(r.regions_json as string) as string[],
    body: JSON.parse(r.body_json as string) as Record<string, unknown>,
    revision: Number(r.revision),
    createdBy: r.created_by as string,
    createdMs: Number(r.created_ms),
    updatedMs: Number(r.updated_ms),
    approvals: JSON.parse(r.approvals_json as string) as TemplateRecord['approvals'],
  };
}
