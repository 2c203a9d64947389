// What the hub records when it starts (issue 5 §6): the configuration it runs with — or, when it
// differs from the last start, what changed — and a key rotation noticed since the last start.
// Secrets never enter the log: passwords in URLs are masked.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../json/canonical.ts';
import type { AuditRecord, AuditStore } from '../store/audit-store.ts';

const HUB_ACTOR = { id: 'system:tocsin', name: 'Tocsin', kind: 'system' } as const;

/** The configuration with the password of every URL masked. */
export function maskSecrets(value: unknown): unknown {
  if (typeof value === 'string')
    return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)[^@\s]*@/i, '$1***@');
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v)]));
  return value;
}

/** Dotted paths whose values differ between two plain objects. */
function changedPaths(before: unknown, after: unknown, prefix = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changedPaths(before[k], after[k], prefix ? `${prefix}.${k}` : k));
  }
  const text = (v: unknown) => (v === undefined ? undefined : canonicalJson(v));
  return text(before) === text(after) ? [] : [prefix];
}

async function lastOf(audit: AuditStore, actions: string[]): Promise<AuditRecord | undefined> {
  const found = (await Promise.all(actions.map((action) => audit.list({ action, limit: 1 })))).flat();
  return found.sort((a, b) => b.seq - a.seq)[0];
}

/** Appends `config.loaded` (or `config.changed`) and, when the signing key changed, `keys.rotated`. */
export async function recordStart(
  audit: AuditStore,
  start: { config: unknown; kid: string; nowMs: number },
): Promise<void> {
  const config = maskSecrets(start.config);
  const configHash = createHash('sha256').update(canonicalJson(config)).digest('hex');
  const previous = await lastOf(audit, ['config.loaded', 'config.changed']);
  const before = previous?.details as { config?: unknown; configHash?: string; kid?: string } | undefined;
  const changed = before?.configHash !== undefined && before.configHash !== configHash;
  await audit.append({
    timeMs: start.nowMs,
    actor: HUB_ACTOR,
    action: changed ? 'config.changed' : 'config.loaded',
    details: {
      configHash,
      kid: start.kid,
      config: config as Record<string, unknown>,
      ...(changed ? { changed: changedPaths(before?.config, config) } : {}),
    },
  });
  if (before?.kid !== undefined && before.kid !== start.kid)
    await recordKeyRotation(audit, before.kid, start.kid, start.nowMs);
}

/** Appends `keys.rotated` (the hub noticed a new current signing key). */
export async function recordKeyRotation(
  audit: AuditStore,
  from: string,
  to: string,
  nowMs: number,
): Promise<void> {
  await audit.append({
    timeMs: nowMs,
    actor: HUB_ACTOR,
    action: 'keys.rotated',
    target: { type: 'key', id: to },
    details: { from, to },
  });
}
