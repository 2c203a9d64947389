// /v1/alerts: issue, the lifecycle actions, one alert, its CAP XML, history. Each handler
// parses, calls the alert service, and maps the result: the service decides everything else.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { AlertInput, AlertService, AlertView, ChangeResult } from '../../alerts/types.ts';
import type { Authenticate } from '../authenticate.ts';
import {
  AlertBodyContent,
  AlertIdParams,
  AlertListQuerySchema,
  AlertListSchema,
  AlertViewSchema,
  ChangeResultSchema,
  ERROR_RESPONSES,
  IdempotencyHeaders,
  IssueResultSchema,
  RejectBodySchema,
} from '../schemas.ts';

export interface AlertRoutesDeps {
  alerts: AlertService;
  authenticate: Authenticate;
}

const XML_TYPES = new Set(['application/cap+xml', 'application/xml']);

/** A CAP JSON message is told from the short form by its CAP-only members. */
function looksLikeCapJson(body: Record<string, unknown>): boolean {
  return 'identifier' in body || 'info' in body || 'msgType' in body;
}

/** The alert a request carries, or undefined when it has no body. */
export function alertInputOf(request: FastifyRequest): AlertInput | undefined {
  const body = request.body;
  if (body === undefined || body === null) return undefined;
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (XML_TYPES.has(mediaType)) return { format: 'cap-xml', text: String(body) };
  if (typeof body === 'object' && !Array.isArray(body) && looksLikeCapJson(body as Record<string, unknown>)) {
    return { format: 'cap-json', body };
  }
  return { format: 'short', body };
}

function changeReply(result: ChangeResult) {
  return {
    alert: result.alert,
    event: { seq: result.event.seq, id: result.event.id, type: result.event.type },
  };
}

function location(alert: AlertView): string {
  return `/v1/alerts/${encodeURIComponent(alert.id)}`;
}

const tags = ['alerts'];

export function alertRoutes(deps: AlertRoutesDeps): FastifyPluginAsyncTypebox {
  const { alerts, authenticate } = deps;
  return async (app) => {
    app.post(
      '/v1/alerts',
      {
        schema: {
          tags,
          summary: 'Issue an alert (short form, CAP JSON or CAP XML)',
          description:
            '201 when issued, 202 when it waits for a second operator. The same Idempotency-Key returns the first result.',
          headers: IdempotencyHeaders,
          body: AlertBodyContent as never,
          response: { 201: IssueResultSchema, 202: IssueResultSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const actor = await authenticate(request);
        const input = alertInputOf(request);
        const key = request.headers['idempotency-key'];
        const result = await alerts.issue(
          actor,
          input ?? { format: 'short', body: undefined },
          key === undefined ? {} : { idempotencyKey: key },
        );
        if (result.replayed) reply.header('idempotent-replayed', 'true');
        return reply
          .code(result.outcome === 'issued' ? 201 : 202)
          .header('location', location(result.alert))
          .send(result);
      },
    );

    app.post(
      '/v1/alerts/:id/approve',
      {
        schema: {
          tags,
          summary: 'Approve a pending alert (by an operator other than its author)',
          params: AlertIdParams,
          response: { 200: ChangeResultSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => changeReply(await alerts.approve(await authenticate(request), request.params.id)),
    );

    app.post(
      '/v1/alerts/:id/reject',
      {
        schema: {
          tags,
          summary: 'Reject a pending alert',
          params: AlertIdParams,
          // Optional: a body is checked only when one is sent.
          body: { content: { 'application/json': { schema: RejectBodySchema } } } as never,
          response: { 200: ChangeResultSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const reason = (request.body as { reason?: string } | undefined)?.reason;
        return changeReply(await alerts.reject(await authenticate(request), request.params.id, reason));
      },
    );

    const endings = [
      ['update', 'Update an alert: a new CAP message referencing it (body required)'],
      ['all-clear', 'All-clear: a CAP Update with responseType AllClear; ends the incident (body optional)'],
      ['cancel', 'Cancel: a CAP Cancel withdrawing the incident (body optional)'],
    ] as const;
    for (const [action, summary] of endings) {
      app.post(
        `/v1/alerts/:id/${action}`,
        {
          schema: {
            tags,
            summary,
            params: AlertIdParams,
            body: AlertBodyContent as never,
            response: { 201: ChangeResultSchema, ...ERROR_RESPONSES },
          },
        },
        async (request, reply) => {
          const actor = await authenticate(request);
          const input = alertInputOf(request);
          const { id } = request.params as { id: string };
          const result =
            action === 'update'
              ? await alerts.update(actor, id, input ?? { format: 'short', body: undefined })
              : action === 'all-clear'
                ? await alerts.allClear(actor, id, input)
                : await alerts.cancel(actor, id, input);
          return reply.code(201).header('location', location(result.alert)).send(changeReply(result));
        },
      );
    }

    app.get(
      '/v1/alerts/:id.xml',
      {
        schema: {
          tags,
          summary: 'The CAP XML of an alert, exactly as issued',
          params: AlertIdParams,
          response: {
            200: {
              description: 'CAP 1.2 XML',
              content: { 'application/cap+xml': { schema: { type: 'string' } } },
            },
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request, reply) => {
        const xml = await alerts.getXml(request.params.id, await authenticate(request));
        return reply.type('application/cap+xml; charset=utf-8').send(xml);
      },
    );

    app.get(
      '/v1/alerts/:id',
      {
        schema: {
          tags,
          summary: 'One alert',
          params: AlertIdParams,
          response: { 200: AlertViewSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        return alerts.get(request.params.id, await authenticate(request));
      },
    );

    app.get(
      '/v1/alerts',
      {
        schema: {
          tags,
          summary: 'History: alerts newest first, filtered, paginated by cursor',
          querystring: AlertListQuerySchema,
          response: { 200: AlertListSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        await authenticate(request);
        const q = request.query;
        return alerts.list({
          ...(q.region !== undefined ? { region: q.region } : {}),
          ...(q.event !== undefined ? { event: q.event } : {}),
          ...(q.from !== undefined ? { from: q.from } : {}),
          ...(q.to !== undefined ? { to: q.to } : {}),
          ...(q.active !== undefined ? { active: q.active } : {}),
          ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
          ...(q.limit !== undefined ? { limit: q.limit } : {}),
        });
      },
    );
  };
}
