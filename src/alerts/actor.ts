// Who is acting. Every lifecycle call takes an actor: the seam where issue 5 (operators, tokens,
// jurisdictions) plugs in without reshaping the API.

export const ROLES = ['viewer', 'author', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ACTOR_KINDS = ['operator', 'token', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface Actor {
  /** Stable id (operator id, token id, or `system:<name>`); the idempotency scope and the author. */
  id: string;
  name: string;
  kind: ActorKind;
  roles: Role[];
  /** Region codes the actor may act on, descendants included. */
  jurisdiction: string[];
}

/** The hub itself: expiry, lapse of pending alerts. */
export const SYSTEM_ACTOR: Actor = {
  id: 'system:tocsin',
  name: 'Tocsin',
  kind: 'system',
  roles: ['admin'],
  jurisdiction: [],
};
