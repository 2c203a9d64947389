// The authorisation seam. Every lifecycle method calls `authorize(actor, action, resource)` once,
// before it reads or writes anything; issue 5 replaces the default with roles and jurisdictions.
import type { Actor } from './actor.ts';

export const ACTIONS = [
  'alert.issue',
  'alert.approve',
  'alert.reject',
  'alert.update',
  'alert.all-clear',
  'alert.cancel',
  'alert.read',
] as const;
export type Action = (typeof ACTIONS)[number];

/** What an action touches: the regions it concerns, the alert and its author when known. */
export interface Resource {
  regions: string[];
  alertId?: string;
  authorId?: string;
  status?: string;
  severity?: string;
}

/** Throws a TocsinError (AUTH_*) when the actor may not act; returns when it may. */
export type Authorize = (actor: Actor, action: Action, resource: Resource) => void;

/** Until issue 5: everyone may do everything. */
export const allowEverything: Authorize = () => {};
