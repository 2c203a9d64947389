// /.well-known/tocsin/keys.json: the public keys events are signed with (JWKS, RFC 7517),
// current key first, retired ones kept so events signed before a rotation still verify.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { KeyRing } from '../../auth/keys.ts';

const JwksSchema = Type.Object({
  keys: Type.Array(
    Type.Object({
      kty: Type.Literal('OKP'),
      crv: Type.Literal('Ed25519'),
      x: Type.String(),
      kid: Type.String({ description: 'RFC 7638 thumbprint; the `kid` of signed events.' }),
      use: Type.Literal('sig'),
      alg: Type.Literal('EdDSA'),
    }),
  ),
});

export function keyRoutes(deps: { keys: KeyRing }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/.well-known/tocsin/keys.json',
      {
        schema: {
          tags: ['keys'],
          summary: 'Public keys of the event signatures (JWKS)',
          response: { 200: JwksSchema },
        },
      },
      async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=300').header('access-control-allow-origin', '*');
        return deps.keys.jwks();
      },
    );
  };
}
