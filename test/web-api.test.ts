// The HTTP side of the web app: pages and assets served from the build with the page CSP and
// the right caching, the 503 page when the app is not built, GET /v1/event-types, and the
// approval queue GET /v1/alerts/pending (operators only, by role and jurisdiction).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Fastify from 'fastify';
import type { Role } from '../src/alerts/actor.ts';
import { storeToken } from '../src/auth/tokens.ts';
import { WEB_CSP, webRoutes } from '../src/http/routes/web.ts';
import { makeTempDir, startTestHub, type TestHub } from './helpers/hub.ts';
import { buildWeb } from './helpers/web.ts';

let hub: TestHub;

before(async () => {
  await buildWeb();
  hub = await startTestHub({
    configure: (c) => {
      c.alerts.twoPersonRule = true;
    },
  });
});
after(() => hub?.stop());

async function tokenFor(
  roles: Role[],
  jurisdiction: string[],
  name = roles.join('+'),
): Promise<Record<string, string>> {
  const { secret } = await storeToken(
    hub.store.identity,
    { name, roles, jurisdiction, expiresMs: null, operatorId: null },
    Date.now(),
  );
  return { authorization: `Bearer ${secret}` };
}

test('pages carry the strict page CSP, revalidate, and answer 304 to their ETag', async () => {
  for (const [path, marker] of [
    ['/', 'id="alert-list"'],
    ['/console', 'id="compose-form"'],
  ] as const) {
    const response = await fetch(`${hub.url}${path}`);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(response.headers.get('content-security-policy'), WEB_CSP);
    assert.doesNotMatch(WEB_CSP, /unsafe-inline|unsafe-eval/);
    assert.equal(response.headers.get('cache-control'), 'no-cache');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
    const html = await response.text();
    assert.ok(html.includes(marker), `${path} is the right page`);
    const again = await fetch(`${hub.url}${path}`, {
      headers: { 'if-none-match': response.headers.get('etag') as string },
    });
    assert.equal(again.status, 304);
  }
});

test('hashed assets are immutable; the service worker and the manifest revalidate; nothing else is served', async () => {
  const html = await (await fetch(`${hub.url}/`)).text();
  const script = /<script[^>]*src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script, 'the page loads a hashed script');
  const asset = await fetch(`${hub.url}${script}`);
  assert.equal(asset.status, 200);
  assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const sw = await fetch(`${hub.url}/sw.js`);
  assert.equal(sw.status, 200);
  assert.equal(sw.headers.get('cache-control'), 'no-cache');
  assert.match(await sw.text(), /addEventListener\('push'/);
  const manifest = await fetch(`${hub.url}/manifest.webmanifest`);
  assert.equal(manifest.headers.get('content-type'), 'application/manifest+json');
  assert.equal(((await manifest.json()) as { start_url: string }).start_url, '/');
  for (const path of [
    '/assets/nope.js',
    '/.vite/manifest.json',
    '/index.html/../../package.json',
    '/%2e%2e/package.json',
  ]) {
    const response = await fetch(`${hub.url}${path}`);
    assert.equal(response.status, 404, path);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  }
});

test('without a build, / says how to make one (503) instead of failing', async () => {
  const temp = makeTempDir('tocsin-web-empty-');
  try {
    const app = Fastify();
    await app.register(webRoutes({ distDir: join(temp.dir, 'missing') }));
    const response = await app.inject({ url: '/' });
    assert.equal(response.statusCode, 503);
    assert.match(response.body, /npm run build/);
    assert.equal(response.headers['content-security-policy'], WEB_CSP);
    // A build with a file type the server does not know: that file is not served.
    mkdirSync(join(temp.dir, 'dist'));
    writeFileSync(join(temp.dir, 'dist', 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(join(temp.dir, 'dist', 'secret.env'), 'KEY=1');
    const built = Fastify();
    await built.register(webRoutes({ distDir: join(temp.dir, 'dist') }));
    assert.equal((await built.inject({ url: '/' })).statusCode, 200);
    assert.equal((await built.inject({ url: '/secret.env' })).statusCode, 404);
  } finally {
    temp.remove();
  }
});

test('GET /v1/event-types lists the profile with its defaults; ETag; unknown parameters refused', async () => {
  const response = await fetch(`${hub.url}/v1/event-types`);
  assert.equal(response.status, 200);
  const body = (await response.json()) as {
    eventTypes: { code: string; severity: string; headline: Record<string, string> }[];
  };
  const airRaid = body.eventTypes.find((t) => t.code === 'air_raid');
  assert.equal(airRaid?.severity, 'Extreme');
  assert.equal(airRaid?.headline.uk, 'Повітряна тривога');
  assert.equal(body.eventTypes.length, 10);
  const again = await fetch(`${hub.url}/v1/event-types`, {
    headers: { 'if-none-match': response.headers.get('etag') as string },
  });
  assert.equal(again.status, 304);
  const bad = await fetch(`${hub.url}/v1/event-types?lang=uk`);
  assert.equal(bad.status, 400);
});

test('GET /v1/alerts/pending: operators only; approvers see their jurisdiction, authors their own, with who asked', async () => {
  const author = await tokenFor(['author'], ['UA'], 'olena');
  const otherAuthor = await tokenFor(['author'], ['UA'], 'taras');
  const issue = async (headers: Record<string, string>, region: string) => {
    const response = await fetch(`${hub.url}/v1/alerts`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ event: 'air_raid', regions: [region], status: 'Actual' }),
    });
    assert.equal(response.status, 202);
    return ((await response.json()) as { alert: { id: string } }).alert.id;
  };
  const sumy = await issue(author, 'UA-59');
  const lviv = await issue(otherAuthor, 'UA-46');
  const pending = async (headers: Record<string, string>) => {
    const response = await fetch(`${hub.url}/v1/alerts/pending`, { headers });
    return {
      status: response.status,
      body: (await response.json()) as { items: { id: string; authorName: string; state: string }[] },
    };
  };

  assert.equal((await pending({})).status, 401, 'anonymous');
  assert.equal((await pending(await tokenFor(['viewer'], ['UA']))).status, 403, 'a viewer');
  const all = await pending(await tokenFor(['approver'], ['UA']));
  assert.equal(all.status, 200);
  assert.deepEqual(
    all.body.items.map((a) => [a.id, a.authorName, a.state]),
    [
      [sumy, 'olena', 'pending'],
      [lviv, 'taras', 'pending'],
    ],
  );
  const east = await pending(await tokenFor(['approver'], ['UA-59']));
  assert.deepEqual(
    east.body.items.map((a) => a.id),
    [sumy],
    'only within the jurisdiction',
  );
  const own = await pending(author);
  assert.deepEqual(
    own.body.items.map((a) => a.id),
    [sumy],
    'an author sees only their own',
  );
  // The history stays what was published: a pending draft is not public.
  const history = (await (await fetch(`${hub.url}/v1/alerts`)).json()) as { items: { id: string }[] };
  assert.ok(!history.items.some((a) => a.id === sumy));
});
