// GET /v1/alerts/pending: the approval queue of the console. Pending alerts are drafts, never
// public: the route is for operators only, and shows an approver (or admin) the pending alerts
// inside their jurisdiction, an author their own. The history (/v1/alerts) lists only what was
// published, so without this an approver could not see what waits for them. Who asked is named.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Actor } from '../../alerts/actor.ts';
import { TocsinError } from '../../alerts/errors.ts';
import { toView } from '../../alerts/events.ts';
import { can, withinJurisdiction } from '../../auth/policy.ts';
import type { RegionTree } from '../../geo/types.ts';
import type { Store } from '../../store/store.ts';
import type { Authenticate } from '../authenticate.ts';
import { AlertViewSchema, ERROR_RESPONSES } from '../schemas.ts';

/** More than any real queue holds; the oldest wait longest, so they come first. */
const MAX_PENDING = 500;

const PendingSchema = Type.Object({
  items: Type.Array(
    Type.Intersect([
      AlertViewSchema,
      Type.Object({
        authorName: Type.String({ description: 'The name of the operator or token that asked.' }),
      }),
    ]),
    { description: 'Oldest first.' },
  ),
});

export function pendingRoutes(deps: {
  store: Store;
  tree: RegionTree;
  authenticate: Authenticate;
}): FastifyPluginAsyncTypebox {
  const { store, tree, authenticate } = deps;

  async function nameOf(id: string): Promise<string> {
    const operator = await store.identity.getOperator(id);
    if (operator) return operator.name;
    return (await store.identity.getToken(id))?.name ?? id;
  }

  return async (app) => {
    app.get(
      '/v1/alerts/pending',
      {
        config: { access: 'operator' },
        schema: {
          tags: ['alerts'],
          summary:
            'Pending alerts waiting for a second operator (approvers: within jurisdiction; authors: their own)',
          querystring: Type.Object({}, { additionalProperties: false }),
          response: { 200: PendingSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const actor: Actor = await authenticate(request);
        const approver = can(tree, actor, 'alert.approve').ok;
        if (!approver && !can(tree, actor, 'alert.issue').ok)
          throw new TocsinError(
            'AUTH_FORBIDDEN',
            'Forbidden: the approval queue needs the role approver, author or admin',
          );
        const records = await store.listAlerts({ states: ['pending'], limit: MAX_PENDING });
        const visible = records
          .filter((r) =>
            approver
              ? withinJurisdiction(
                  tree,
                  actor.jurisdiction,
                  r.regions.map((l) => l.code),
                )
              : r.authorId === actor.id,
          )
          .reverse();
        const names = new Map<string, string>();
        for (const r of visible) if (!names.has(r.authorId)) names.set(r.authorId, await nameOf(r.authorId));
        return {
          items: visible.map((r) => ({
            ...toView(r, undefined),
            authorName: names.get(r.authorId) ?? r.authorId,
          })),
        };
      },
    );
  };
}
