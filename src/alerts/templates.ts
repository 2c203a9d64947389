// Pre-approved templates (issue 5 §2): an admin writes the content of an alert once (event type,
// regions, texts, status); an admin and a second, different approver approve it; then an author
// fires it alone, with one explicit confirmation, and it is issued at once — no pending — because
// two people already agreed on its content. Any edit clears the approvals.
import { randomUUID } from 'node:crypto';
import { auditActor } from '../audit/entries.ts';
import type { AuditEntry, AuditStore, TemplateApproval, TemplateRecord } from '../store/audit-store.ts';
import { TemplateConflictError } from '../store/audit-store.ts';
import type { Actor } from './actor.ts';
import { TocsinError } from './errors.ts';
import type { AlertService, IssueResult } from './types.ts';

/** Template actions the authorisation seam is asked about (the same names as src/auth/policy.ts). */
export type TemplateAction = 'template.manage' | 'template.approve' | 'template.fire';
export type AuthorizeTemplate = (
  actor: Actor,
  action: TemplateAction,
  resource: { regions: string[] },
) => void;

export interface TemplateServiceDeps {
  templates: AuditStore;
  alerts: AlertService;
  authorize: AuthorizeTemplate;
  now?: () => number;
  newId?: () => string;
}

/** What an admin writes: a name and the short form of the alert. */
export interface TemplateInput {
  name: string;
  alert: Record<string, unknown>;
}

/** A template as the API shows it. */
export interface TemplateView {
  id: string;
  name: string;
  event: string;
  regions: string[];
  alert: Record<string, unknown>;
  revision: number;
  createdBy: string;
  created: string;
  updated: string;
  approvals: { by: string; name: string; admin: boolean; at: string }[];
  /** Two different people, one of them an admin, approved this revision. */
  approved: boolean;
}

const NAME = /^\S(.{0,98}\S)?$/u;
const REQUIRED_APPROVERS = 2;

