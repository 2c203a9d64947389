// /v1/operators: admins list, create, change (roles, jurisdiction, disabled, password reset)
// and disable operators within their own jurisdiction. A new operator gets a one-time password,
// shown once, that must be changed at first login.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { TocsinError } from '../../alerts/errors.ts';
import type { Identity } from '../../auth/identity.ts';
import { assertCan } from '../../auth/policy.ts';
import { operatorView } from '../../auth/views.ts';
import type { RegionTree } from '../../geo/types.ts';
import type { IdentityStore } from '../../store/identity-store.ts';
import type { Authenticate } from '../authenticate.ts';
import {
  IdParams,
  NewOperatorSchema,
  OperatorPatchSchema,
  OperatorViewSchema,
  OperatorWithPasswordSchema,
} from '../identity-schemas.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

export interface OperatorRoutesDeps {
  identity: Identity;
  store: IdentityStore;
  tree: RegionTree;
  authenticate: Authenticate;
}

const tags = ['operators'];

export function operatorRoutes(deps: OperatorRoutesDeps): FastifyPluginAsyncTypebox {
  const { identity, store, tree, authenticate } = deps;

  async function existing(id: string) {
    const operator = await store.getOperator(id);
    if (!operator) throw new TocsinError('OPERATOR_NOT_FOUND', `No operator ${JSON.stringify(id)}`);
    return operator;
  }

  return async (app) => {
    app.get(
      '/v1/operators',
      {
        schema: {
          tags,
          summary: 'Operators (admin)',
          response: { 200: Type.Object({ operators: Type.Array(OperatorViewSchema) }), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        assertCan(tree, await authenticate(request), 'operator.manage');
        return { operators: (await store.listOperators()).map(operatorView) };
      },
    );

    app.post(
      '/v1/operators',
      {
        schema: {
          tags,
          summary: 'Create an operator (admin); returns a one-time password, shown once',
          body: NewOperatorSchema,
          response: { 201: OperatorWithPasswordSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const actor = await authenticate(request);
        const jurisdiction = identity.checkJurisdiction(request.body.jurisdiction, '/jurisdiction');
        assertCan(tree, actor, 'operator.manage', { regions: jurisdiction });
        const { operator, password } = await identity.createOperator(request.body, actor);
        return reply
          .code(201)
          .header('cache-control', 'no-store')
          .header('location', `/v1/operators/${operator.id}`)
          .send({ operator: operatorView(operator), password });
      },
    );

    app.get(
      '/v1/operators/:id',
      {
        schema: {
          tags,
          summary: 'One operator (admin)',
          params: IdParams,
          response: { 200: OperatorViewSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        assertCan(tree, await authenticate(request), 'operator.manage');
        return operatorView(await existing(request.params.id));
      },
    );

    app.patch(
      '/v1/operators/:id',
      {
        schema: {
          tags,
          summary: 'Change roles, jurisdiction, disabled, or reset the password (admin)',
          params: IdParams,
          body: OperatorPatchSchema,
          response: { 200: OperatorWithPasswordSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const actor = await authenticate(request);
        const current = await existing(request.params.id);
        const regions = [...current.jurisdiction, ...(request.body.jurisdiction ?? [])].filter((c) =>
          tree.has(c),
        );
        assertCan(tree, actor, 'operator.manage', { regions });
        if (
          current.id === actor.id &&
          (request.body.disabled === true || (request.body.roles && !request.body.roles.includes('admin')))
        )
          throw new TocsinError('AUTH_FORBIDDEN', 'An admin cannot disable or demote themselves');
        const { operator, password } = await identity.updateOperator(current.id, request.body, actor);
        reply.header('cache-control', 'no-store');
        return password === undefined
          ? { operator: operatorView(operator) }
          : { operator: operatorView(operator), password };
      },
    );

    app.delete(
      '/v1/operators/:id',
      {
        schema: {
          tags,
          summary: 'Disable an operator (admin); their sessions end at once',
          params: IdParams,
          response: { 204: Type.Null(), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const actor = await authenticate(request);
        const current = await existing(request.params.id);
        assertCan(tree, actor, 'operator.manage', {
          regions: current.jurisdiction.filter((c) => tree.has(c)),
        });
        if (current.id === actor.id)
          throw new TocsinError('AUTH_FORBIDDEN', 'An admin cannot disable themselves');
        await identity.updateOperator(current.id, { disabled: true }, actor);
        return reply.code(204).send(null);
      },
    );
  };
}
