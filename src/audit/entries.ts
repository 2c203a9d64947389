// Audit entries of the alert lifecycle: one per committed change, written by the alert service
// in the same transaction as the change (AlertCommit.audit).
import type { Actor } from '../alerts/actor.ts';
import type { AuditEntry } from '../store/audit-store.ts';

export const LIFECYCLE_ACTIONS = {
  drafted: 'alert.drafted',
  issued: 'alert.issued',
  approved: 'alert.approved',
  rejected: 'alert.rejected',
  updated: 'alert.updated',
  allClear: 'alert.all-clear',
  cancelled: 'alert.cancelled',
  corrected: 'alert.corrected',
  expired: 'alert.expired',
  lapsed: 'alert.lapsed',
} as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[keyof typeof LIFECYCLE_ACTIONS];

interface AlertFacts {
  id: string;
  incidentId: string;
  eventType: string;
  status: string;
  msgType: string;
  regions: readonly { code: string }[];
}

/** Who acted, as the audit log keeps it. */
export function auditActor(actor: Actor): AuditEntry['actor'] {
  return { id: actor.id, name: actor.name, kind: actor.kind };
}

/** The audit entry of one lifecycle change of `alert`. */
export function alertAudit(
  actor: Actor,
  action: LifecycleAction,
  alert: AlertFacts,
  timeMs: number,
  details: Record<string, unknown> = {},
): AuditEntry {
  return {
    timeMs,
    actor: auditActor(actor),
    action,
    target: { type: 'alert', id: alert.id },
    regions: alert.regions.map((r) => r.code),
    details: {
      incident: alert.incidentId,
      event: alert.eventType,
      status: alert.status,
      msgType: alert.msgType,
      ...details,
    },
  };
}
