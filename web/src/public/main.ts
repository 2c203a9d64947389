// The public live map: the list of active alerts (the primary content), the SVG map, the
// legend, a region page (#/region/CODE) with history and statistics, "alerts for my place",
// kept live by the SSE stream. Everything on screen is rebuilt from `incidents` on a change.
import type { Topology } from 'topojson-specification';
import { api } from '../shared/api.ts';
import { EVENT_STYLES, patternId, swatch } from '../shared/event-styles.ts';
import { initialLang, type Lang, nameIn, rememberLang, t } from '../shared/i18n.ts';
import { applyMessage, type Incident, type Incidents, isExercise, statusOf } from '../shared/incidents.ts';
import { connectLive, type LiveStatus } from '../shared/live.ts';
import { drawMap, ensurePatternDefs, type MapView } from '../shared/map.ts';
import { clockTime, duration } from '../shared/time.ts';
import type { EventType, RegionSummary } from '../shared/types.ts';
import { setupMyPlace } from './my-place.ts';
import { showRegionPage } from './region-page.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const TICK_MS = 15_000;

let lang: Lang = initialLang();
const incidents: Incidents = new Map();
const regions = new Map<string, RegionSummary>();
const eventNames = new Map<string, Record<string, string>>();
let map: MapView | undefined;
let status: LiveStatus = 'connecting';
let myRegion: () => string | undefined = () => undefined;

const parentOf = (code: string) => regions.get(code)?.parent ?? null;
const regionName = (code: string) => nameIn(regions.get(code)?.names, lang, code);
const eventName = (code: string) => nameIn(eventNames.get(code), lang, code);

function statusWord(incident: Incident): string {
  return incident.status === 'Test' ? t(lang, 'test') : t(lang, 'exercise');
}