export function createTemplateService(deps: TemplateServiceDeps) {
  const { templates, alerts, authorize } = deps;
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? (() => `tpl-${randomUUID()}`);

  async function load(id: string): Promise<TemplateRecord> {
    const template = await templates.getTemplate(id);
    if (!template)
      throw new TocsinError('TEMPLATE_NOT_FOUND', `No template ${JSON.stringify(id.slice(0, 200))}`);
    return template;
  }

  /** Checks the content exactly as issuing would (profile, regions, wording), so a template can never fail when fired. */
  function checkedContent(input: unknown): {
    name: string;
    alert: Record<string, unknown>;
    event: string;
    regions: string[];
  } {
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw invalid('', 'expected an object { "name", "alert" }');
    const { name, alert, ...rest } = input as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw invalid(extra, 'unknown field; expected name and alert');
    if (typeof name !== 'string' || !NAME.test(name))
      throw invalid('name', 'expected 1 to 100 characters, not starting or ending with a space');
    if (typeof alert !== 'object' || alert === null || Array.isArray(alert))
      throw invalid(
        'alert',
        'expected the short form of an alert: { "event", "regions", "status", "headline", ... }',
      );
    const body = alert as Record<string, unknown>;
    if ('expires' in body)
      throw invalid('alert.expires', 'a template cannot carry a fixed time: use expiresInMinutes');
    if (typeof body.status !== 'string')
      throw invalid(
        'alert.status',
        'required: Actual, Exercise, System or Test (a template never leaves the mode implicit)',
      );
    alerts.check({ format: 'short', body }); // throws the same coded errors issuing would
    return {
      name,
      alert: body,
      event: String(body.event),
      regions: [...new Set(body.regions as string[])],
    };
  }

  async function save(template: TemplateRecord, expect: number | null, entry: AuditEntry): Promise<void> {
    try {
      await templates.saveTemplate(template, expect, entry);
    } catch (error) {
      if (error instanceof TemplateConflictError)
        throw new TocsinError(
          'TEMPLATE_CONFLICT',
          error.kind === 'name' ? error.message : 'The template changed meanwhile; reload and retry',
        );
      throw error;
    }
  }

  const audit = (
    actor: Actor,
    action: string,
    t: TemplateRecord,
    details: Record<string, unknown> = {},
  ): AuditEntry => ({
    timeMs: now(),
    actor: auditActor(actor),
    action,
    target: { type: 'template', id: t.id },
    regions: t.regions,
    details: { name: t.name, revision: t.revision, ...details },
  });

  return {
    async create(actor: Actor, input: unknown): Promise<TemplateView> {
      const content = checkedContent(input);
      authorize(actor, 'template.manage', { regions: content.regions });
      requireAdmin(actor, 'create a template');
      const at = now();
      const template: TemplateRecord = {
        id: newId(),
        name: content.name,
        eventType: content.event,
        regions: content.regions,
        body: content.alert,
        revision: 1,
        createdBy: actor.id,
        createdMs: at,
        updatedMs: at,
        approvals: [],
      };
      await save(template, null, audit(actor, 'template.created', template));
      return view(template);
    },

    /** Replaces the content; every approval is cleared (the two people agreed on the old content). */
    async update(actor: Actor, id: string, input: unknown): Promise<TemplateView> {
      const current = await load(id);
      const content = checkedContent(input);
      authorize(actor, 'template.manage', { regions: [...current.regions, ...content.regions] });
      requireAdmin(actor, 'edit a template');
      const next: TemplateRecord = {
        ...current,
        name: content.name,
        eventType: content.event,
        regions: content.regions,
        body: content.alert,
        revision: current.revision + 1,
        updatedMs: now(),
        approvals: [],
      };
      await save(
        next,
        current.revision,
        audit(actor, 'template.updated', next, { approvalsCleared: current.approvals.length }),
      );
      return view(next);
    },

    async approve(actor: Actor, id: string, revision?: number): Promise<TemplateView> {
      const current = await load(id);
      if (revision !== undefined && revision !== current.revision)
        throw new TocsinError(
          'TEMPLATE_CONFLICT',
          `The template is at revision ${current.revision}, not ${revision}: review it again`,
        );
      authorize(actor, 'template.approve', { regions: current.regions });
      const admin = actor.roles.includes('admin');
      if (!admin && !actor.roles.includes('approver'))
        throw new TocsinError('AUTH_FORBIDDEN', 'Approving a template needs the role approver or admin');
      if (current.createdBy === actor.id && !admin)
        throw new TocsinError(
          'TEMPLATE_SELF_APPROVAL',
          "The template's author counts as an approver only as an admin",
        );
      if (current.approvals.some((a) => a.actorId === actor.id && a.revision === current.revision))
        throw new TocsinError(
          'TEMPLATE_ALREADY_APPROVED',
          'You already approved this revision: a second, different person must approve it',
        );
      const approval: TemplateApproval = {
        actorId: actor.id,
        name: actor.name,
        admin,
        atMs: now(),
        revision: current.revision,
      };
      const next: TemplateRecord = { ...current, approvals: [...current.approvals, approval] };
      await save(
        next,
        current.revision,
        audit(actor, 'template.approved', next, { approvers: next.approvals.map((a) => a.actorId) }),
      );
      return view(next);
    },

    /** Issues the template's alert at once; `confirm` must be exactly true. */
    async fire(actor: Actor, id: string, body: unknown): Promise<IssueResult> {
      const current = await load(id);
      authorize(actor, 'template.fire', { regions: current.regions });
      if ((body as { confirm?: unknown } | null | undefined)?.confirm !== true)
        throw new TocsinError(
          'TEMPLATE_CONFIRMATION_REQUIRED',
          'Firing a template issues a real alert at once: send { "confirm": true }',
          [{ path: 'confirm', message: 'expected true' }],
        );
      if (!isApproved(current))
        throw new TocsinError(
          'TEMPLATE_NOT_APPROVED',
          `The template needs approval by ${REQUIRED_APPROVERS} different people, one of them an admin (has ${approvalsOf(current).length})`,
        );
      return alerts.issue(
        actor,
        { format: 'short', body: current.body },
        {
          template: {
            id: current.id,
            revision: current.revision,
            approvers: approvalsOf(current).map((a) => a.actorId),
          },
        },
      );
    },

    async get(id: string): Promise<TemplateView> {
      return view(await load(id));
    },

    async list(): Promise<TemplateView[]> {
      return (await templates.listTemplates()).map(view);
    },
  };
}

export type TemplateService = ReturnType<typeof createTemplateService>;

function approvalsOf(t: TemplateRecord): TemplateApproval[] {
  return t.approvals.filter((a) => a.revision === t.revision);
}

/** Two different people approved this revision, and at least one of them as an admin. */
export function isApproved(t: TemplateRecord): boolean {
  const current = approvalsOf(t);
  return new Set(current.map((a) => a.actorId)).size >= REQUIRED_APPROVERS && current.some((a) => a.admin);
}

function requireAdmin(actor: Actor, what: string): void {
  if (!actor.roles.includes('admin')) throw new TocsinError('AUTH_FORBIDDEN', `Only an admin may ${what}`);
}

function invalid(path: string, message: string): TocsinError {
  return new TocsinError('TEMPLATE_INPUT_INVALID', `Template ${path ? `${path}: ` : ''}${message}`, [
    { path, message },
  ]);
}

function view(t: TemplateRecord): TemplateView {
  return {
    id: t.id,
    name: t.name,
    event: t.eventType,
    regions: t.regions,
    alert: t.body,
    revision: t.revision,
    createdBy: t.createdBy,
    created: new Date(t.createdMs).toISOString(),
    updated: new Date(t.updatedMs).toISOString(),
    approvals: approvalsOf(t).map((a) => ({
      by: a.actorId,
      name: a.name,
      admin: a.admin,
      at: new Date(a.atMs).toISOString(),
    })),
    approved: isApproved(t),
  };
}
