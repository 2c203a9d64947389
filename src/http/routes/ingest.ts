// /v1/ingest: what CAP ingest did, for operators — each configured source's last poll, the
// messages a source brought and what became of them (issued, refused and why), and the source
// an ingested alert came from (its provenance). Reads only; polling is configuration.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { TocsinError } from '../../alerts/errors.ts';
import type { IngestSource } from '../../ingest/sources.ts';
import { INGEST_OUTCOMES, type IngestRecord, type IngestStore } from '../../store/ingest-store.ts';
import { ANONYMOUS_ACTOR, type Authenticate } from '../authenticate.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

const RecordSchema = Type.Object({
  source: Type.String(),
  sender: Type.String(),
  identifier: Type.String(),
  sent: Type.String(),
  outcome: Type.Enum([...INGEST_OUTCOMES]),
  alertId: Type.Union([Type.String(), Type.Null()]),
  code: Type.Union([Type.String(), Type.Null()]),
  message: Type.Union([Type.String(), Type.Null()]),
  seenAt: Type.String({ description: 'RFC 3339' }),
});

const SourceSchema = Type.Object({
  name: Type.String(),
  url: Type.String(),
  jurisdiction: Type.Array(Type.String()),
  event: Type.String(),
  lastPollAt: Type.Union([Type.String(), Type.Null()]),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
});

const view = (r: IngestRecord) => {
  const { seenMs, ...rest } = r;
  return { ...rest, seenAt: new Date(seenMs).toISOString() };
};

export function ingestRoutes(deps: {
  sources: readonly IngestSource[];
  store: IngestStore;
  authenticate: Authenticate;
}): FastifyPluginAsyncTypebox {
  const { store } = deps;
  const byName = new Map(deps.sources.map((s) => [s.name, s]));
  const tags = ['ingest'];
  return async (app) => {
    // Sources' URLs and refusals are for operators: any authenticated actor, never anonymous.
    app.addHook('preHandler', async (request) => {
      if ((await deps.authenticate(request)) === ANONYMOUS_ACTOR) throw new TocsinError('AUTH_REQUIRED');
    });
    app.get(
      '/v1/ingest/sources',
      {
        schema: {
          tags,
          summary: 'The configured CAP sources and their last poll',
          response: { 200: Type.Object({ sources: Type.Array(SourceSchema) }), ...ERROR_RESPONSES },
        },
      },
      async () => ({
        sources: await Promise.all(
          deps.sources.map(async (s) => {
            const state = await store.getSource(s.name);
            return {
              name: s.name,
              url: s.url,
              jurisdiction: [...s.jurisdiction],
              event: s.event ?? 'other',
              lastPollAt: state?.lastPollMs == null ? null : new Date(state.lastPollMs).toISOString(),
              lastStatus: state?.lastStatus ?? null,
              lastError: state?.lastError ?? null,
            };
          }),
        ),
      }),
    );
    app.get(
      '/v1/ingest/sources/:name/messages',
      {
        schema: {
          tags,
          summary: 'The messages a source brought, newest first, and what became of each',
          params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) }),
          querystring: Type.Object(
            { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) },
            { additionalProperties: false },
          ),
          response: { 200: Type.Object({ messages: Type.Array(RecordSchema) }), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { name } = request.params;
        if (!byName.has(name) && name !== 'cli')
          throw new TocsinError('QUERY_INVALID', `No ingest source ${JSON.stringify(name)}`, [
            { path: 'name', message: `expected one of ${[...byName.keys(), 'cli'].join(', ')}` },
          ]);
        return { messages: (await store.list(name, request.query.limit ?? 50)).map(view) };
      },
    );
    app.get(
      '/v1/ingest/alerts/:id',
      {
        schema: {
          tags,
          summary: 'Provenance of an alert: the source and upstream message it was ingested from',
          params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) }),
          response: { 200: RecordSchema, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const found = await store.sourceOfAlert(request.params.id);
        if (!found) throw new TocsinError('ALERT_NOT_FOUND', 'No ingested alert with this id');
        return view(found);
      },
    );
  };
}
