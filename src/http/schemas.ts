// TypeBox schemas of what the HTTP API accepts and returns. A response schema is also the
// allow-list of what leaves the server: Fastify serialises replies through it, so a field
// the domain adds later stays inside until it is named here.
import Type from 'typebox';
import { STATUSES } from '../cap/types.ts';
import { ALERT_STATES, END_REASONS } from '../store/store.ts';

export const ErrorDetailSchema = Type.Object({
  code: Type.Optional(Type.String()),
  path: Type.Optional(Type.String()),
  message: Type.String(),
  severity: Type.Optional(Type.Enum(['error', 'warning'])),
  line: Type.Optional(Type.Integer()),
  column: Type.Optional(Type.Integer()),
});

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable error code (see docs/server.md).' }),
      message: Type.String(),
      details: Type.Array(ErrorDetailSchema),
    }),
  },
  { description: 'Every error has this shape.' },
);

/** The error replies every route can give, for its response map. */
export const ERROR_RESPONSES = { '4xx': ErrorSchema, '5xx': ErrorSchema } as const;

export const RegionLinkSchema = Type.Object({
  code: Type.String(),
  coverage: Type.Number({ description: 'Fraction of the region the alert area covers, 0 < coverage ≤ 1.' }),
  whole: Type.Boolean(),
});

/** The CAP message as JSON (CAP 1.2 element names); passed through whole. */
export const CapJsonSchema = Type.Object(
  {
    identifier: Type.String(),
    sender: Type.String(),
    sent: Type.String(),
    status: Type.Enum([...STATUSES]),
    msgType: Type.String(),
    scope: Type.String(),
  },
  { additionalProperties: true, description: 'The CAP 1.2 message (element names as in the specification).' },
);

export const AlertViewSchema = Type.Object({
  id: Type.String({ description: 'CAP identifier.' }),
  incident: Type.String({
    description: 'Identifier of the first alert of the chain linked by `references`.',
  }),
  state: Type.Enum([...ALERT_STATES]),
  event: Type.String({ description: 'Tocsin event type, e.g. air_raid.' }),
  status: Type.Enum([...STATUSES]),
  msgType: Type.String(),
  sent: Type.String(),
  expires: Type.Union([Type.String(), Type.Null()]),
  regions: Type.Array(RegionLinkSchema),
  author: Type.String(),
  approver: Type.Union([Type.String(), Type.Null()]),
  active: Type.Boolean({ description: 'Whether the incident is still active.' }),
  endReason: Type.Union([Type.Enum([...END_REASONS]), Type.Null()]),
  cap: CapJsonSchema,
});

export const IssueResultSchema = Type.Object({
  outcome: Type.Enum(['issued', 'pending']),
  alert: AlertViewSchema,
  replayed: Type.Boolean({ description: 'True when the Idempotency-Key matched an earlier request.' }),
});

export const EventRefSchema = Type.Object({
  seq: Type.Integer(),
  id: Type.String(),
  type: Type.String(),
});

export const ChangeResultSchema = Type.Object({ alert: AlertViewSchema, event: EventRefSchema });

export const AlertListSchema = Type.Object({
  items: Type.Array(AlertViewSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const AlertIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 256 }) });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: '^[\\x21-\\x7e]+$',
      description: 'Retrying with the same key returns the first result and never issues twice.',
    }),
  ),
});

const RFC3339 = { format: 'date-time', description: 'RFC 3339 with offset.' } as const;

export const AlertListQuerySchema = Type.Object(
  {
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    event: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    from: Type.Optional(Type.String(RFC3339)),
    to: Type.Optional(Type.String(RFC3339)),
    active: Type.Optional(Type.Boolean()),
    cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);

export const StatsQuerySchema = Type.Object(
  {
    region: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    event: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    from: Type.Optional(
      Type.String({ ...RFC3339, description: 'Start of the period; default 30 days before `to`.' }),
    ),
    to: Type.Optional(Type.String({ ...RFC3339, description: 'End of the period; default now.' })),
  },
  { additionalProperties: false },
);

export const StatsSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  rows: Type.Array(
    Type.Object({
      region: Type.String(),
      event: Type.String(),
      count: Type.Integer(),
      totalSeconds: Type.Number(),
      longestSeconds: Type.Number(),
      underAlertSeconds: Type.Number({
        description: 'Union of alert intervals (overlaps merged), clipped to the period.',
      }),
    }),
  ),
});

export const RejectBodySchema = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);

/** A JSON alert body: the short form of DESIGN.md, or CAP JSON; the lifecycle checks its content. */
export const JsonAlertBodySchema = Type.Object(
  {},
  {
    additionalProperties: true,
    description:
      'Short form `{ event, regions, status?, headline?, instruction?, description?, expires?, expiresInMinutes?, note? }`, or a CAP message as JSON (has `identifier`/`info`/`msgType`).',
    examples: [
      {
        event: 'air_raid',
        regions: ['UA-59'],
        status: 'Actual',
        headline: { uk: 'Повітряна тривога', en: 'Air raid alert' },
      },
    ],
  },
);

export const XmlAlertBodySchema = Type.String({ description: 'A CAP 1.2 message as XML.' });

/** Bodies of POSTs that carry an alert: JSON (short form or CAP JSON) or CAP XML. */
export const AlertBodyContent = {
  content: {
    'application/json': { schema: JsonAlertBodySchema },
    'application/cap+xml': { schema: XmlAlertBodySchema },
    'application/xml': { schema: XmlAlertBodySchema },
  },
} as const;
