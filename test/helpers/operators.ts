// Operators in integration tests: create them through the real CLI or API, log in, and keep
// each one's credentials (a session cookie with its CSRF token, or a bearer token).
import assert from 'node:assert/strict';
import { runCli } from './cli.ts';

export interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: replies are checked field by field
  json: any;
  text: string;
}

/** One caller's credentials: headers to send on every request. */
export interface Credentials {
  headers: Record<string, string>;
}

export async function call(
  base: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; credentials?: Credentials } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.credentials?.headers, ...options.headers };
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/** The `name=value` pairs of a response's Set-Cookie headers. */
export function cookiesOf(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = (pair as string).indexOf('=');
    out[(pair as string).slice(0, eq)] = (pair as string).slice(eq + 1);
  }
  return out;
}

/** Logs in with a session cookie; the credentials carry the cookie and the CSRF header. */
export async function loginSession(base: string, name: string, password: string): Promise<Credentials> {
  const reply = await call(base, 'POST', '/v1/session', { body: { name, password } });
  assert.equal(reply.status, 201, reply.text);
  const cookie = cookiesOf(reply.headers).tocsin_session as string;
  return { headers: { cookie: `tocsin_session=${cookie}`, 'x-csrf-token': reply.json.csrfToken } };
}

/** Logs in for a short-lived bearer token. */
export async function loginToken(base: string, name: string, password: string): Promise<Credentials> {
  const reply = await call(base, 'POST', '/v1/session', { body: { name, password, as: 'token' } });
  assert.equal(reply.status, 201, reply.text);
  return { headers: { authorization: `Bearer ${reply.json.token}` } };
}

/** `tocsin admin create` on a data dir; returns the one-time password it printed. */
export async function createAdminWithCli(dataDir: string, name: string): Promise<string> {
  const result = await runCli(['admin', 'create', '--name', name, '--data-dir', dataDir, '--json'], {
    env: { DATABASE_URL: '' },
  });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout).password as string;
}

/** Creates an operator through the API (as `admin`) and sets its own password; returns its session. */
export async function createOperator(
  base: string,
  admin: Credentials,
  spec: { name: string; roles: string[]; jurisdiction: string[] },
  as: 'session' | 'token' = 'session',
): Promise<{ id: string; credentials: Credentials; password: string }> {
  const created = await call(base, 'POST', '/v1/operators', { body: spec, credentials: admin });
  assert.equal(created.status, 201, created.text);
  const password = `Str0ng passphrase ${spec.roles.join(' ')} ${spec.jurisdiction.join(' ')}`;
  const first = await loginSession(base, spec.name, created.json.password);
  const changed = await call(base, 'POST', '/v1/session/password', {
    body: { currentPassword: created.json.password, newPassword: password },
    credentials: first,
  });
  assert.equal(changed.status, 200, changed.text);
  const credentials =
    as === 'session'
      ? await loginSession(base, spec.name, password)
      : await loginToken(base, spec.name, password);
  return { id: created.json.operator.id, credentials, password };
}
