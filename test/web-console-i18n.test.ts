// The console in Ukrainian, in Chromium against an in-process hub, logged in with an API token:
// a uk-UA browser gets Ukrainian in the header, the tabs, the compose form (with the ACTUAL-mode
// and two-person-rule confirmations), the approval queue, the active incidents, the templates
// and the admin pages, with event-type and region names in Ukrainian from the API; no English
// text of the console's texts module is left on screen (text nodes and aria-label, placeholder,
// title, alt of visible elements); axe-core finds nothing serious. The language button turns it
// to English, and the choice survives a reload and is the public page's too.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { Role } from '../src/alerts/actor.ts';
import { TEXTS, type TextKey } from '../web/src/console/texts.ts';
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
let adminSecret: string;
const TEMPLATE = 'Суми: повітряна тривога';

const secret = (name: string, roles: Role[]) => mintTokenSecret(hub.store, name, roles);

async function post(path: string, body: unknown, token: string): Promise<number> {
  const response = await fetch(`${hub.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.text();
  return response.status;
}

/**
 * What English looks like, from the texts module: every English text that differs from its
 * Ukrainian one, as a whole (placeholders match anything) and as the fixed pieces between its
 * placeholders (a piece may stand alone in an element of its own, such as <strong>).
 */
function englishPatterns(): { whole: string[]; pieces: string[] } {
  const whole: string[] = [];
  const pieces = new Set<string>();
  const words = /[A-Za-z]{2}/;
  for (const key of Object.keys(TEXTS.en) as TextKey[]) {
    const en = TEXTS.en[key];
    if (en === TEXTS.uk[key]) continue;
    const fixed = en.split(/\{\w+\}/).map((piece) => piece.replace(/\s+/g, ' ').trim());
    if (!fixed.some((piece) => words.test(piece))) continue;
    whole.push(`^${fixed.map((piece) => piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
    for (const piece of fixed) if (words.test(piece)) pieces.add(piece);
  }
  return { whole, pieces: [...pieces] };
}

/** The visible English texts of the console (outside elements marked with another language). */
async function englishLeft(): Promise<string[]> {
  // A string: this project's TypeScript for tests has no DOM types.
  return (await page.evaluate(
    `((patterns) => {
      const whole = patterns.whole.map((source) => new RegExp(source));
      const pieces = new Set(patterns.pieces);
      const english = (text) => {
        const s = (text ?? '').replace(/\\s+/g, ' ').trim();
        return s !== '' && (pieces.has(s) || whole.some((r) => r.test(s)));
      };
      const shown = (el) =>
        el.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true }) &&
        (el.closest('[lang]')?.getAttribute('lang') ?? '').startsWith('uk');
      const where = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : el.className ? '.' + el.className : '');
      const found = [];
      if (english(document.title)) found.push('<title>: ' + document.title);
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (el && shown(el) && english(node.textContent)) found.push(where(el) + ': ' + node.textContent.trim());
      }
      for (const el of document.body.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
        if (!shown(el)) continue;
        for (const name of ['aria-label', 'placeholder', 'title', 'alt']) {
          const value = el.getAttribute(name);
          if (value !== null && english(value)) found.push(where(el) + ' [' + name + ']: ' + value);
        }
      }
      return found;
    })(${JSON.stringify(englishPatterns())})`,
  )) as string[];
}

before(async () => {
  await buildWeb();
  hub = await startTestHub({ configure: (c) => (c.alerts.twoPersonRule = true) });
  const author = await secret('duty-author', ['author']);
  adminSecret = await secret('duty-admin', ['admin']);
  // A real alert waiting for a second person, an exercise under way, a template not yet approved.
  assert.equal(
    await post('/v1/alerts', { event: 'air_raid', regions: ['UA-59'], status: 'Actual' }, author),
    202,
  );
  assert.equal(
    await post('/v1/alerts', { event: 'drone', regions: ['UA-63'], status: 'Exercise' }, author),
    201,
  );
  assert.equal(
    await post(
      '/v1/templates',
      { name: TEMPLATE, alert: { event: 'missile', regions: ['UA-59'], status: 'Actual' } },
      adminSecret,
    ),
    201,
  );
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'uk-UA' });
  page = await context.newPage();
  page.on('dialog', (dialog) => void dialog.dismiss());
});

after(async () => {
  await browser?.close();
  await hub?.stop();
});

