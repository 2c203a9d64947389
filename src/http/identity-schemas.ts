// TypeBox schemas of the session, operator and token endpoints.
import Type from 'typebox';
import { ROLES } from '../alerts/actor.ts';

const Role = Type.Enum([...ROLES]);
const Roles = Type.Array(Role, { minItems: 1, maxItems: ROLES.length });
const Codes = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  minItems: 1,
  maxItems: 500,
  description: 'Region codes; descendants included.',
});

export const OperatorViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  roles: Type.Array(Role),
  jurisdiction: Type.Array(Type.String()),
  mustChangePassword: Type.Boolean(),
  disabled: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const LoginBodySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    as: Type.Optional(
      Type.Enum(['cookie', 'token'], {
        description: 'cookie (default): a console session; token: a short-lived bearer token.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const LoginResultSchema = Type.Object({
  operator: OperatorViewSchema,
  mustChangePassword: Type.Boolean(),
  expiresAt: Type.String(),
  csrfToken: Type.Optional(
    Type.String({ description: 'Send as X-CSRF-Token on every request that changes something.' }),
  ),
  token: Type.Optional(Type.String({ description: 'The bearer token (shown once).' })),
});

export const PasswordBodySchema = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    newPassword: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export const WhoAmISchema = Type.Object({
  actor: Type.Object({
    id: Type.String(),
    name: Type.String(),
    kind: Type.String(),
    roles: Type.Array(Type.String()),
    jurisdiction: Type.Array(Type.String()),
  }),
  via: Type.Enum(['session', 'token']),
  mustChangePassword: Type.Boolean(),
});

export const NewOperatorSchema = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }), roles: Roles, jurisdiction: Codes },
  { additionalProperties: false },
);

export const OperatorPatchSchema = Type.Object(
  {
    roles: Type.Optional(Roles),
    jurisdiction: Type.Optional(Codes),
    disabled: Type.Optional(Type.Boolean()),
    resetPassword: Type.Optional(
      Type.Boolean({ description: 'true: a new one-time password (returned once).' }),
    ),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const OperatorWithPasswordSchema = Type.Object({
  operator: OperatorViewSchema,
  password: Type.Optional(
    Type.String({ description: 'One-time password, shown once; must be changed at first login.' }),
  ),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const TokenViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  operatorId: Type.Union([Type.String(), Type.Null()]),
  roles: Type.Array(Type.String()),
  jurisdiction: Type.Array(Type.String()),
  createdAt: Type.String(),
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});

export const NewTokenSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    roles: Type.Optional(Roles),
    jurisdiction: Type.Optional(Codes),
    expiresIn: Type.Optional(
      Type.String({ maxLength: 16, description: '`90s`, `15m`, `12h`, `30d` or `never`; default 90d.' }),
    ),
  },
  { additionalProperties: false },
);

export const MintedTokenSchema = Type.Object({
  token: Type.String({ description: 'The secret, shown once.' }),
  info: TokenViewSchema,
});
