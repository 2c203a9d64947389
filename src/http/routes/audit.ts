// GET /v1/audit: the hash-chained audit log for admins, newest first, filtered, by cursor.
// Each record carries its seq, prevHash and hash, so a client can check the chain it reads.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { TocsinError } from '../../alerts/errors.ts';
import type { AuditStore } from '../../store/audit-store.ts';
import type { Authenticate } from '../authenticate.ts';
import { ERROR_RESPONSES } from '../schemas.ts';

export interface AuditRoutesDeps {
  audit: AuditStore;
  authenticate: Authenticate;
  /** Throws AUTH_FORBIDDEN unless the actor may read the audit log (admins). */
  authorizeRead: (actor: Awaited<ReturnType<Authenticate>>) => void;
}

const DEFAULT_LIMIT = 50;

const AuditQuerySchema = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 100, description: 'e.g. alert.issued, session.login' })),
    actor: Type.Optional(Type.String({ maxLength: 256, description: 'Operator, token or system id.' })),
    target: Type.Optional(
      Type.String({ maxLength: 256, description: 'Id of the alert, template, token, ...' }),
    ),
    from: Type.Optional(Type.String({ maxLength: 64, description: 'RFC 3339; records at or after.' })),
    to: Type.Optional(Type.String({ maxLength: 64, description: 'RFC 3339; records before.' })),
    cursor: Type.Optional(Type.String({ maxLength: 40 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: DEFAULT_LIMIT })),
  },
  { additionalProperties: false },
);

const AuditRecordSchema = Type.Object({
  seq: Type.Integer(),
  time: Type.String({ format: 'date-time' }),
  timeMs: Type.Integer(),
  actor: Type.Object({ id: Type.String(), name: Type.String(), kind: Type.String() }),
  action: Type.String(),
  target: Type.Optional(Type.Object({ type: Type.String(), id: Type.String() })),
  regions: Type.Optional(Type.Array(Type.String())),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  eventSeq: Type.Optional(Type.Integer()),
  prevHash: Type.String(),
  hash: Type.String({
    description:
      'SHA-256 (hex) of the RFC 8785 canonical JSON of the record without hash (and without the derived time).',
  }),
});

export function auditRoutes(deps: AuditRoutesDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/audit',
      {
        schema: {
          tags: ['audit'],
          summary: 'The audit log (admins), newest first',
          querystring: AuditQuerySchema,
          response: {
            200: Type.Object({
              items: Type.Array(AuditRecordSchema),
              nextCursor: Type.Union([Type.String(), Type.Null()]),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) => {
        deps.authorizeRead(await deps.authenticate(request));
        const q = request.query;
        const limit = q.limit ?? DEFAULT_LIMIT;
        const records = await deps.audit.list({
          limit,
          ...(q.action === undefined ? {} : { action: q.action }),
          ...(q.actor === undefined ? {} : { actorId: q.actor }),
          ...(q.target === undefined ? {} : { targetId: q.target }),
          ...(q.from === undefined ? {} : { fromMs: timeParam('from', q.from) }),
          ...(q.to === undefined ? {} : { toMs: timeParam('to', q.to) }),
          ...(q.cursor === undefined ? {} : { beforeSeq: decodeCursor(q.cursor) }),
        });
        const last = records.at(-1);
        return {
          items: records.map((r) => ({ ...r, time: new Date(r.timeMs).toISOString() })),
          nextCursor:
            records.length === limit && last ? Buffer.from(`a${last.seq}`).toString('base64url') : null,
        };
      },
    );
  };
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

function timeParam(name: string, value: string): number {
  const ms = RFC3339.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw queryError(name, 'expected an RFC 3339 date-time with offset');
  return ms;
}

function decodeCursor(cursor: string): number {
  const match = /^a(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw queryError('cursor', 'not a cursor this server returned');
  return Number(match[1]);
}

function queryError(path: string, message: string): TocsinError {
  return new TocsinError('QUERY_INVALID', `Query parameter ${path}: ${message}`, [{ path, message }]);
}
