// /v1/tokens: mint a machine token (the secret is shown once), list and revoke. Anyone acting
// may mint a token holding at most their own roles and jurisdiction; admins see and revoke
// every token, others only their own.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Actor } from '../../alerts/actor.ts';
import { TocsinError } from '../../alerts/errors.ts';
import { parseDuration } from '../../auth/duration.ts';
import type { Identity } from '../../auth/identity.ts';
import { assertCan, can } from '../../auth/policy.ts';
import { tokenView } from '../../auth/tokens.ts';
import type { RegionTree } from '../../geo/types.ts';
import type { IdentityStore, TokenRecord } from '../../store/identity-store.ts';
import type { Authenticator } from '../authenticate.ts';
import { IdParams, MintedTokenSchema, NewTokenSchema, TokenViewSchema } from '../identity-schemas.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

export interface TokenRoutesDeps {
  identity: Identity;
  store: IdentityStore;
  tree: RegionTree;
  authenticator: Authenticator;
  now?: () => number;
}

export const DEFAULT_TOKEN_LIFETIME = '90d';
const tags = ['tokens'];

/** The operator (or bootstrap token) that owns tokens this actor mints. */
function ownerOf(actor: Actor, operatorId: string | undefined): string | null {
  return operatorId ?? (actor.kind === 'operator' ? actor.id : null);
}

export function tokenRoutes(deps: TokenRoutesDeps): FastifyPluginAsyncTypebox {
  const { identity, store, tree, authenticator } = deps;
  const now = deps.now ?? Date.now;

  const mayManage = (actor: Actor) => can(tree, actor, 'token.manage').ok;
  const owns = (actor: Actor, owner: string | null, token: TokenRecord) =>
    (owner !== null && token.operatorId === owner) || token.id === actor.id;

  return async (app) => {
    app.post(
      '/v1/tokens',
      {
        schema: {
          tags,
          summary: 'Mint a machine token (shown once); at most your own roles and jurisdiction',
          body: NewTokenSchema,
          response: { 201: MintedTokenSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const actor = await authenticator.authenticate(request);
        assertCan(tree, actor, 'token.create');
        const body = request.body;
        const lifetime = body.expiresIn ?? DEFAULT_TOKEN_LIFETIME;
        const ms = lifetime === 'never' ? null : parseDuration(lifetime);
        if (ms === undefined)
          throw new TocsinError(
            'IDENTITY_INPUT_INVALID',
            'expiresIn: a duration like 30d, 12h, 15m, 90s, or never',
            [{ path: '/expiresIn', message: 'a duration like 30d, 12h, 15m, 90s, or never' }],
          );
        const { token, secret } = await identity.mintToken(
          {
            name: body.name,
            roles: body.roles ?? actor.roles,
            jurisdiction: body.jurisdiction ?? actor.jurisdiction,
            expiresMs: ms === null ? null : now() + ms,
            operatorId: ownerOf(actor, authenticator.identified(request)?.operator?.id),
          },
          actor,
        );
        return reply
          .code(201)
          .header('cache-control', 'no-store')
          .send({ token: secret, info: tokenView(token) });
      },
    );

    app.get(
      '/v1/tokens',
      {
        schema: {
          tags,
          summary: 'Tokens: every token for admins, your own otherwise (never the secrets)',
          response: { 200: Type.Object({ tokens: Type.Array(TokenViewSchema) }), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const actor = await authenticator.authenticate(request);
        const owner = ownerOf(actor, authenticator.identified(request)?.operator?.id);
        const all = await store.listTokens();
        const visible = mayManage(actor) ? all : all.filter((t) => owns(actor, owner, t));
        return { tokens: visible.map(tokenView) };
      },
    );

    app.delete(
      '/v1/tokens/:id',
      {
        schema: {
          tags,
          summary: 'Revoke a token: refused at once from then on',
          params: IdParams,
          response: { 204: Type.Null(), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const actor = await authenticator.authenticate(request);
        const owner = ownerOf(actor, authenticator.identified(request)?.operator?.id);
        const token = await store.getToken(request.params.id);
        if (!token || !(mayManage(actor) || owns(actor, owner, token))) {
          if (token) assertCan(tree, actor, 'token.manage');
          throw new TocsinError('TOKEN_NOT_FOUND', `No token ${JSON.stringify(request.params.id)}`);
        }
        await identity.revokeToken(token.id, actor);
        return reply.code(204).send(null);
      },
    );
  };
}
