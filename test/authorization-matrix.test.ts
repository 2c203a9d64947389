// The authorisation matrix: every mutating endpoint × role (and no credentials) × target
// inside / outside the jurisdiction × session cookie / bearer token, each cell with its exact
// status and error code. The cells are generated from the tables below; one assertion
// compares the whole observed table with the expected one, so a failure lists every wrong cell.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ROLES, type Role } from '../src/alerts/actor.ts';
import { storeToken } from '../src/auth/tokens.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { type Credentials, call, createOperator } from './helpers/operators.ts';

type Place = 'in' | 'out';
type Via = 'session' | 'token';
interface Caller {
  role: Role;
  via: Via;
  operatorId: string;
  credentials: Credentials;
}
interface RequestSpec {
  method: string;
  path: string;
  body?: unknown;
}
interface Endpoint {
  name: string;
  /** Roles that may act on a target inside their jurisdiction. */
  allowed: readonly Role[];
  /** Roles that may act on a target outside it (default none). */
  allowedOutside?: readonly Role[];
  /** Status of a permitted call. */
  success: number;
  /** Builds a fresh target for one cell and the request that acts on it. */
  prepare(place: Place, caller: Caller | undefined): Promise<RequestSpec>;
}

const HOME = 'UA-59'; // Sumy oblast: every operator's jurisdiction
const AWAY = 'UA-63'; // Kharkiv oblast: outside it
const region = (place: Place) => (place === 'in' ? HOME : AWAY);

let hub: TestHub;
const callers: Caller[] = [];
let counter = 0;

async function fixtureAlert(place: Place, kind: 'pending' | 'issued'): Promise<string> {
  const reply = await call(hub.url, 'POST', '/v1/alerts', {
    body: { event: kind === 'pending' ? 'air_raid' : 'power_outage', regions: [region(place)] },
    headers: hub.headers,
  });
  assert.equal(reply.status, kind === 'pending' ? 202 : 201, reply.text);
  return encodeURIComponent(reply.json.alert.id);
}

async function fixtureOperator(place: Place): Promise<string> {
  counter += 1;
  const id = `op_fixture_${counter}`;
  await hub.store.identity.createOperator({
    id,
    name: `fixture-${counter}`,
    roles: ['viewer'],
    jurisdiction: [region(place)],
    passwordHash: 'scrypt$1$1$1$AA$AA',
    mustChangePassword: false,
    disabled: false,
    createdMs: Date.now(),
    updatedMs: Date.now(),
  });
  return id;
}

const ENDPOINTS: Endpoint[] = [
  {
    name: 'POST /v1/alerts',
    allowed: ['author', 'admin'],
    success: 202, // air raid: Extreme, held for a second operator
    prepare: async (place) => ({
      method: 'POST',
      path: '/v1/alerts',
      body: { event: 'air_raid', regions: [region(place)] },
    }),
  },
  {
    name: 'POST /v1/alerts/{id}/approve',
    allowed: ['approver', 'admin'],
    success: 200,
    prepare: async (place) => ({
      method: 'POST',
      path: `/v1/alerts/${await fixtureAlert(place, 'pending')}/approve`,
    }),
  },
  {
    name: 'POST /v1/alerts/{id}/reject',
    allowed: ['approver', 'admin'],
    success: 200,
    prepare: async (place) => ({
      method: 'POST',
      path: `/v1/alerts/${await fixtureAlert(place, 'pending')}/reject`,
    }),
  },
  {
    name: 'POST /v1/alerts/{id}/update',
    allowed: ['author', 'admin'],
    success: 201,
    prepare: async (place) => ({
      method: 'POST',
      path: `/v1/alerts/${await fixtureAlert(place, 'issued')}/update`,
      body: { event: 'power_outage', regions: [region(place)] },
    }),
  },
  {
    name: 'POST /v1/alerts/{id}/all-clear',
    allowed: ['author', 'admin'],
    success: 201,
    prepare: async (place) => ({
      method: 'POST',
      path: `/v1/alerts/${await fixtureAlert(place, 'issued')}/all-clear`,
    }),
  },
  {
    name: 'POST /v1/alerts/{id}/cancel',
    allowed: ['author', 'approver', 'admin'],
    success: 201,
    prepare: async (place) => ({
      method: 'POST',
      path: `/v1/alerts/${await fixtureAlert(place, 'issued')}/cancel`,
    }),
  },
  {
    name: 'POST /v1/operators',
    allowed: ['admin'],
    success: 201,
    prepare: async (place) => {
      counter += 1;
      return {
        method: 'POST',
        path: '/v1/operators',
        body: { name: `made-${counter}`, roles: ['viewer'], jurisdiction: [region(place)] },
      };
    },
  },
  {
    name: 'PATCH /v1/operators/{id}',
    allowed: ['admin'],
    success: 200,
    prepare: async (place) => ({
      method: 'PATCH',
      path: `/v1/operators/${await fixtureOperator(place)}`,
      body: { roles: ['viewer', 'author'] },
    }),
  },
  {
    name: 'DELETE /v1/operators/{id}',
    allowed: ['admin'],
    success: 204,
    prepare: async (place) => ({ method: 'DELETE', path: `/v1/operators/${await fixtureOperator(place)}` }),
  },
  {
    name: 'POST /v1/tokens',
    allowed: ['viewer', 'author', 'approver', 'admin'],
    success: 201,
    prepare: async (place) => ({
      method: 'POST',
      path: '/v1/tokens',
      body: { name: 'automation', jurisdiction: [region(place)], expiresIn: '1h' },
    }),
  },
  {
    // Tokens have no regions: "in" is a token of one's own, "out" somebody else's.
    name: 'DELETE /v1/tokens/{id}',
    allowed: ['viewer', 'author', 'approver', 'admin'],
    allowedOutside: ['admin'],
    success: 204,
    prepare: async (place, caller) => {
      const { token } = await storeToken(
        hub.store.identity,
        {
          name: 'target',
          roles: ['viewer'],
          jurisdiction: [HOME],
          expiresMs: null,
          operatorId: place === 'in' && caller ? caller.operatorId : 'op_somebody_else',
        },
        Date.now(),
      );
      return { method: 'DELETE', path: `/v1/tokens/${token.id}` };
    },
  },
];

