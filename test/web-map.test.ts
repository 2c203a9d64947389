// The public map in a real Chromium, against an in-process hub with several alerts: a distinct
// colour and pattern per event type, labels on every region and alert, keyboard navigation to
// the region page (history and statistics), Ukrainian/English from the browser and switchable,
// times in the viewer's zone, 320 px, prefers-reduced-motion, the PWA service worker, and Web
// Push degrading to a clear note. Writes test-artifacts/map-overview.png (the README screenshot:
// TOCSIN_UPDATE_SCREENSHOTS=1 also copies it to docs/screenshots/map.png).
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { REPO_ROOT } from './helpers/cli.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import {
  artifactPath,
  buildWeb,
  describeViolations,
  launchChromium,
  seriousViolations,
} from './helpers/web.ts';

let hub: TestHub;
let browser: Browser;

const ALERTS = [
  { event: 'air_raid', regions: ['UA-59', 'UA-63', 'UA-14'], status: 'Actual' },
  { event: 'missile', regions: ['UA-12'], status: 'Actual' },
  { event: 'drone', regions: ['UA-53'], status: 'Actual' },
  { event: 'artillery', regions: ['UA-65'], status: 'Actual' },
  { event: 'power_outage', regions: ['UA-32'], status: 'Actual' },
  { event: 'chemical', regions: ['UA-46'], status: 'Exercise' },
] as const;

before(async () => {
  await buildWeb();
  hub = await startTestHub();
  for (const body of ALERTS) {
    const response = await fetch(`${hub.url}/v1/alerts`, {
      method: 'POST',
      headers: { ...hub.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(response.status, 201, await response.text());
  }
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

async function open(options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 860 },
    locale: 'en-GB',
    timezoneId: 'Europe/Kyiv',
    ...options,
  });
  const page = await context.newPage();
  await page.goto(`${hub.url}/`);
  await page.locator('#map [data-code="UA-46"][data-exercise="true"]').waitFor();
  return page;
}

test('every event type has its own colour and its own pattern; each region shows its alert; the exercise its own look', async () => {
  const page = await open();
  const patterns = (await page.evaluate(`[...document.querySelectorAll('#tocsin-patterns pattern')]
      .filter((p) => !p.id.endsWith('-part'))
      .map((p) => ({ id: p.id, color: p.querySelector('rect').getAttribute('fill'), tile: p.querySelector('g').innerHTML }))`)) as {
    id: string;
    color: string;
    tile: string;
  }[];
  assert.ok(patterns.length >= 11);
  assert.equal(new Set(patterns.map((p) => p.color)).size, patterns.length, 'colours are distinct');
  assert.equal(new Set(patterns.map((p) => p.tile)).size, patterns.length, 'patterns are distinct');
  const fills = new Map<string, string>();
  for (const alert of ALERTS) {
    for (const code of alert.regions) {
      const node = page.locator(`#map [data-code="${code}"]`);
      assert.equal(await node.getAttribute('data-event'), alert.event, code);
      const fill = await node
        .locator('path')
        .evaluate((p) => (p as unknown as { style: { fill: string } }).style.fill);
      fills.set(alert.status === 'Exercise' ? 'exercise' : alert.event, fill);
    }
  }
  assert.equal(fills.get('exercise'), 'url("#p-exercise")');
  assert.equal(new Set(fills.values()).size, fills.size, 'each event type and the exercise look different');
  assert.equal(
    await page.locator('#map [data-code="UA-05"]').getAttribute('data-event'),
    '',
    'a quiet region',
  );
  assert.equal(
    await page.locator('#legend li').count(),
    13,
    'legend: 10 event types, exercise, partial, quiet',
  );
  assert.match(
    (await page.locator('footer').textContent()) ?? '',
    /OpenStreetMap contributors \(ODbL 1\.0\).*geoBoundaries/s,
  );
  await page.screenshot({ path: artifactPath('map-overview.png') });
  if (process.env.TOCSIN_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(join(REPO_ROOT, 'docs', 'screenshots'), { recursive: true });
    copyFileSync(artifactPath('map-overview.png'), join(REPO_ROOT, 'docs', 'screenshots', 'map.png'));
  }
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], describeViolations(violations));
  await page.context().close();
});

test('labels on every region and alert; the keyboard reaches a region page with history and statistics', async () => {
  const page = await open();
  const labels = (await page
    .locator('#map a[data-code]')
    .evaluateAll((nodes) =>
      nodes.map(
        (n) =>
          (n as unknown as { getAttribute: (a: string) => string | null }).getAttribute('aria-label') ?? '',
      ),
    )) as string[];
  assert.equal(labels.length, 27);
  for (const label of labels) assert.match(label, /^.+: .+/);
  assert.ok(
    labels.includes(
      labels.find((l) => /^Lviv Oblast: EXERCISE \(not a real alert\): Chemical hazard since/.test(l)) ?? '-',
    ),
  );
  assert.equal(await page.locator('#alert-list li').count(), ALERTS.length);
  // The skip link is the first stop and leads to the list.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate('document.activeElement.className'), 'skip');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate('document.activeElement.id'), 'alerts');
  // Tab through the page until Sumy oblast's region has focus, then open it with Enter.
  let focused = '';
  for (let i = 0; i < 80 && focused !== 'UA-59'; i++) {
    await page.keyboard.press('Tab');
    focused = (await page.evaluate(
      `document.activeElement.closest('#map') ? document.activeElement.getAttribute('data-code') : ''`,
    )) as string;
  }
  assert.equal(focused, 'UA-59', 'the map regions are reachable with Tab');
  await page.keyboard.press('Enter');
  await page.locator('#region-page:not([hidden])').waitFor();
  assert.equal(await page.locator('#region-h').textContent(), 'Sumy Oblast');
  assert.equal(await page.evaluate('document.activeElement.id'), 'region-page', 'focus moves to the page');
  await page.locator('#region-history li time').first().waitFor();
  assert.match((await page.locator('#region-history').textContent()) ?? '', /Air raid alert — active/);
  await page.locator('#region-stats table').waitFor();
  assert.match((await page.locator('#region-stats').textContent()) ?? '', /Air raid alert\s*1/);
  await page.context().close();
});

