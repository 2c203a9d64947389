// The console's other pages in Chromium, against an in-process hub, logged in with an API token
// (the "Use an API token instead" path): templates saved from the compose form, approved by two
// people and fired in two clicks; the one-action correction; the admin pages (operators with
// one-time passwords, tokens, webhooks, the audit log); a refused action shows the hub's error;
// axe-core on the whole console with every admin panel open.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Role } from '../src/alerts/actor.ts';
import { mintTokenSecret, startTestHub, type TestHub } from './helpers/hub.ts';
import {
  artifactPath,
  buildWeb,
  describeViolations,
  launchChromium,
  seriousViolations,
} from './helpers/web.ts';

let hub: TestHub;
let browser: Browser;
let page: Page;

const secret = (name: string, roles: Role[]) => mintTokenSecret(hub.store, name, roles);

before(async () => {
  await buildWeb();
  hub = await startTestHub({
    configure: (c) => {
      c.alerts.twoPersonRule = true;
      c.webhooks.allowPrivateTargets = true;
    },
  });
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
  page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.accept(dialog.type() === 'prompt' ? 'Sumy air raid' : undefined));
  await page.goto(`${hub.url}/console`);
  await page.getByText('Use an API token instead').click();
  await page.getByLabel('Token', { exact: true }).fill(await secret('duty-admin', ['admin']));
  await page.getByRole('button', { name: 'Use token' }).click();
  await page.locator('#app:not([hidden])').waitFor();
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

test('a template saved from the form, approved by two people, fires in two clicks', async () => {
  await page.getByLabel('ACTUAL').check();
  await page.getByLabel('Search regions').fill('UA-59');
  await page.locator('#compose-regions li[data-code="UA-59"] input').check();
  await page.getByRole('button', { name: 'Save as template…' }).click();
  await page.getByText('Template “Sumy air raid” saved').waitFor();
  const fire = page.getByRole('button', { name: 'Fire ACTUAL: Sumy air raid' });
  assert.equal(await fire.isDisabled(), true, 'not approved yet');
  await page.getByRole('button', { name: 'Approve template Sumy air raid' }).click();
  await page.locator('#templates-list').getByText('approved by duty-admin').waitFor();
  // The second approval comes from another person (an approver token, over the API).
  const list = (await (await fetch(`${hub.url}/v1/templates`, { headers: hub.headers })).json()) as {
    templates: { id: string; revision: number }[];
  };
  const template = list.templates[0] as { id: string; revision: number };
  const approved = await fetch(`${hub.url}/v1/templates/${template.id}/approve`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await secret('duty-approver', ['approver'])}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ revision: template.revision }),
  });
  assert.equal(approved.status, 200, await approved.text());
  await page.reload();
  await page.locator('#app:not([hidden])').waitFor();
  const ready = page.getByRole('button', { name: 'Fire ACTUAL: Sumy air raid' });
  await ready.click();
  await page.getByRole('button', { name: /^Confirm: fire Sumy air raid/ }).click();
  await page.getByText('Fired: Sumy air raid.').waitFor();
  const state = (await (await fetch(`${hub.url}/v1/state/UA-59`)).json()) as {
    alerts: { event: string; status: string }[];
  };
  assert.equal(state.alerts[0]?.event, 'air_raid', 'fired without waiting for approval');
  assert.equal(state.alerts[0]?.status, 'Actual');

  // The one-action correction withdraws it with the standard "sent in error" text.
  const row = page.locator('#incidents-list tr').filter({ hasText: 'Sumy Oblast' });
  await row.getByRole('button', { name: 'Sent in error: correct' }).click();
  await row.getByRole('button', { name: 'Confirm: cancel as sent in error' }).click();
  await page.getByText('Correction sent').waitFor();
  const ended = (await (await fetch(`${hub.url}/v1/state/UA-59`)).json()) as { active: boolean };
  assert.equal(ended.active, false);
  const history = (await (await fetch(`${hub.url}/v1/alerts?region=UA-59&limit=1`)).json()) as {
    items: { msgType: string; cap: { info?: { description?: string; language?: string }[] } }[];
  };
  assert.equal(history.items[0]?.msgType, 'Cancel');
  assert.match(JSON.stringify(history.items[0]?.cap), /sent in error/);
});

