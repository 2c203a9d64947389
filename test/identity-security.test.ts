// Identity and HTTP hardening through a real hub: revoked and expired tokens refused at once,
// login lock-out per name and per address, the one-time password, CSRF, CORS, security
// headers, cookie attributes, per-token rate limits, logout and disabling.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { storeToken } from '../src/auth/tokens.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { call, cookiesOf, createOperator, loginSession } from './helpers/operators.ts';

const CONSOLE = 'https://console.example.org';
const air = { event: 'power_outage', regions: ['UA-59'] };

describe('tokens, sessions, CSRF, CORS and headers', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub({
      configure: (c) => {
        c.auth.corsOrigins = CONSOLE;
        c.server.trustProxy = true;
      },
    });
  });
  after(() => hub.stop());

  test('a revoked token is refused on its next request; an expired one at once', async () => {
    const minted = await call(hub.url, 'POST', '/v1/tokens', {
      body: { name: 'siren-gateway', roles: ['author'], jurisdiction: ['UA-59'], expiresIn: '30d' },
      headers: hub.headers,
    });
    assert.equal(minted.status, 201, minted.text);
    assert.match(minted.json.token, /^tocsin_[A-Za-z0-9_-]{43}$/);
    assert.equal(minted.headers.get('cache-control'), 'no-store');
    const bearer = { headers: { authorization: `Bearer ${minted.json.token}` } };
    assert.equal((await call(hub.url, 'POST', '/v1/alerts', { body: air, credentials: bearer })).status, 201);
    const listed = await call(hub.url, 'GET', '/v1/tokens', { headers: hub.headers });
    assert.ok(listed.json.tokens.some((t: { id: string }) => t.id === minted.json.info.id));
    assert.doesNotMatch(listed.text, new RegExp(minted.json.token), 'a listing never shows secrets');

    const revoked = await call(hub.url, 'DELETE', `/v1/tokens/${minted.json.info.id}`, {
      headers: hub.headers,
    });
    assert.equal(revoked.status, 204);
    const before = await hub.store.latestSeq();
    const refused = await call(hub.url, 'POST', '/v1/alerts', { body: air, credentials: bearer });
    assert.equal(refused.status, 401);
    assert.equal(refused.json.error.code, 'AUTH_TOKEN_INVALID');
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
    // A dead token is refused on public reads too: its holder must learn it is dead.
    assert.equal((await call(hub.url, 'GET', '/v1/state', { credentials: bearer })).status, 401);
    assert.equal(await hub.store.latestSeq(), before, 'nothing was written');

    const { secret } = await storeToken(
      hub.store.identity,
      { name: 'old', roles: ['author'], jurisdiction: ['UA'], expiresMs: Date.now() - 1, operatorId: null },
      Date.now() - 60_000,
    );
    const expired = await call(hub.url, 'POST', '/v1/alerts', {
      body: air,
      headers: { authorization: `Bearer ${secret}` },
    });
    assert.equal(expired.status, 401);
    assert.equal(expired.json.error.code, 'AUTH_TOKEN_INVALID');

    for (const bad of [
      'Bearer',
      'Bearer tocsin_short',
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      `Bearer ${'x'.repeat(5000)}`,
    ]) {
      const reply = await call(hub.url, 'POST', '/v1/alerts', { body: air, headers: { authorization: bad } });
      assert.equal(reply.status, 401, bad.slice(0, 20));
      assert.equal(reply.json.error.code, 'AUTH_TOKEN_INVALID');
    }
  });

  test('operator endpoints need credentials; public reads do not', async () => {
    for (const [method, path] of [
      ['POST', '/v1/alerts'],
      ['GET', '/v1/operators'],
      ['GET', '/v1/tokens'],
      ['POST', '/v1/tokens'],
    ] as const) {
      const reply = await call(hub.url, method, path, method === 'POST' ? { body: {} } : {});
      assert.equal(reply.status, 401, `${method} ${path}`);
      assert.equal(reply.json.error.code, 'AUTH_REQUIRED');
    }
    for (const path of ['/v1/state', '/v1/regions/UA-59', '/v1/alerts', '/.well-known/tocsin/keys.json']) {
      assert.equal((await call(hub.url, 'GET', path)).status, 200, path);
    }
  });

  test('a session cookie is HttpOnly, SameSite=Strict, Secure only over TLS; a change without X-CSRF-Token is refused', async () => {
    const author = await createOperator(
      hub.url,
      { headers: hub.headers },
      {
        name: 'kateryna',
        roles: ['author'],
        jurisdiction: ['UA-59'],
      },
    );
    const login = await call(hub.url, 'POST', '/v1/session', {
      body: { name: 'kateryna', password: author.password },
    });
    const [session, csrfCookie] = login.headers.getSetCookie();
    assert.match(
      session as string,
      /^tocsin_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/,
    );
    assert.match(
      csrfCookie as string,
      /^tocsin_csrf=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; SameSite=Strict$/,
    );
    assert.equal(cookiesOf(login.headers).tocsin_csrf, login.json.csrfToken);
    const tls = await call(hub.url, 'POST', '/v1/session', {
      body: { name: 'kateryna', password: author.password },
      headers: { 'x-forwarded-proto': 'https' },
    });
    assert.match(tls.headers.getSetCookie()[0] as string, /; Secure$/);
    assert.match(tls.headers.get('strict-transport-security') ?? '', /max-age=\d+/);
    assert.equal(login.headers.get('strict-transport-security'), null, 'no HSTS over plain HTTP');

    const cookie = { cookie: `tocsin_session=${cookiesOf(login.headers).tocsin_session}` };
    const before = await hub.store.latestSeq();
    const without = await call(hub.url, 'POST', '/v1/alerts', { body: air, headers: cookie });
    assert.equal(without.status, 403);
    assert.equal(without.json.error.code, 'AUTH_CSRF');
    const wrong = await call(hub.url, 'POST', '/v1/alerts', {
      body: air,
      headers: { ...cookie, 'x-csrf-token': cookiesOf(tls.headers).tocsin_csrf as string },
    });
    assert.equal(wrong.status, 403, 'another session’s CSRF token does not fit');
    assert.equal(await hub.store.latestSeq(), before);
    const right = await call(hub.url, 'POST', '/v1/alerts', {
      body: air,
      headers: { ...cookie, 'x-csrf-token': login.json.csrfToken },
    });
    assert.equal(right.status, 201, right.text);
    // Reads need no CSRF token.
    assert.equal(
      (await call(hub.url, 'GET', '/v1/session', { headers: cookie })).json.actor.name,
      'kateryna',
    );

    const out = await call(hub.url, 'DELETE', '/v1/session', {
      headers: { ...cookie, 'x-csrf-token': login.json.csrfToken },
    });
    assert.equal(out.status, 204);
    assert.match(out.headers.getSetCookie()[0] as string, /^tocsin_session=; Path=\/; Max-Age=0/);
    const after = await call(hub.url, 'GET', '/v1/session', { headers: cookie });
    assert.equal(after.status, 401);
  });

  test('an operator with a one-time password may do nothing else; a disabled operator’s session ends at once', async () => {
    const created = await call(hub.url, 'POST', '/v1/operators', {
      body: { name: 'taras', roles: ['author'], jurisdiction: ['UA-59'] },
      headers: hub.headers,
    });
    assert.equal(created.status, 201);
    const asToken = await call(hub.url, 'POST', '/v1/session', {
      body: { name: 'taras', password: created.json.password, as: 'token' },
    });
    assert.equal(asToken.json.mustChangePassword, true);
    const bearer = { authorization: `Bearer ${asToken.json.token}` };
    for (const [method, path, body] of [
      ['POST', '/v1/alerts', air],
      ['POST', '/v1/tokens', { name: 'x' }],
      ['GET', '/v1/tokens', undefined],
    ] as const) {
      const reply = await call(hub.url, method, path, { headers: bearer, ...(body ? { body } : {}) });
      assert.equal(reply.status, 403, `${method} ${path}`);
      assert.equal(reply.json.error.code, 'AUTH_PASSWORD_CHANGE_REQUIRED');
    }
    const weak = await call(hub.url, 'POST', '/v1/session/password', {
      body: { currentPassword: created.json.password, newPassword: 'short' },
      headers: bearer,
    });
    assert.equal(weak.status, 422);
    assert.equal(weak.json.error.code, 'AUTH_PASSWORD_WEAK');
    const changed = await call(hub.url, 'POST', '/v1/session/password', {
      body: { currentPassword: created.json.password, newPassword: 'a much longer pass phrase' },
      headers: bearer,
    });
    assert.equal(changed.status, 200, changed.text);
    assert.equal((await call(hub.url, 'POST', '/v1/alerts', { body: air, headers: bearer })).status, 201);

    const session = await loginSession(hub.url, 'taras', 'a much longer pass phrase');
    assert.equal((await call(hub.url, 'GET', '/v1/session', { credentials: session })).status, 200);
    const disabled = await call(hub.url, 'DELETE', `/v1/operators/${created.json.operator.id}`, {
      headers: hub.headers,
    });
    assert.equal(disabled.status, 204);
    assert.equal((await call(hub.url, 'GET', '/v1/session', { credentials: session })).status, 401);
    assert.equal((await call(hub.url, 'POST', '/v1/alerts', { body: air, headers: bearer })).status, 401);
    const relogin = await call(hub.url, 'POST', '/v1/session', {
      body: { name: 'taras', password: 'a much longer pass phrase' },
    });
    assert.equal(relogin.status, 401);
    assert.equal(relogin.json.error.code, 'AUTH_INVALID_CREDENTIALS');
  });

  test('CORS: the operator API refuses a foreign Origin and allows the configured one; the public read API allows any', async () => {
    const foreign = { origin: 'https://evil.example' };
    const refused = await call(hub.url, 'POST', '/v1/alerts', {
      body: air,
      headers: { ...hub.headers, ...foreign },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.json.error.code, 'AUTH_ORIGIN_FORBIDDEN');
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    const login = await call(hub.url, 'POST', '/v1/session', {
      body: { name: 'x', password: 'y' },
      headers: foreign,
    });
    assert.equal(login.status, 403, 'no login from a foreign page either');
    const preflight = await call(hub.url, 'OPTIONS', '/v1/alerts', {
      headers: { ...foreign, 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 403);

    const allowed = await call(hub.url, 'GET', '/v1/tokens', {
      headers: { ...hub.headers, origin: CONSOLE },
    });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), CONSOLE);
    assert.equal(allowed.headers.get('access-control-allow-credentials'), 'true');
    const allowedPreflight = await call(hub.url, 'OPTIONS', '/v1/alerts/x/approve', {
      headers: { origin: CONSOLE, 'access-control-request-method': 'POST' },
    });
    assert.equal(allowedPreflight.status, 204);
    assert.match(allowedPreflight.headers.get('access-control-allow-headers') ?? '', /x-csrf-token/);
    const same = await call(hub.url, 'POST', '/v1/alerts', {
      body: air,
      headers: { ...hub.headers, origin: hub.url },
    });
    assert.equal(same.status, 201, 'the hub’s own pages may call it');

    for (const path of ['/v1/state', '/v1/alerts', '/v1/regions/UA-59']) {
      const reply = await call(hub.url, 'GET', path, { headers: foreign });
      assert.equal(reply.status, 200, path);
      assert.equal(reply.headers.get('access-control-allow-origin'), '*', path);
      assert.equal(reply.headers.get('access-control-allow-credentials'), null);
    }
    const publicPreflight = await call(hub.url, 'OPTIONS', '/v1/state', {
      headers: { ...foreign, 'access-control-request-method': 'GET' },
    });
    assert.equal(publicPreflight.status, 204);
    assert.equal(publicPreflight.headers.get('access-control-allow-origin'), '*');
  });

  test('security headers on API replies, errors and pages; no internals in errors', async () => {
    for (const [path, kind] of [
      ['/v1/state', 'api'],
      ['/v1/nothing', 'api'],
      ['/v1/tokens', 'api'],
      ['/docs', 'page'],
    ] as const) {
      const reply = await call(hub.url, 'GET', path);
      assert.equal(reply.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(reply.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(reply.headers.get('x-frame-options'), 'DENY', path);
      const csp = reply.headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.match(csp, kind === 'api' ? /default-src 'none'/ : /default-src 'self'/, path);
    }
    const malformed = await call(hub.url, 'POST', '/v1/session', {
      headers: { 'content-type': 'application/json' },
      body: undefined,
    });
    assert.ok(malformed.status >= 400 && malformed.status < 500);
    const junk = await fetch(`${hub.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": "a", "password": ',
    });
    const text = await junk.text();
    assert.equal(junk.status, 400);
    assert.doesNotMatch(text, /\.ts|node_modules|at [A-Za-z]+ \(/);
    const huge = await call(hub.url, 'POST', '/v1/session', {
      body: { name: 'n'.repeat(65), password: 'p' },
    });
    assert.equal(huge.status, 400);
    assert.equal(huge.json.error.code, 'REQUEST_INVALID');
    const extra = await call(hub.url, 'POST', '/v1/session', {
      body: { name: 'n', password: 'p', admin: true },
    });
    assert.equal(extra.status, 400);
  });
});

describe('login lock-out', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub({
      configure: (c) => {
        c.auth.loginMaxFailures = 5;
        c.auth.loginIpMaxFailures = 8;
        c.auth.loginLockMs = 900_000;
      },
    });
  });
  after(() => hub.stop());

  test('5 failures lock the name (even the right password then fails); 8 from one address lock the address', async () => {
    const anna = await createOperator(
      hub.url,
      { headers: hub.headers },
      { name: 'anna', roles: ['viewer'], jurisdiction: ['UA'] },
    );
    const bohdan = await createOperator(
      hub.url,
      { headers: hub.headers },
      { name: 'bohdan', roles: ['viewer'], jurisdiction: ['UA'] },
    );
    // createOperator logged each in twice (one-time, then new password): successes clear the name's count.
    for (let i = 0; i < 5; i++) {
      const wrong = await call(hub.url, 'POST', '/v1/session', {
        body: { name: 'anna', password: `wrong-${i}` },
      });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.json.error.code, 'AUTH_INVALID_CREDENTIALS');
    }
    const locked = await call(hub.url, 'POST', '/v1/session', {
      body: { name: 'anna', password: anna.password },
    });
    assert.equal(locked.status, 429);
    assert.equal(locked.json.error.code, 'AUTH_LOCKED');
    const retry = Number(locked.headers.get('retry-after'));
    assert.ok(retry > 890 && retry <= 900, `Retry-After ${retry}`);
    // Names are counted case-insensitively.
    assert.equal(
      (await call(hub.url, 'POST', '/v1/session', { body: { name: 'ANNA', password: 'x' } })).status,
      429,
    );

    // Another name from the same address still logs in (5 address failures < 8)...
    assert.equal(
      (await call(hub.url, 'POST', '/v1/session', { body: { name: 'bohdan', password: bohdan.password } }))
        .status,
      201,
    );
    // ...until the address itself has failed 8 times (unknown names count too).
    for (let i = 0; i < 3; i++) {
      const reply = await call(hub.url, 'POST', '/v1/session', {
        body: { name: `nobody-${i}`, password: 'x' },
      });
      assert.equal(reply.status, 401);
    }
    const byAddress = await call(hub.url, 'POST', '/v1/session', {
      body: { name: 'bohdan', password: bohdan.password },
    });
    assert.equal(byAddress.status, 429);
    assert.equal(byAddress.json.error.code, 'AUTH_LOCKED');
    // Tokens are not logins: they keep working.
    assert.equal((await call(hub.url, 'GET', '/v1/tokens', { headers: hub.headers })).status, 200);
  });
});

describe('per-token rate limit', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub({
      configure: (c) => {
        c.auth.tokenBurst = 3;
        c.auth.tokenRatePerSecond = 0.01;
      },
    });
  });
  after(() => hub.stop());

  test('beyond the burst a token gets 429 with Retry-After; another token is not affected', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 5; i++) {
      last = await call(hub.url, 'GET', '/v1/state', { headers: hub.headers });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.equal(last?.json.error.code, 'AUTH_RATE_LIMITED');
    assert.ok(Number(last?.headers.get('retry-after')) >= 1);
    const other = await storeToken(
      hub.store.identity,
      { name: 'other', roles: ['viewer'], jurisdiction: ['UA'], expiresMs: null, operatorId: null },
      Date.now(),
    );
    const fresh = await call(hub.url, 'GET', '/v1/state', {
      headers: { authorization: `Bearer ${other.secret}` },
    });
    assert.equal(fresh.status, 200);
    // Anonymous public reads are not counted against any token.
    assert.equal((await call(hub.url, 'GET', '/v1/state')).status, 200);
  });
});
