// The audit log and the pre-approved templates (issue 5): the interface both engines implement
// (sqlite/audit.ts, postgres/audit.ts). The chain itself (what is hashed, how it is checked) is
// pure and lives in src/audit/chain.ts so `tocsin audit verify` uses the very same rules.

/** One action to record. The store adds `seq` and the chain (`prevHash`, `hash`). */
export interface AuditEntry {
  timeMs: number;
  /** Who acted: operator id, token id or `system:<name>`. */
  actor: { id: string; name: string; kind: string };
  /** What happened, a stable dotted name: `alert.issued`, `session.login`, `token.created`, ... */
  action: string;
  /** What it happened to, when it has an id. */
  target?: { type: string; id: string };
  /** Region codes concerned (alerts, templates, jurisdictions). */
  regions?: string[];
  /** Anything else worth keeping; must be plain JSON (no undefined, no NaN). */
  details?: Record<string, unknown>;
  /** The event log entry committed with this record (filled by the store for lifecycle actions). */
  eventSeq?: number;
}

/** One record as stored: the entry, its place in the chain and its hash. */
export interface AuditRecord extends AuditEntry {
  seq: number;
  /** `hash` of the record before (64 zeros for the first). */
  prevHash: string;
  /** SHA-256 (hex) of the RFC 8785 canonical JSON of the record without `hash`. */
  hash: string;
}

/** A stored row as read back for verification: the sealed JSON exactly as written, and its columns. */
export interface AuditRow {
  seq: number;
  /** RFC 8785 canonical JSON of the record without `hash` (what was hashed). */
  json: string;
  hash: string;
  /** Copies kept for filtering; verification checks they agree with `json`. */
  timeMs: number;
  actorId: string;
  action: string;
  targetId: string | null;
}

export interface AuditQuery {
  action?: string;
  actorId?: string;
  targetId?: string;
  fromMs?: number;
  toMs?: number;
  /** Records with seq < beforeSeq (cursor; newest first). */
  beforeSeq?: number;
  limit: number;
}

/** A pre-approved template: the short form of an alert that two people agreed on. */
export interface TemplateRecord {
  id: string;
  name: string;
  eventType: string;
  regions: string[];
  /** The short-form alert body fired as is (event, regions, status, headline, ...). */
  body: Record<string, unknown>;
  /** Bumped by every edit; approvals name the revision they approved. */
  revision: number;
  createdBy: string;
  createdMs: number;
  updatedMs: number;
  approvals: TemplateApproval[];
}

export interface TemplateApproval {
  actorId: string;
  name: string;
  /** Whether the approver held `admin` when approving (the rule needs one admin). */
  admin: boolean;
  atMs: number;
  revision: number;
}

/** Why a template write was refused. */
export class TemplateConflictError extends Error {
  readonly kind: 'revision' | 'name';
  constructor(kind: TemplateConflictError['kind'], message: string) {
    super(message);
    this.name = 'TemplateConflictError';
    this.kind = kind;
  }
}

export interface AuditStore {
  /** Appends one record in its own transaction; resolves once it is durable. */
  append(entry: AuditEntry): Promise<AuditRecord>;
  /** Newest first, filtered. */
  list(query: AuditQuery): Promise<AuditRecord[]>;
  /** Stored rows with seq > afterSeq, ascending, at most `limit` (for verification). */
  readRows(afterSeq: number, limit: number): Promise<AuditRow[]>;
  /** The chain head as recorded beside the log: the last seq and its hash (0 and zeros when empty). */
  head(): Promise<{ seq: number; hash: string }>;

  getTemplate(id: string): Promise<TemplateRecord | undefined>;
  listTemplates(): Promise<TemplateRecord[]>;
  /**
   * Inserts (expectRevision null) or replaces a template whose stored revision is
   * expectRevision, and appends `audit` in the same transaction. TemplateConflictError otherwise.
   */
  saveTemplate(
    template: TemplateRecord,
    expectRevision: number | null,
    audit: AuditEntry,
  ): Promise<AuditRecord>;
}