test('"Update text" edits the headline of the console\'s language and keeps the other language\'s texts', async () => {
  const texts = {
    headline: { uk: 'Повітряна тривога, Харківщина', en: 'Air raid, Kharkiv' },
    instruction: { uk: 'Негайно пройдіть в укриття.', en: 'Go to a shelter now.' },
  };
  const issued = await fetch(`${hub.url}/v1/alerts`, {
    method: 'POST',
    headers: { ...hub.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ event: 'air_raid', regions: ['UA-63'], status: 'Exercise', ...texts }),
  });
  assert.equal(issued.status, 201, await issued.text()); // an Exercise needs no second person

  await page.reload();
  await page.locator('#app:not([hidden])').waitFor();
  const row = page.locator('#incidents-list tr').filter({ hasText: 'Kharkiv Oblast' });
  await row.getByRole('button', { name: 'Update text' }).click(); // the prompt answers "Sumy air raid"
  await page.getByText('Update sent.').waitFor();
  const history = (await (await fetch(`${hub.url}/v1/alerts?region=UA-63&limit=1`)).json()) as {
    items: {
      msgType: string;
      cap: { info?: { language?: string; headline?: string; instruction?: string }[] };
    }[];
  };
  const update = history.items[0];
  assert.equal(update?.msgType, 'Update');
  const byLang = Object.fromEntries((update.cap.info ?? []).map((i) => [i.language?.slice(0, 2), i]));
  assert.equal(byLang.en?.headline, 'Sumy air raid', 'the English headline is the one typed');
  assert.equal(byLang.uk?.headline, texts.headline.uk, 'the Ukrainian headline is kept');
  assert.equal(byLang.uk?.instruction, texts.instruction.uk);
  assert.equal(byLang.en?.instruction, texts.instruction.en);
});

test('admin pages: operators, tokens, webhooks and the audit log', async () => {
  await page.locator('#operator-name').fill('ivan');
  await page.locator('#operator-form').getByRole('button', { name: 'Create operator' }).click();
  await page
    .locator(
      '#operators-msg:text-matches("Created ivan. One-time password \\\\(shown once\\\\): \\\\S{12,}")',
    )
    .waitFor();
  const ivan = page.locator('#operators-list tr').filter({ hasText: 'ivan' });
  assert.match((await ivan.textContent()) ?? '', /author.*UA.*one-time password/s);
  await ivan.getByRole('button', { name: 'Disable ivan' }).click();
  await page.locator('#operators-list tr').filter({ hasText: 'ivan' }).getByText('disabled').waitFor();

  await page.locator('#token-name').fill('siren-feed');
  await page.locator('#token-create').getByRole('button', { name: 'Create token' }).click();
  await page.locator('#tokens-msg:text-matches("Token siren-feed \\\\(shown once\\\\): tocsin_")').waitFor();
  await page.getByRole('button', { name: 'Revoke siren-feed' }).click();
  await page
    .locator('#tokens-list tr')
    .filter({ hasText: 'siren-feed' })
    .getByText(/^revoked/)
    .waitFor();

  await page.locator('#webhook-url').fill('http://127.0.0.1:9/hook');
  await page.locator('#webhook-regions').fill('UA-59, UA-63');
  await page.getByRole('button', { name: 'Add webhook' }).click();
  await page.locator('#webhooks-msg:text-matches("Signing secret \\\\(shown once\\\\)")').waitFor();
  assert.match(
    (await page.locator('#webhooks-list').textContent()) ?? '',
    /127\.0\.0\.1:9\/hook.*UA-59, UA-63.*all/s,
  );

  await page.locator('#audit-form').getByRole('button', { name: 'Show' }).click();
  await page.locator('#audit-list').getByText('operator.created').first().waitFor();

  // A refused action says why, with the hub's error code.
  await page.locator('#operator-form #operator-name').fill('ivan');
  await page.locator('#operator-form').getByRole('button', { name: 'Create operator' }).click();
  await page.locator('#operators-msg.error:text("OPERATOR_NAME_TAKEN")').waitFor();

  await page.screenshot({ path: artifactPath('console-admin.png'), fullPage: true });
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], describeViolations(violations));
});
