// /v1/templates: pre-approved alerts (issue 5 §2). Admins write them; an admin and a second,
// different approver approve them; an author fires one with { "confirm": true } and it is issued
// at once. The rules live in src/alerts/templates.ts; this file only translates.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { TemplateService } from '../../alerts/templates.ts';
import type { Authenticate } from '../authenticate.ts';
import { ERROR_RESPONSES, IssueResultSchema } from '../schemas.ts';

export interface TemplateRoutesDeps {
  templates: TemplateService;
  authenticate: Authenticate;
}

const tags = ['templates'];

const TemplateInputSchema = Type.Object(
  {
    name: Type.String({ description: '1 to 100 characters, unique.' }),
    alert: Type.Record(Type.String(), Type.Unknown(), {
      description:
        'The short form of the alert (event, regions, status — required —, headline, instruction, description, expiresInMinutes, note). Checked as issuing would check it.',
    }),
  },
  { additionalProperties: false },
);

const TemplateViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  event: Type.String(),
  regions: Type.Array(Type.String()),
  alert: Type.Record(Type.String(), Type.Unknown()),
  revision: Type.Integer({ description: 'Bumped by every edit; an edit clears the approvals.' }),
  createdBy: Type.String(),
  created: Type.String({ format: 'date-time' }),
  updated: Type.String({ format: 'date-time' }),
  approvals: Type.Array(
    Type.Object({ by: Type.String(), name: Type.String(), admin: Type.Boolean(), at: Type.String() }),
  ),
  approved: Type.Boolean({
    description: 'Two different people, one of them an admin, approved this revision: authors may fire it.',
  }),
});

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });
const ApproveBodySchema = Type.Union([
  Type.Object(
    {
      revision: Type.Optional(
        Type.Integer({ minimum: 1, description: 'The revision reviewed; refused if it changed since.' }),
      ),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);

export function templateRoutes(deps: TemplateRoutesDeps): FastifyPluginAsyncTypebox {
  const { templates, authenticate } = deps;
  return async (app) => {
    app.get(
      '/v1/templates',
      {
        schema: {
          tags,
          summary: 'Templates (operators)',
          response: { 200: Type.Object({ templates: Type.Array(TemplateViewSchema) }), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        await authenticate(request);
        return { templates: await templates.list() };
      },
    );

    app.get(
      '/v1/templates/:id',
      {
        schema: {
          tags,
          summary: 'One template',
          params: IdParams,
          response: { 200: TemplateViewSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        await authenticate(request);
        return templates.get(request.params.id);
      },
    );

    app.post(
      '/v1/templates',
      {
        schema: {
          tags,
          summary: 'Create a template (admin); it needs two approvals before it can be fired',
          body: TemplateInputSchema,
          response: { 201: TemplateViewSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const view = await templates.create(await authenticate(request), request.body);
        return reply
          .code(201)
          .header('location', `/v1/templates/${encodeURIComponent(view.id)}`)
          .send(view);
      },
    );

    app.put(
      '/v1/templates/:id',
      {
        schema: {
          tags,
          summary: 'Replace a template (admin); clears every approval',
          params: IdParams,
          body: TemplateInputSchema,
          response: { 200: TemplateViewSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => templates.update(await authenticate(request), request.params.id, request.body),
    );

    app.post(
      '/v1/templates/:id/approve',
      {
        schema: {
          tags,
          summary: 'Approve a template (approver or admin; two different people, one an admin)',
          params: IdParams,
          body: ApproveBodySchema,
          response: { 200: TemplateViewSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const revision = (request.body as { revision?: number } | null | undefined)?.revision;
        return templates.approve(await authenticate(request), request.params.id, revision);
      },
    );

    app.post(
      '/v1/templates/:id/fire',
      {
        schema: {
          tags,
          summary: 'Fire an approved template (author, within jurisdiction): issued at once',
          description:
            'The body must be exactly { "confirm": true }; anything else is 400 TEMPLATE_CONFIRMATION_REQUIRED and nothing is issued.',
          params: IdParams,
          response: { 201: IssueResultSchema, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const result = await templates.fire(await authenticate(request), request.params.id, request.body);
        return reply
          .code(201)
          .header('location', `/v1/alerts/${encodeURIComponent(result.alert.id)}`)
          .send(result);
      },
    );
  };
}
