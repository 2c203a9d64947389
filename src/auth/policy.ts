// Who may do what, where: the matrix of roles × actions, and jurisdictions (region codes,
// descendants included, through the region tree). `createAuthorize` plugs it into the alert
// service's seam (src/alerts/authorize.ts); routes of operators, tokens and others ask `can`.
import type { Actor, Role } from '../alerts/actor.ts';
import { ACTIONS, type Action, type Authorize, type Resource } from '../alerts/authorize.ts';
import { TocsinError } from '../alerts/errors.ts';
import type { RegionTree } from '../geo/types.ts';

export const POLICY_ACTIONS = [
  ...ACTIONS,
  'operator.manage',
  'token.create',
  'token.manage',
  'audit.read',
  'template.manage',
  'template.approve',
  'template.fire',
  'webhook.manage',
] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/** The roles that allow each action (admin allows everything). */
export const MATRIX: Readonly<Record<PolicyAction, readonly Role[]>> = {
  'alert.read': ['viewer', 'author', 'approver', 'admin'],
  'alert.issue': ['author', 'admin'],
  'alert.update': ['author', 'admin'],
  'alert.all-clear': ['author', 'admin'],
  // Instant correction (issue 5 §4): any approver, or an author (the original author among them).
  'alert.cancel': ['author', 'approver', 'admin'],
  'alert.approve': ['approver', 'admin'],
  'alert.reject': ['approver', 'admin'],
  'operator.manage': ['admin'],
  // Anyone acting may mint a token with at most their own roles and jurisdiction.
  'token.create': ['viewer', 'author', 'approver', 'admin'],
  'token.manage': ['admin'],
  'audit.read': ['admin'],
  'template.manage': ['author', 'admin'],
  'template.approve': ['approver', 'admin'],
  'template.fire': ['author', 'admin'],
  'webhook.manage': ['admin'],
};

export type Decision = { ok: true } | { ok: false; reason: 'role' | 'jurisdiction'; message: string };

/** True when every code lies in (or is) one of the jurisdiction's regions. */
export function withinJurisdiction(
  tree: RegionTree,
  jurisdiction: readonly string[],
  codes: readonly string[],
): boolean {
  return codes.every((code) => jurisdiction.some((j) => j === code || tree.covers(j, code)));
}

/** May `actor` perform `action` on `resource`? Resource regions must all be in the actor's jurisdiction. */
export function can(
  tree: RegionTree,
  actor: Actor,
  action: PolicyAction,
  resource: Partial<Resource> = {},
): Decision {
  if (actor.kind === 'system') return { ok: true };
  const allowed = MATRIX[action];
  if (!actor.roles.some((role) => allowed.includes(role))) {
    return {
      ok: false,
      reason: 'role',
      message: `${action} needs the role ${allowed.filter((r) => r !== 'viewer').join(' or ')}`,
    };
  }
  const regions = resource.regions ?? [];
  if (!withinJurisdiction(tree, actor.jurisdiction, regions)) {
    const outside = regions.filter((code) => !withinJurisdiction(tree, actor.jurisdiction, [code]));
    return {
      ok: false,
      reason: 'jurisdiction',
      message: `${outside.join(', ')} ${outside.length === 1 ? 'is' : 'are'} outside the jurisdiction (${actor.jurisdiction.join(', ') || 'none'})`,
    };
  }
  return { ok: true };
}

/** Throws AUTH_FORBIDDEN naming why, when `can` says no. */
export function assertCan(
  tree: RegionTree,
  actor: Actor,
  action: PolicyAction,
  resource: Partial<Resource> = {},
): void {
  const decision = can(tree, actor, action, resource);
  if (!decision.ok) {
    throw new TocsinError('AUTH_FORBIDDEN', `Forbidden: ${decision.message}`, [
      { code: decision.reason === 'role' ? 'AUTH_ROLE' : 'AUTH_JURISDICTION', message: decision.message },
    ]);
  }
}

/** The alert service's authorisation seam, backed by the matrix and the region tree. */
export function createAuthorize(tree: RegionTree): Authorize {
  return (actor: Actor, action: Action, resource: Resource) => assertCan(tree, actor, action, resource);
}