function sinceText(incident: Incident, nowMs: number): string {
  return t(lang, 'since', {
    time: clockTime(incident.since, lang, nowMs),
    duration: duration(nowMs - Date.parse(incident.since), lang),
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** One sentence per region for its label: "Sumy Oblast: Air raid alert since 10:42 (12 min)". */
function regionLabel(code: string, nowMs: number): string {
  const s = statusOf(code, incidents, parentOf);
  if (!s.top) return t(lang, 'regionState', { region: regionName(code), state: t(lang, 'noAlert') });
  const parts = s.all.map((i) => {
    const mark = isExercise(i.status) ? `${statusWord(i)} (${t(lang, 'exerciseNote')}): ` : '';
    return `${mark}${eventName(i.event)} ${sinceText(i, nowMs)}`;
  });
  const partial = s.partial ? ` (${t(lang, 'partial')})` : '';
  return t(lang, 'regionState', { region: regionName(code), state: parts.join('; ') + partial });
}

function renderList(nowMs = Date.now()): void {
  const list = $('alert-list');
  const sorted = [...incidents.values()].sort(
    (a, b) =>
      Number(isExercise(a.status)) - Number(isExercise(b.status)) ||
      Date.parse(b.since) - Date.parse(a.since),
  );
  if (sorted.length === 0) {
    list.innerHTML = `<li class="alert-item">${escapeHtml(t(lang, 'noAlerts'))}</li>`;
    return;
  }
  const mine = myRegion();
  list.innerHTML = sorted
    .map((i) => {
      const exercise = isExercise(i.status);
      const where = i.regions.map(regionName).join(', ');
      const covers = mine !== undefined && statusOf(mine, new Map([[i.id, i]]), parentOf).top !== undefined;
      const fill = patternId(i.event, exercise, false);
      const badge = exercise
        ? `<span class="badge-exercise">${escapeHtml(statusWord(i))}</span> <span>(${escapeHtml(t(lang, 'exerciseNote'))})</span> `
        : '';
      return (
        `<li class="alert-item${exercise ? ' exercise' : ''}${covers ? ' mine' : ''}" data-incident="${escapeHtml(i.id)}" data-event="${escapeHtml(i.event)}" data-status="${escapeHtml(i.status)}">` +
        `${swatch(fill)}<div><p class="what">${badge}${escapeHtml(eventName(i.event))}: ` +
        `${i.regions.map((c) => `<a href="#/region/${encodeURIComponent(c)}">${escapeHtml(regionName(c))}</a>`).join(', ')}` +
        `${covers ? ` <em>(${escapeHtml(t(lang, 'yourRegion'))})</em>` : ''}</p>` +
        `<p class="since" data-since="${escapeHtml(i.since)}">${escapeHtml(sinceText(i, nowMs))}</p>` +
        `<span class="visually-hidden">${escapeHtml(where)}</span></div></li>`
      );
    })
    .join('');
}

function paintMap(nowMs = Date.now()): void {
  map?.paint((code) => {
    const s = statusOf(code, incidents, parentOf);
    const exercise = s.top ? isExercise(s.top.status) : false;
    return {
      fill: s.top ? patternId(s.top.event, exercise, s.partial) : undefined,
      event: s.top?.event,
      exercise,
      label: regionLabel(code, nowMs),
    };
  });
}

function renderLegend(): void {
  const items = Object.keys(EVENT_STYLES).map(
    (code) => `<li>${swatch(patternId(code, false, false))}<span>${escapeHtml(eventName(code))}</span></li>`,
  );
  items.push(
    `<li>${swatch('p-exercise', 'exercise')}<span>${escapeHtml(t(lang, 'exerciseLegend'))}</span></li>`,
    `<li>${swatch('p-air_raid-part')}<span>${escapeHtml(t(lang, 'partial'))}</span></li>`,
    `<li><svg class="swatch" viewBox="0 0 24 16" aria-hidden="true" focusable="false"><rect width="24" height="16" fill="#e7e9ee"/></svg><span>${escapeHtml(t(lang, 'quiet'))}</span></li>`,
  );
  $('legend').innerHTML = items.join('');
}

function renderStatus(): void {
  const banner = $('banner');
  banner.textContent = t(lang, 'lost');
  banner.hidden = status !== 'lost';
  $('live-status').textContent = status === 'live' ? `● ${t(lang, 'live')}` : '';
  document.body.dataset.live = status;
}

function renderTexts(): void {
  document.documentElement.lang = lang;
  for (const node of document.querySelectorAll<HTMLElement>('[data-t]'))
    node.textContent = t(lang, node.dataset.t as Parameters<typeof t>[1]);
  const button = $('lang');
  button.textContent = t(lang, 'language');
  button.title = t(lang, 'languageLabel');
  button.setAttribute('lang', lang === 'uk' ? 'en' : 'uk');
  map?.label(t(lang, 'mapLabel'));
  document.title = `Tocsin — ${t(lang, 'title')}`;
}

function renderAll(): void {
  renderTexts();
  renderLegend();
  renderList();
  paintMap();
  renderStatus();
  route();
}

function route(): void {
  const match = /^#\/region\/([^/?#]+)$/.exec(location.hash);
  const code = match ? decodeURIComponent(match[1] as string) : undefined;
  const page = $('region-page');
  if (code === undefined || !regions.has(code)) {
    page.hidden = true;
    return;
  }
  showRegionPage(page, {
    code,
    lang,
    regionName,
    eventName,
    label: regionLabel(code, Date.now()),
  });
}

async function start(): Promise<void> {
  ensurePatternDefs();
  renderTexts();
  $('lang').addEventListener('click', () => {
    lang = lang === 'uk' ? 'en' : 'uk';
    rememberLang(lang);
    renderAll();
  });
  window.addEventListener('hashchange', () => {
    route();
    if (location.hash === '' || location.hash === '#') $('alerts').focus();
  });
  $('region-back').addEventListener('click', (event) => {
    event.preventDefault();
    history.pushState(null, '', location.pathname);
    route();
    $('alerts').focus();
  });

  try {
    const [types, list, topology] = await Promise.all([
      api<{ eventTypes: EventType[] }>('/v1/event-types'),
      api<{ regions: RegionSummary[] }>('/v1/regions'),
      api<Topology & { attribution?: string }>('/v1/regions.topojson'),
    ]);
    for (const type of types.eventTypes) eventNames.set(type.code, type.names);
    for (const region of list.regions) regions.set(region.code, region);
    map = drawMap($('map'), topology, {
      label: t(lang, 'mapLabel'),
      href: (code) => `#/region/${encodeURIComponent(code)}`,
    });
    $('attribution').textContent = topology.attribution ?? '';
    myRegion = setupMyPlace({
      regions: list.regions.filter((r) => r.depth === 1),
      lang: () => lang,
      regionName,
      onChange: () => renderList(),
    }).region;
  } catch (error) {
    $('alert-list').innerHTML =
      `<li>${escapeHtml(t(lang, 'loadFailed', { message: (error as Error).message }))}</li>`;
    return;
  }
  renderAll();

  connectLive({
    url: '/v1/stream',
    onStatus: (next) => {
      status = next;
      renderStatus();
    },
    onMessage: (message) => {
      const before = myRegion();
      const wasActive =
        before !== undefined && statusOf(before, incidents, parentOf).all.some((i) => !isExercise(i.status));
      if (!applyMessage(incidents, message)) return;
      renderList();
      paintMap();
      if (message.type === 'alert.issued' && before !== undefined && !wasActive) {
        const now = statusOf(before, incidents, parentOf).all.some((i) => !isExercise(i.status));
        if (now) document.dispatchEvent(new CustomEvent('tocsin:alert-here'));
      }
      if (!$('region-page').hidden) route();
    },
  });

  // "since 10:42 (1 h 12 min)" keeps counting: only the durations change between events.
  setInterval(() => {
    const now = Date.now();
    for (const node of document.querySelectorAll<HTMLElement>('.since[data-since]')) {
      const id = node.closest<HTMLElement>('[data-incident]')?.dataset.incident;
      const incident = id === undefined ? undefined : incidents.get(id);
      if (incident) node.textContent = sinceText(incident, now);
    }
    paintMap(now);
  }, TICK_MS);

  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}

void start();
