// /v1/stats: count, total and longest duration and time under alert, per region and event type.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AlertService } from '../../alerts/types.ts';
import type { Authenticate } from '../authenticate.ts';
import { ERROR_RESPONSES, StatsQuerySchema, StatsSchema } from '../schemas.ts';

/** The default period when `from` is absent: 30 days before `to`. */
export const DEFAULT_STATS_PERIOD_MS = 30 * 24 * 3600 * 1000;

export function statsRoutes(deps: {
  alerts: AlertService;
  authenticate: Authenticate;
  now: () => number;
}): FastifyPluginAsyncTypebox {
  const { alerts, authenticate, now } = deps;
  return async (app) => {
    app.get(
      '/v1/stats',
      {
        schema: {
          tags: ['stats'],
          summary: 'Statistics per region and event type for a period (default: the last 30 days)',
          querystring: StatsQuerySchema,
          response: { 200: StatsSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        await authenticate(request);
        const q = request.query;
        const to = q.to ?? new Date(now()).toISOString();
        const from = q.from ?? new Date(Date.parse(to) - DEFAULT_STATS_PERIOD_MS).toISOString();
        return alerts.stats({
          from,
          to,
          ...(q.region !== undefined ? { region: q.region } : {}),
          ...(q.event !== undefined ? { event: q.event } : {}),
        });
      },
    );
  };
}