/** The expected outcome of one cell: `status` or `status CODE/DETAIL`. */
function expected(endpoint: Endpoint, role: Role | 'anonymous', place: Place): string {
  if (role === 'anonymous') return '401 AUTH_REQUIRED';
  if (!endpoint.allowed.includes(role)) return '403 AUTH_FORBIDDEN/AUTH_ROLE';
  if (place === 'out' && !(endpoint.allowedOutside ?? []).includes(role)) {
    return endpoint.name.startsWith('DELETE /v1/tokens')
      ? '403 AUTH_FORBIDDEN/AUTH_ROLE'
      : '403 AUTH_FORBIDDEN/AUTH_JURISDICTION';
  }
  return String(endpoint.success);
}

function outcome(reply: {
  status: number;
  json: { error?: { code: string; details: { code?: string }[] } };
}): string {
  const error = reply.json?.error;
  if (!error) return String(reply.status);
  const detail = error.details[0]?.code;
  return `${reply.status} ${error.code}${detail ? `/${detail}` : ''}`;
}

describe('authorisation matrix', () => {
  before(async () => {
    hub = await startTestHub({ configure: (c) => (c.alerts.twoPersonRule = true) });
    const admin = hub.headers;
    for (const role of ROLES) {
      for (const via of ['session', 'token'] as const) {
        const made = await createOperator(
          hub.url,
          { headers: admin },
          { name: `${role}-${via}`, roles: [role], jurisdiction: [HOME] },
          via,
        );
        callers.push({ role, via, operatorId: made.id, credentials: made.credentials });
      }
    }
  });
  after(() => hub.stop());

  for (const endpoint of ENDPOINTS) {
    test(endpoint.name, async () => {
      const want: Record<string, string> = {};
      const got: Record<string, string> = {};
      for (const place of ['in', 'out'] as const) {
        const anonymous = await endpoint.prepare(place, undefined);
        const cell = `anonymous ${place}`;
        want[cell] = expected(endpoint, 'anonymous', place);
        got[cell] = outcome(
          await call(
            hub.url,
            anonymous.method,
            anonymous.path,
            anonymous.body === undefined ? {} : { body: anonymous.body },
          ),
        );
        for (const caller of callers) {
          const spec = await endpoint.prepare(place, caller);
          const key = `${caller.role} ${place} ${caller.via}`;
          want[key] = expected(endpoint, caller.role, place);
          got[key] = outcome(
            await call(hub.url, spec.method, spec.path, {
              credentials: caller.credentials,
              ...(spec.body === undefined ? {} : { body: spec.body }),
            }),
          );
        }
      }
      assert.equal(Object.keys(got).length, 2 * (1 + ROLES.length * 2));
      assert.deepEqual(got, want);
    });
  }
});
