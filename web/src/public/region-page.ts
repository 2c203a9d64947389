// The region page (#/region/CODE): the region's state now, its history as a timeline
// (/v1/alerts?region=) and its statistics for the last 30 days (/v1/stats?region=).
import { api } from '../shared/api.ts';
import { patternId, swatch } from '../shared/event-styles.ts';
import { type Lang, t } from '../shared/i18n.ts';
import { isExercise } from '../shared/incidents.ts';
import { clockTime, seconds } from '../shared/time.ts';
import type { AlertView, StatsRow } from '../shared/types.ts';

export interface RegionPageInput {
  code: string;
  lang: Lang;
  label: string;
  regionName(code: string): string;
  eventName(code: string): string;
}

const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
let shown = '';
let requestNo = 0;

/** Shows the page; history and statistics load once per region and language. */
export function showRegionPage(page: HTMLElement, input: RegionPageInput): void {
  const { code, lang } = input;
  const wasHidden = page.hidden;
  page.hidden = false;
  (page.querySelector('#region-h') as HTMLElement).textContent = input.regionName(code);
  (page.querySelector('#region-state') as HTMLElement).textContent = input.label;
  if (wasHidden) page.focus();
  const key = `${code}:${lang}`;
  if (key === shown) return;
  shown = key;
  const mine = ++requestNo;
  const history = page.querySelector('#region-history') as HTMLElement;
  const stats = page.querySelector('#region-stats') as HTMLElement;
  history.innerHTML = `<li>${esc(t(lang, 'loading'))}</li>`;
  stats.textContent = '';
  const q = encodeURIComponent(code);
  void Promise.all([
    api<{ items: AlertView[] }>(`/v1/alerts?region=${q}&limit=30`),
    api<{ rows: StatsRow[] }>(`/v1/stats?region=${q}`),
  ])
    .then(([alerts, statistics]) => {
      if (mine !== requestNo) return;
      const items = alerts.items.filter(
        (a) => a.state !== 'pending' && a.state !== 'rejected' && a.state !== 'lapsed',
      );
      history.innerHTML =
        items.length === 0
          ? `<li>${esc(t(lang, 'noHistory'))}</li>`
          : items
              .map((a) => {
                const exercise = isExercise(a.status);
                const mark = exercise
                  ? `<span class="badge-exercise">${esc(a.status === 'Test' ? t(lang, 'test') : t(lang, 'exercise'))}</span> `
                  : '';
                const what = a.endReason
                  ? t(lang, 'ended', { time: clockTime(a.sent, lang) })
                  : a.active
                    ? t(lang, 'active')
                    : a.msgType;
                return `<li>${swatch(patternId(a.event, exercise, false))} <time datetime="${esc(a.sent)}">${esc(clockTime(a.sent, lang))}</time> ${mark}${esc(input.eventName(a.event))} — ${esc(what)}</li>`;
              })
              .join('');
      const rows = statistics.rows;
      stats.innerHTML =
        rows.length === 0
          ? `<p>${esc(t(lang, 'noHistory'))}</p>`
          : `<table class="stats"><thead><tr><th scope="col">${esc(t(lang, 'event'))}</th><th scope="col">${esc(t(lang, 'count'))}</th><th scope="col">${esc(t(lang, 'total'))}</th><th scope="col">${esc(t(lang, 'longest'))}</th></tr></thead><tbody>` +
            rows
              .map(
                (r) =>
                  `<tr><th scope="row">${esc(input.eventName(r.event))}</th><td>${r.count}</td><td>${esc(seconds(r.underAlertSeconds, lang))}</td><td>${esc(seconds(r.longestSeconds, lang))}</td></tr>`,
              )
              .join('') +
            '</tbody></table>';
    })
    .catch((error: Error) => {
      if (mine !== requestNo) return;
      shown = '';
      history.innerHTML = `<li>${esc(t(lang, 'loadFailed', { message: error.message }))}</li>`;
    });
}
