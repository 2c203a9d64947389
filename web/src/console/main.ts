// The operator console: log in (session cookie or API token), then compose, approve, manage
// active incidents and fire templates. The EXERCISE/ACTUAL switch recolours the whole page and
// its banner; EXERCISE is where every visit starts. Ukrainian or English like the public page
// (the same choice, remembered under the same key): static texts carry `data-t` (text) or
// `data-t-aria-label` keys of texts.ts, the rest is written in the language by each module.
import type { Topology } from 'topojson-specification';
import { api } from '../shared/api.ts';
import { initialLang, type Lang, rememberLang } from '../shared/i18n.ts';
import { ensurePatternDefs } from '../shared/map.ts';
import type { EventType, RegionSummary } from '../shared/types.ts';
import { setupAdmin } from './admin.ts';
import { type Mode, setupCompose } from './compose.ts';
import { setupLists } from './lists.ts';
import { changePassword, logIn, logOut, useToken, type Who, whoAmI } from './session.ts';
import { errorText, roleName, type TextKey, t } from './texts.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const QUEUE_POLL_MS = 5_000;

let lang: Lang = initialLang();
let mode: Mode = 'Exercise';
let started = false;
let who: Who | undefined;
/** Says the running console's dynamic parts again (set once the console has started). */
let relabel: (() => void) | undefined;

/** The static texts, the title, `<html lang>`, the language button, the banner and who acts. */
function applyTexts(): void {
  document.documentElement.lang = lang;
  document.title = t(lang, 'title');
  for (const node of document.querySelectorAll<HTMLElement>('[data-t]'))
    node.textContent = t(lang, node.dataset.t as TextKey);
  for (const node of document.querySelectorAll<HTMLElement>('[data-t-aria-label]'))
    node.setAttribute('aria-label', t(lang, node.dataset.tAriaLabel as TextKey));
  const button = $('lang');
  button.textContent = t(lang, 'language');
  button.title = t(lang, 'languageLabel');
  button.setAttribute('lang', lang === 'uk' ? 'en' : 'uk');
  $('mode-banner').textContent = t(lang, mode === 'Actual' ? 'bannerActual' : 'bannerExercise');
  $('who').textContent = who
    ? t(lang, 'who', {
        name: who.actor.name,
        roles: who.actor.roles.map((role) => roleName(lang, role)).join(', '),
        jurisdiction: who.actor.jurisdiction.join(', '),
      })
    : '';
}

function show(panel: 'login' | 'password' | 'app'): void {
  $('login').hidden = panel !== 'login';
  $('password').hidden = panel !== 'password';
  $('app').hidden = panel !== 'app';
  $('mode').hidden = panel !== 'app';
  $('mode-banner').hidden = panel !== 'app';
  $('logout').hidden = panel === 'login';
}

function setMode(next: Mode, refresh: () => void): void {
  mode = next;
  document.body.dataset.mode = next;
  $('mode-banner').textContent = t(lang, next === 'Actual' ? 'bannerActual' : 'bannerExercise');
  refresh();
}

async function startApp(acting: Who): Promise<void> {
  who = acting;
  applyTexts();
  if (acting.mustChangePassword) {
    show('password');
    $('password-current').focus();
    return;
  }
  show('app');
  if (started) return;
  started = true;
  const [types, regions, topology] = await Promise.all([
    api<{ eventTypes: EventType[] }>('/v1/event-types'),
    api<{ regions: RegionSummary[] }>('/v1/regions'),
    api<Topology>('/v1/regions.topojson'),
  ]);
  const lists = setupLists({
    eventTypes: types.eventTypes,
    regions: regions.regions,
    roles: acting.actor.roles,
    lang: () => lang,
  });
  const composer = setupCompose({
    eventTypes: types.eventTypes,
    regions: regions.regions,
    topology,
    mode: () => mode,
    lang: () => lang,
    onSent: () => {
      void lists.refreshQueue();
      void lists.refreshIncidents();
    },
    onTemplateSaved: () => void lists.refreshTemplates(),
  });
  const admin = acting.actor.roles.includes('admin') ? setupAdmin(() => lang) : undefined;
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=mode]')) {
    radio.checked = radio.value === mode;
    radio.addEventListener('change', () => {
      if (radio.checked) setMode(radio.value as Mode, composer.refresh);
    });
  }
  setMode(mode, composer.refresh);
  relabel = () => {
    composer.relabel();
    void lists.refreshQueue();
    void lists.refreshIncidents();
    void lists.refreshTemplates();
    void admin?.refresh();
  };
  await Promise.all([
    lists.refreshQueue(),
    lists.refreshIncidents(),
    lists.refreshTemplates(),
    admin?.refresh(),
  ]);
  // Pending alerts are operator-only events (never streamed): the queue polls while visible.
  setInterval(() => {
    if (document.visibilityState === 'visible') void lists.refreshQueue();
  }, QUEUE_POLL_MS);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void lists.refreshQueue();
  });
}

async function enter(): Promise<void> {
  const who = await whoAmI();
  if (who) await startApp(who);
  else {
    show('login');
    $('login-name').focus();
  }
}

function failure(target: string, error: unknown): void {
  $(target).textContent = errorText(lang, error);
}

ensurePatternDefs();
applyTexts();
$('lang').addEventListener('click', () => {
  lang = lang === 'uk' ? 'en' : 'uk';
  rememberLang(lang);
  applyTexts();
  relabel?.();
});
$('login-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('login-msg').textContent = '';
  try {
    await logIn($<HTMLInputElement>('login-name').value, $<HTMLInputElement>('login-password').value);
    $<HTMLInputElement>('login-password').value = '';
    await enter();
  } catch (error) {
    failure('login-msg', error);
  }
});
$('token-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  useToken($<HTMLInputElement>('login-token').value);
  $<HTMLInputElement>('login-token').value = '';
  const who = await whoAmI();
  if (who) await startApp(who);
  else {
    await logOut();
    $('login-msg').textContent = t(lang, 'tokenRefused');
  }
});
$('password-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  $('password-msg').textContent = '';
  try {
    await changePassword(
      $<HTMLInputElement>('password-current').value,
      $<HTMLInputElement>('password-new').value,
    );
    await enter();
  } catch (error) {
    failure('password-msg', error);
  }
});
$('logout').addEventListener('click', async () => {
  await logOut();
  location.reload();
});
void enter();