test('a Ukrainian browser gets the whole console in Ukrainian, names from the API included', async () => {
  await page.goto(`${hub.url}/console`);
  assert.equal(await page.getAttribute('html', 'lang'), 'uk');
  assert.equal(await page.title(), 'Консоль Tocsin');
  await page.getByText('Увійти з API-токеном').click();
  await page.getByLabel('Токен', { exact: true }).fill(adminSecret);
  await page.getByRole('button', { name: 'Використати токен' }).click();
  await page.locator('#app:not([hidden])').waitFor();

  // The header: title, the mode switch and its banner, who acts, the language button.
  assert.equal(await page.locator('h1').textContent(), 'Консоль Tocsin');
  assert.equal(await page.locator('#who').textContent(), 'duty-admin (адміністратор; UA)');
  assert.equal(await page.locator('#lang').textContent(), 'English');
  assert.equal(await page.locator('#lang').getAttribute('lang'), 'en');
  assert.match((await page.locator('#mode-banner').textContent()) ?? '', /^РЕЖИМ НАВЧАННЯ — /);
  assert.equal(await page.getByLabel('НАВЧАННЯ', { exact: true }).isChecked(), true);
  assert.equal(await page.getByRole('button', { name: 'Вийти' }).isVisible(), true);

  // The approval queue and the active incidents, with names in Ukrainian.
  await page.locator('#queue-h:text("Черга на затвердження")').waitFor();
  const approve = page.getByRole('button', {
    name: 'Затвердити — РЕАЛЬНА: Повітряна тривога; регіони: Сумська область',
  });
  await approve.waitFor();

  // The tabs.
  const tabs = page.getByRole('navigation', { name: 'Розділи консолі' });
  assert.deepEqual(
    (await tabs.locator('a').allTextContents()).map((text) => text.trim()),
    [
      'Створити',
      'Черга на затвердження (1)',
      'Активні тривоги',
      'Шаблони',
      'Оператори',
      'Токени',
      'Вебхуки',
      'Журнал аудиту',
    ],
  );

  const pending = page.locator('#queue-list tr').filter({ has: approve });
  assert.match((await pending.textContent()) ?? '', /duty-author/);
  assert.equal(await pending.getByRole('button', { name: 'Відхилити' }).count(), 1);
  assert.deepEqual(await page.locator('#queue-list th').allTextContents(), [
    'Тривога',
    'Регіони',
    'Хто подав',
    'Коли',
    'Дії',
  ]);
  const drill = page.locator('#incidents-list tr').filter({ hasText: 'НАВЧАННЯ: Загроза ударних БпЛА' });
  assert.match((await drill.textContent()) ?? '', /Харківська область/);
  await drill.getByRole('button', { name: 'Відбій тривоги' }).click();
  await drill
    .getByRole('button', { name: 'Підтвердити: відбій тривоги; регіони: Харківська область' })
    .waitFor();

  // The template: not approved yet, fired only after approval.
  const template = page.locator('#templates-list tr').filter({ hasText: TEMPLATE });
  assert.match((await template.textContent()) ?? '', /\(ще не затверджено\).*РЕАЛЬНА: Ракетна небезпека/s);
  assert.equal(
    await template.getByRole('button', { name: `Запустити — РЕАЛЬНА: ${TEMPLATE}` }).isDisabled(),
    true,
  );
  await template.getByRole('button', { name: `Затвердити шаблон «${TEMPLATE}»` }).waitFor();

  // Compose: labels, the event type and regions in Ukrainian; ACTUAL mode and the two-person rule.
  assert.equal(await page.locator('#compose-h').textContent(), 'Створити тривогу');
  await page.getByLabel('Тип події', { exact: true }).selectOption('air_raid');
  assert.match(
    (await page.locator('#compose-event option:checked').textContent()) ?? '',
    /^Повітряна тривога — /,
  );
  assert.equal(
    await page.locator('#compose-severity').textContent(),
    'Серйозність: надзвичайна; терміновість: негайна',
  );
  assert.equal(await page.getByLabel('Заголовок (українською)').inputValue(), 'Повітряна тривога');
  assert.equal(await page.getByLabel('Заголовок (англійською)').inputValue(), 'Air raid alert');
  await page.getByLabel('Пошук регіонів').fill('сумська');
  await page.locator('#compose-regions li[data-code="UA-59"] input').check();
  assert.match(
    (await page.locator('#compose-regions li[data-code="UA-59"]').textContent()) ?? '',
    /^\s*Сумська область \(Sumy Oblast\) UA-59$/,
  );
  assert.equal(await page.locator('#send').textContent(), 'Надіслати НАВЧАЛЬНУ тривогу в 1 регіон');
  assert.match(
    (await page.locator('#impact').textContent()) ?? '',
    /Позначено як НАВЧАННЯ на кожному каналі/,
  );
  await page.getByLabel('РЕАЛЬНА ТРИВОГА', { exact: true }).check();
  assert.equal(await page.locator('body').getAttribute('data-mode'), 'Actual');
  assert.match((await page.locator('#mode-banner').textContent()) ?? '', /^РЕЖИМ РЕАЛЬНОЇ ТРИВОГИ — /);
  assert.equal(await page.locator('#send').textContent(), 'Надіслати РЕАЛЬНУ тривогу в 1 регіон');
  assert.match(
    (await page.locator('#impact').textContent()) ?? '',
    /РЕАЛЬНА — Повітряна тривога \(надзвичайна\), регіони:.*Сумська область.*Усього охоплює 1 регіон\..*Потрібне затвердження другим оператором, перш ніж її буде надіслано\./s,
  );
  await page.locator('#send').click();
  assert.equal(
    await page.locator('#confirm-text').textContent(),
    'Ви збираєтеся надіслати РЕАЛЬНУ тривогу «Повітряна тривога». Регіони: Сумська область.',
  );
  await page.getByRole('button', { name: 'Підтвердити: надіслати РЕАЛЬНУ тривогу' }).click();
  await page
    .locator(
      '#compose-msg:text("Надіслано на затвердження: її має затвердити другий оператор у черзі на затвердження.")',
    )
    .waitFor();
  await page.locator('#queue-count:text("(2)")').waitFor();
  // The form as it stands for the next alert: a region chosen, ACTUAL mode, the confirmation open.
  await page.getByLabel('Пошук регіонів').fill('');
  await page.locator('#compose-regions li[data-code="UA-63"] input').check();
  await page.locator('#send').click();
  await page.locator('#confirm:not([hidden])').waitFor();

  // An admin page: operators (one-time password, roles and states in Ukrainian), and a refusal
  // from the hub shown as the hub says it.
  await page.locator('#operator-name').fill('ivan');
  await page.getByRole('button', { name: 'Створити оператора' }).click();
  await page
    .locator(
      '#operators-msg:text-matches("^Створено оператора ivan. Одноразовий пароль \\\\(показано лише раз\\\\): \\\\S{12,}$")',
    )
    .waitFor();
  const ivan = page.locator('#operators-list tr').filter({ hasText: 'ivan' });
  await ivan.getByRole('button', { name: 'Вимкнути ivan' }).waitFor();
  assert.deepEqual(await page.locator('#operators-list th').allTextContents(), [
    'Ім’я',
    'Ролі',
    'Юрисдикція',
    'Стан',
    'Дії',
  ]);
  assert.match((await ivan.textContent()) ?? '', /ivan.*автор.*UA.*одноразовий пароль/s);
  await page.locator('#tokens-list').getByRole('button', { name: 'Відкликати duty-author' }).waitFor();
  await page.getByRole('button', { name: 'Показати' }).click();
  await page.locator('#audit-list th:text("Об’єкт")').waitFor();

  const left = await englishLeft();
  assert.deepEqual(left, [], `English left in the Ukrainian console:\n${left.join('\n')}`);
  // The check itself sees an English text and an English label when there is one.
  await page.evaluate(`document.getElementById('queue-msg').insertAdjacentHTML('afterend',
    '<p id="probe" aria-label="${TEXTS.en.sections}">${TEXTS.en.queueEmpty}</p>')`);
  assert.deepEqual(await englishLeft(), [
    `p#probe: ${TEXTS.en.queueEmpty}`,
    `p#probe [aria-label]: ${TEXTS.en.sections}`,
  ]);
  await page.evaluate(`document.getElementById('probe').remove()`);

  await page.screenshot({ path: artifactPath('console-uk.png'), fullPage: true });
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], describeViolations(violations));

  // A refusal from the hub is shown as the hub wrote it: its code and its (English) message.
  await page.locator('#operator-name').fill('ivan');
  await page.getByRole('button', { name: 'Створити оператора' }).click();
  await page.locator('#operators-msg.error:text-matches("^OPERATOR_NAME_TAKEN: [A-Za-z]")').waitFor();
});

