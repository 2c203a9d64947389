// Operations: liveness, readiness (store reachable, migrations applied), Prometheus metrics.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { Store } from '../../store/store.ts';
import { errorBody } from '../errors.ts';
import type { Metrics } from '../metrics.ts';

export interface OpsDeps {
  store: Store;
  metrics: Metrics;
  /** Migration versions this build ships; ready once all are applied. */
  expectedMigrations: readonly number[];
  /** True once shutdown began: readiness fails so balancers stop sending traffic. */
  draining: () => boolean;
}

const ReadySchema = Type.Object({
  status: Type.Literal('ready'),
  engine: Type.String(),
  migrations: Type.Array(Type.Integer()),
});

const ops = ['ops'];

export function opsRoutes(deps: OpsDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          tags: ops,
          summary: 'Liveness: the process answers',
          response: { 200: Type.Object({ status: Type.Literal('ok') }) },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          tags: ops,
          summary: 'Readiness: store reachable and every migration applied',
          response: { 200: ReadySchema, 503: Type.Unknown() },
        },
      },
      async (request, reply) => {
        if (deps.draining())
          return reply.code(503).send(errorBody('UNAVAILABLE', 'The hub is shutting down.'));
        try {
          await deps.store.ping();
          const applied = await deps.store.migrationsApplied();
          const missing = deps.expectedMigrations.filter((v) => !applied.includes(v));
          if (missing.length > 0) {
            return reply
              .code(503)
              .send(errorBody('UNAVAILABLE', `Migrations not applied: ${missing.join(', ')}.`));
          }
          return { status: 'ready' as const, engine: deps.store.engine, migrations: applied };
        } catch (error) {
          request.log.warn({ err: error }, 'readiness check failed');
          return reply.code(503).send(errorBody('UNAVAILABLE', 'The store does not answer.'));
        }
      },
    );

    app.get(
      '/metrics',
      { schema: { tags: ops, summary: 'Prometheus metrics (text exposition format)', hide: false } },
      async (_request, reply) => {
        const text = await deps.metrics.registry.metrics();
        return reply.type(deps.metrics.registry.contentType).send(text);
      },
    );
  };
}