test('Ukrainian from the browser, switchable and remembered; times in the viewer’s zone', async () => {
  const page = await open({ locale: 'uk-UA', timezoneId: 'Asia/Tokyo' });
  assert.equal(await page.getAttribute('html', 'lang'), 'uk');
  assert.equal(await page.locator('#alerts-h').textContent(), 'Активні тривоги');
  const since = (await page.locator('#alert-list li[data-event="air_raid"] .since').textContent()) ?? '';
  const sinceIso = (await page
    .locator('#alert-list li[data-event="air_raid"] .since')
    .getAttribute('data-since')) as string;
  const tokyo = new Intl.DateTimeFormat('uk-UA', {
    hour: '2-digit',
    minute: '2-digit',
    timeZone: 'Asia/Tokyo',
  }).format(new Date(sinceIso));
  assert.ok(since.startsWith(`з ${tokyo} (`), `"${since}" shows Tokyo time ${tokyo}`);
  await page.locator('#lang').click();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('#alerts-h').textContent(), 'Active alerts');
  await page.reload();
  await page.locator('#alert-list li[data-event]').first().waitFor();
  assert.equal(await page.locator('#alerts-h').textContent(), 'Active alerts', 'the choice is remembered');
  await page.context().close();
});

test('usable at 320 px; prefers-reduced-motion turns transitions off', async () => {
  const narrow = await open({ viewport: { width: 320, height: 640 } });
  assert.ok(
    ((await narrow.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number) <= 0,
    'no sideways scroll',
  );
  assert.ok(await narrow.locator('#alert-list li').first().isVisible());
  const motion = `getComputedStyle(document.querySelector('#map .region')).transitionDuration`;
  assert.equal(await narrow.evaluate(motion), '0.3s');
  await narrow.context().close();
  const calm = await open({ reducedMotion: 'reduce' });
  assert.equal(await calm.evaluate(motion), '0s');
  await calm.context().close();
});

test('installable: manifest and service worker; Web Push asks for the region, then permission, and says what happened', async () => {
  const page = await open();
  assert.equal(await page.locator('link[rel=manifest]').getAttribute('href'), '/manifest.webmanifest');
  assert.equal(
    await page.evaluate('navigator.serviceWorker.ready.then((r) => r.active.scriptURL)'),
    `${hub.url}/sw.js`,
  );
  const message = page.locator('#place-msg');
  await page.locator('#place-push').click();
  assert.equal(await message.textContent(), 'Choose your region first.');
  await page.locator('#place-region').selectOption('UA-59');
  assert.equal(
    await page.locator('#alert-list li.mine').getAttribute('data-event'),
    'air_raid',
    'the alert for my region is marked',
  );
  await page.locator('#place-push').click();
  await page.locator('#place-msg:text("The browser did not allow notifications.")').waitFor();
  await page.context().close();

  // Permission granted: subscribed, or (no push service reachable from this closed network) a clear note.
  const granted = await open({ permissions: ['notifications'] });
  await granted.locator('#place-region').selectOption('UA-59');
  await granted.locator('#place-push').click();
  await granted.locator('#place-msg:text-matches("Notifications are on|not available")').waitFor();
  await granted.context().close();
});

test('heartbeats stop: after two missed, the "connection lost" banner, then reconnection with resume by seq', async () => {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'Europe/Kyiv' });
  const page = await context.newPage();
  // The page's timers run on a clock the test moves: 31 s pass for the page with no heartbeat
  // reaching it (the hub sends one every 15 s of real time), which is what a silent line looks like.
  await page.clock.install();
  await page.goto(`${hub.url}/`);
  await page.locator('body[data-live="live"]').waitFor();
  await page.locator('#map [data-code="UA-46"][data-exercise="true"]').waitFor();
  assert.ok(await page.locator('#banner').isHidden());
  await page.clock.fastForward(31_000);
  await page.locator('#banner:not([hidden])').waitFor();
  assert.equal(await page.locator('body').getAttribute('data-live'), 'lost');
  // A change while the page is disconnected: the resume (since = last seq) must bring it.
  const response = await fetch(`${hub.url}/v1/alerts`, {
    method: 'POST',
    headers: { ...hub.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'radiation', regions: ['UA-05'], status: 'Actual' }),
  });
  assert.equal(response.status, 201);
  await page.clock.fastForward(1_000); // the first retry waits 0.25–0.5 s
  await page.locator('body[data-live="live"]').waitFor();
  assert.ok(await page.locator('#banner').isHidden());
  await page.locator('#map [data-code="UA-05"][data-event="radiation"]').waitFor();
  assert.equal(await page.locator('#alert-list li[data-event="radiation"]').count(), 1);
  await context.close();
});
