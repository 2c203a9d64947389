// The audit chain (issue 5 §6): each record holds the hash of the one before, and its own hash
// is SHA-256 over the RFC 8785 canonical JSON of the record without `hash` (so `prevHash` and
// `seq` are covered). Changing, removing or reordering any record breaks the chain at that
// record. Pure: the stores seal with it, `tocsin audit verify` checks with it.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../json/canonical.ts';
import type { AuditEntry, AuditRecord, AuditRow } from '../store/audit-store.ts';

/** prevHash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

export interface SealedAudit {
  record: AuditRecord;
  /** What was hashed, stored as is. */
  json: string;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Builds record `seq` after the record whose hash is `prevHash`. Throws on an entry that is not plain JSON. */
export function sealAudit(entry: AuditEntry, seq: number, prevHash: string): SealedAudit {
  const unsealed = { ...stripUndefined(entry), seq, prevHash };
  let json: string;
  try {
    json = canonicalJson(unsealed);
  } catch (error) {
    throw new TypeError(`audit entry is not plain JSON: ${(error as Error).message}`);
  }
  // A round trip proves the entry is plain JSON (a Date or NaN would hash one way and read back another).
  const parsed = JSON.parse(json) as AuditRecord;
  if (canonicalJson(parsed) !== json) throw new TypeError('audit entry is not plain JSON');
  return { record: { ...parsed, hash: sha256Hex(json) }, json };
}

/** The record a stored row holds (its JSON parsed, its hash attached). */
export function recordOfRow(row: AuditRow): AuditRecord {
  return { ...(JSON.parse(row.json) as AuditRecord), hash: row.hash };
}

export type ChainBreak = { seq: number; reason: string };

/** Checks rows in ascending order, page after page; the first break is kept and named. */
export function createChainVerifier() {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let broken: ChainBreak | undefined;

  function check(row: AuditRow): ChainBreak | undefined {
    if (row.seq !== expectedSeq)
      return {
        seq: row.seq,
        reason:
          row.seq > expectedSeq
            ? `records ${expectedSeq}..${row.seq - 1} are missing (deleted)`
            : `seq ${row.seq} out of order (expected ${expectedSeq})`,
      };
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(row.json) as Record<string, unknown>;
    } catch {
      return { seq: row.seq, reason: 'the stored record is not JSON' };
    }
    if (sha256Hex(row.json) !== row.hash)
      return { seq: row.seq, reason: 'its content does not match its hash (the record was changed)' };
    if (canonicalJson(parsed) !== row.json)
      return { seq: row.seq, reason: 'the stored record is not in canonical form' };
    if (parsed.seq !== row.seq) return { seq: row.seq, reason: `it claims seq ${String(parsed.seq)}` };
    if (parsed.prevHash !== prevHash)
      return {
        seq: row.seq,
        reason: 'its prevHash is not the hash of the record before (a record was changed or inserted)',
      };
    const actor = parsed.actor as { id?: unknown } | undefined;
    const target = parsed.target as { id?: unknown } | undefined;
    if (
      parsed.timeMs !== row.timeMs ||
      parsed.action !== row.action ||
      actor?.id !== row.actorId ||
      (target?.id ?? null) !== row.targetId
    )
      return {
        seq: row.seq,
        reason: 'its indexed columns (time, action, actor, target) disagree with the hashed record',
      };
    return undefined;
  }

  return {
    /** Feeds the next rows (ascending); returns false once a break was found. */
    add(rows: readonly AuditRow[]): boolean {
      for (const row of rows) {
        if (broken) return false;
        broken = check(row);
        if (broken) return false;
        checked++;
        expectedSeq = row.seq + 1;
        prevHash = row.hash;
      }
      return broken === undefined;
    },
    /** The verdict once every row was fed, checked against the head recorded beside the log. */
    finish(head: {
      seq: number;
      hash: string;
    }): { ok: true; checked: number; lastHash: string } | ({ ok: false; checked: number } & ChainBreak) {
      if (broken) return { ok: false, checked, ...broken };
      if (head.seq !== expectedSeq - 1 || head.hash !== prevHash)
        return {
          ok: false,
          checked,
          seq: Math.max(head.seq, expectedSeq - 1),
          reason: `the log ends at ${expectedSeq - 1} but its head says ${head.seq} (records at the end were removed or the head was changed)`,
        };
      return { ok: true, checked, lastHash: prevHash };
    },
  };
}

function stripUndefined(entry: AuditEntry): AuditEntry {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) if (value !== undefined) out[key] = value;
  return out as unknown as AuditEntry;
}