test('the language button turns the console to English; the choice survives a reload and is the public page’s', async () => {
  await page.locator('#lang').click();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.title(), 'Tocsin console');
  assert.equal(await page.locator('h1').textContent(), 'Tocsin console');
  assert.equal(await page.locator('#lang').textContent(), 'Українська');
  assert.equal(await page.locator('#who').textContent(), 'duty-admin (admin; UA)');
  assert.match((await page.locator('#mode-banner').textContent()) ?? '', /^ACTUAL MODE — /);
  assert.equal(await page.locator('#send').textContent(), 'Send ACTUAL alert to 1 region');
  assert.equal(
    await page.locator('#confirm').isHidden(),
    true,
    'a confirmation in the other language closes',
  );
  assert.match((await page.locator('#impact').textContent()) ?? '', /ACTUAL Air raid alert \(Extreme\) for:/);
  await page
    .getByRole('button', { name: /^Approve ACTUAL Air raid alert for Sumy Oblast/ })
    .first()
    .waitFor();
  await page.locator('#operators-list th:text("Jurisdiction")').waitFor();
  assert.equal(await page.evaluate("localStorage.getItem('tocsin.lang')"), 'en');

  await page.reload();
  await page.locator('#app:not([hidden])').waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('h1').textContent(), 'Tocsin console');
  assert.equal(await page.getByRole('navigation', { name: 'Console sections' }).isVisible(), true);
  await page
    .getByRole('button', { name: /^Approve ACTUAL Air raid alert for Sumy Oblast/ })
    .first()
    .waitFor();

  // One choice for both pages: the public page is in English too; back to Ukrainian there.
  await page.goto(`${hub.url}/`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.locator('#lang').click();
  await page.goto(`${hub.url}/console`);
  await page.locator('#app:not([hidden])').waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'uk');
  assert.equal(await page.locator('#queue-h').textContent(), 'Черга на затвердження');
});
