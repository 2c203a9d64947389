// The operator console: log in (session cookie or API token), then compose, approve, manage
// active incidents and fire templates. The EXERCISE/ACTUAL switch recolours the whole page and
// its banner; EXERCISE is where every visit starts.
import type { Topology } from 'topojson-specification';
import { type ApiError, api } from '../shared/api.ts';
import { ensurePatternDefs } from '../shared/map.ts';
import type { EventType, RegionSummary } from '../shared/types.ts';
import { type Mode, setupCompose } from './compose.ts';
import { setupAdmin } from './admin.ts';
import { setupLists } from './lists.ts';
import { changePassword, logIn, logOut, useToken, type Who, whoAmI } from './session.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const QUEUE_POLL_MS = 5_000;

const BANNERS: Record<Mode, string> = {
  Exercise:
    'EXERCISE MODE — what you send is marked Exercise on every channel and never shown as a real alert.',
  Actual: 'ACTUAL MODE — what you send reaches the public as a real alert.',
};

let mode: Mode = 'Exercise';
let started = false;

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
  $('mode-banner').textContent = BANNERS[next];
  refresh();
}

async function startApp(who: Who): Promise<void> {
  $('who').textContent =
    `${who.actor.name} (${who.actor.roles.join(', ')}; ${who.actor.jurisdiction.join(', ')})`;
  if (who.mustChangePassword) {
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
    roles: who.actor.roles,
  });
  const composer = setupCompose({
    eventTypes: types.eventTypes,
    regions: regions.regions,
    topology,
    mode: () => mode,
    onSent: () => {
      void lists.refreshQueue();
      void lists.refreshIncidents();
    },
    onTemplateSaved: () => void lists.refreshTemplates(),
  });
  const admin = who.actor.roles.includes('admin') ? setupAdmin() : undefined;
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=mode]')) {
    radio.checked = radio.value === mode;
    radio.addEventListener('change', () => {
      if (radio.checked) setMode(radio.value as Mode, composer.refresh);
    });
  }
  setMode(mode, composer.refresh);
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
  const e = error as ApiError;
  $(target).textContent = `${e.code ?? 'ERROR'}: ${e.message}`;
}

ensurePatternDefs();
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
    $('login-msg').textContent = 'The token was not accepted.';
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
