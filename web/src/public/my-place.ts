// "Alerts for my place": a region chosen from the list or found from the browser's location,
// remembered; an optional sound when an alert starts there (Web Audio: nothing to download);
// Web Push through the hub's /v1/push API when the hub offers it, a clear note when it does not.
import { api } from '../shared/api.ts';
import { type Lang, safeStorage, t } from '../shared/i18n.ts';
import type { RegionSummary } from '../shared/types.ts';

export interface MyPlaceInput {
  regions: RegionSummary[];
  lang(): Lang;
  regionName(code: string): string;
  onChange(): void;
}

const REGION_KEY = 'tocsin.myRegion';
const SOUND_KEY = 'tocsin.sound';
const BEEP_MS = 900;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function beep(): void {
  const Ctx = window.AudioContext;
  if (!Ctx) return;
  const ctx = new Ctx();
  const osc = ctx.createOscillator();
  const gain = ctx.createGain();
  osc.frequency.value = 880;
  gain.gain.value = 0.15;
  osc.connect(gain).connect(ctx.destination);
  osc.start();
  osc.stop(ctx.currentTime + BEEP_MS / 1000);
  osc.onended = () => void ctx.close();
}

function base64UrlToBytes(text: string): Uint8Array {
  const b64 = text
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .padEnd(Math.ceil(text.length / 4) * 4, '=');
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

export function setupMyPlace(input: MyPlaceInput): { region: () => string | undefined } {
  const storage = safeStorage();
  const select = $<HTMLSelectElement>('place-region');
  const sound = $<HTMLInputElement>('place-sound');
  const message = $<HTMLElement>('place-msg');
  let region = storage?.getItem(REGION_KEY) ?? undefined;

  const fill = () => {
    const options = [`<option value="">${t(input.lang(), 'none')}</option>`];
    const sorted = [...input.regions].sort((a, b) =>
      input.regionName(a.code).localeCompare(input.regionName(b.code)),
    );
    for (const r of sorted) options.push(`<option value="${r.code}">${input.regionName(r.code)}</option>`);
    select.innerHTML = options.join('');
    select.value = region ?? '';
  };
  const choose = (code: string | undefined) => {
    region = code === '' ? undefined : code;
    if (region) storage?.setItem(REGION_KEY, region);
    else storage?.removeItem(REGION_KEY);
    select.value = region ?? '';
    input.onChange();
  };
  fill();
  document.getElementById('lang')?.addEventListener('click', fill);
  select.addEventListener('change', () => choose(select.value));

  $('place-locate').addEventListener('click', () => {
    if (!navigator.geolocation) {
      message.textContent = t(input.lang(), 'locationFailed');
      return;
    }
    message.textContent = t(input.lang(), 'locating');
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { latitude, longitude } = position.coords;
        api<{ regions: RegionSummary[] }>(`/v1/regions/lookup?lat=${latitude}&lon=${longitude}`)
          .then((found) => {
            const oblast = found.regions.find((r) => r.depth === 1);
            message.textContent = oblast ? input.regionName(oblast.code) : t(input.lang(), 'locationFailed');
            if (oblast) choose(oblast.code);
          })
          .catch(() => (message.textContent = t(input.lang(), 'locationFailed')));
      },
      () => (message.textContent = t(input.lang(), 'locationFailed')),
      { timeout: 15_000, maximumAge: 600_000 },
    );
  });

  sound.checked = storage?.getItem(SOUND_KEY) === '1';
  sound.addEventListener('change', () => storage?.setItem(SOUND_KEY, sound.checked ? '1' : '0'));
  document.addEventListener('tocsin:alert-here', () => {
    if (sound.checked) beep();
  });

  $('place-push').addEventListener('click', async () => {
    const lang = input.lang();
    if (region === undefined) {
      message.textContent = t(lang, 'chooseFirst');
      select.focus();
      return;
    }
    if (!('serviceWorker' in navigator) || !('PushManager' in window)) {
      message.textContent = t(lang, 'pushUnavailable');
      return;
    }
    let key: string;
    try {
      key = (await api<{ publicKey: string }>('/v1/push/vapid-public-key')).publicKey;
    } catch {
      message.textContent = t(lang, 'pushUnavailable');
      return;
    }
    if ((await Notification.requestPermission()) !== 'granted') {
      message.textContent = t(lang, 'pushDenied');
      return;
    }
    try {
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: base64UrlToBytes(key) as BufferSource,
      });
      await api('/v1/push/subscriptions', {
        method: 'POST',
        body: { subscription: subscription.toJSON(), regions: [region] },
      });
      message.textContent = t(lang, 'pushOn');
    } catch {
      message.textContent = t(lang, 'pushUnavailable');
    }
  });

  return { region: () => region };
}
