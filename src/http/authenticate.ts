// The one seam where a request becomes an Actor. Until operator authentication lands (issue 5)
// there is NO authentication: every request acts as a built-in local operator with every role
// and the whole of Ukraine as jurisdiction. That is why the hub listens on loopback by default
// and says so in its startup log. Issue 5 replaces `createAuthenticator` and nothing else.
import type { FastifyRequest } from 'fastify';
import { type Actor, ROLES } from '../alerts/actor.ts';

/** Resolves who is acting for a request. */
export type Authenticate = (request: FastifyRequest) => Promise<Actor>;

/** The stand-in operator every request acts as until issue 5. */
export const LOCAL_ACTOR: Actor = Object.freeze({
  id: 'local:operator',
  name: 'Local operator (no authentication configured)',
  kind: 'operator',
  roles: [...ROLES],
  jurisdiction: ['UA'],
}) as Actor;

/** The startup warning main.ts logs while this stand-in is in place. */
export const NO_AUTH_WARNING =
  'NO AUTHENTICATION: every request acts as a local operator with all roles over UA (issue 5 adds operators and tokens); keep the hub on loopback';

/** Builds the authenticator; for now every request is the local operator. */
export function createAuthenticator(): Authenticate {
  return async () => LOCAL_ACTOR;
}
