// Compose: event type, regions (searchable list, or a click on the map), texts per language
// pre-filled from the event type's defaults, an impact preview, and a send button that names
// the mode and the number of regions. Sending takes a second, explicit confirmation that
// repeats what will happen ("Confirm: send ACTUAL alert"): the safe action is the easy one.
// Event-type and region names come from the API in both languages: the console's language first.
import type { Topology } from 'topojson-specification';
import { type Lang, nameIn } from '../shared/i18n.ts';
import { drawMap } from '../shared/map.ts';
import type { EventType, RegionSummary } from '../shared/types.ts';
import { call } from './session.ts';
import { errorText, esc, html, regionCount, severityName, statusMark, t, urgencyName } from './texts.ts';

export type Mode = 'Exercise' | 'Actual';

export interface ComposeInput {
  eventTypes: EventType[];
  regions: RegionSummary[];
  topology: Topology;
  mode(): Mode;
  lang(): Lang;
  onSent(outcome: 'issued' | 'pending'): void;
  /** A template was saved from the form. */
  onTemplateSaved(): void;
}

/** The languages of an alert's texts, with the keys of their labels. */
const LANGS = [
  ['uk', { text: 'textUk', headline: 'headlineUk', instruction: 'instructionUk' }],
  ['en', { text: 'textEn', headline: 'headlineEn', instruction: 'instructionEn' }],
] as const;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const other = (lang: Lang): Lang => (lang === 'uk' ? 'en' : 'uk');

export interface Composer {
  /** Re-labels the send button and the preview (mode switch). */
  refresh(): void;
  /** Says everything again in the console's language (language switch); keeps what was entered. */
  relabel(): void;
}

export function setupCompose(input: ComposeInput): Composer {
  const byCode = new Map(input.regions.map((r) => [r.code, r]));
  const types = new Map(input.eventTypes.map((t) => [t.code, t]));
  const selected = new Set<string>();
  const name = (code: string) => nameIn(byCode.get(code)?.names, input.lang(), code);
  /** The name in the console's language, then the other one (marked as such for screen readers). */
  const fullName = (r: RegionSummary) => {
    const lang = input.lang();
    const second = r.names[other(lang)];
    // One flex item in the label: the label's gap would otherwise stand inside the brackets.
    return `<span>${esc(name(r.code))}${second ? ` (<span lang="${other(lang)}">${esc(second)}</span>)` : ''}</span>`;
  };
  let idempotencyKey = crypto.randomUUID();

  const eventSelect = $<HTMLSelectElement>('compose-event');
  const fillEvents = () => {
    const lang = input.lang();
    const chosen = eventSelect.value;
    eventSelect.innerHTML = input.eventTypes
      .map(
        (type) =>
          `<option value="${esc(type.code)}">${esc(nameIn(type.names, lang, type.code))} — ${esc(type.names[other(lang)] ?? '')}</option>`,
      )
      .join('');
    if (chosen !== '') eventSelect.value = chosen;
  };
  fillEvents();

  // The texts of each language: the inputs carry that language, their labels the console's.
  $('compose-texts').innerHTML = LANGS.map(
    ([lang]) =>
      `<fieldset class="texts"><legend id="compose-texts-${lang}"></legend>` +
      `<p><label id="compose-headline-label-${lang}" for="compose-headline-${lang}"></label><input id="compose-headline-${lang}" lang="${lang}" maxlength="160" required /></p>` +
      `<p><label id="compose-instruction-label-${lang}" for="compose-instruction-${lang}"></label><textarea id="compose-instruction-${lang}" lang="${lang}" rows="2" maxlength="1000"></textarea></p></fieldset>`,
  ).join('');
  const labelTexts = () => {
    const lang = input.lang();
    for (const [of, keys] of LANGS) {
      $(`compose-texts-${of}`).textContent = t(lang, keys.text);
      $(`compose-headline-label-${of}`).textContent = t(lang, keys.headline);
      $(`compose-instruction-label-${of}`).textContent = t(lang, keys.instruction);
    }
  };
  labelTexts();
  const textInputs = LANGS.flatMap(([lang]) => [
    $(`compose-headline-${lang}`),
    $(`compose-instruction-${lang}`),
  ]);
  for (const node of textInputs) node.addEventListener('input', () => (node.dataset.edited = 'true'));

  const severityHint = () => {
    const type = types.get(eventSelect.value);
    const lang = input.lang();
    $('compose-severity').textContent = type
      ? t(lang, 'severityHint', {
          severity: severityName(lang, type.severity),
          urgency: urgencyName(lang, type.urgency),
        })
      : '';
  };
  const prefill = () => {
    const type = types.get(eventSelect.value);
    if (!type) return;
    for (const [lang] of LANGS) {
      const headline = $<HTMLInputElement>(`compose-headline-${lang}`);
      const instruction = $<HTMLTextAreaElement>(`compose-instruction-${lang}`);
      if (headline.dataset.edited !== 'true') headline.value = type.headline[lang] ?? '';
      if (instruction.dataset.edited !== 'true') instruction.value = type.instruction[lang] ?? '';
    }
    severityHint();
  };

  // The searchable list: the keyboard path to every region (the map is for the mouse). Search
  // finds a region by its code or either name, whatever the console's language.
  const list = $('compose-regions');
  const fillRegions = () => {
    const sorted = [...input.regions].sort(
      (a, b) => a.depth - b.depth || name(a.code).localeCompare(name(b.code), input.lang()),
    );
    list.innerHTML = sorted
      .map(
        (r) =>
          `<li data-code="${esc(r.code)}" data-search="${esc(`${r.code} ${Object.values(r.names).join(' ')}`.toLowerCase())}">` +
          `<label><input type="checkbox" value="${esc(r.code)}" /> ${fullName(r)} <span class="hint">${esc(r.code)}</span></label></li>`,
      )
      .join('');
    filter();
  };
  const search = $<HTMLInputElement>('compose-search');
  const filter = () => {
    const q = search.value.trim().toLowerCase();
    for (const li of list.querySelectorAll<HTMLElement>('li'))
      li.hidden = q !== '' && !(li.dataset.search ?? '').includes(q);
  };
  fillRegions();
  search.addEventListener('input', filter);
  list.addEventListener('change', (event) => {
    const box = event.target as HTMLInputElement;
    if (box.checked) selected.add(box.value);
    else selected.delete(box.value);
    update();
  });

  const map = drawMap($('compose-map'), input.topology, {
    label: t(input.lang(), 'mapLabel'),
    onClick: (code) => {
      if (selected.has(code)) selected.delete(code);
      else selected.add(code);
      update();
    },
  });
  const paintMap = () =>
    map.paint((code) => ({ fill: undefined, event: undefined, exercise: false, label: name(code) }));
  paintMap();

  const descendants = (code: string) =>
    input.regions.filter((r) => {
      for (let at = r.parent; at !== null; at = byCode.get(at)?.parent ?? null) if (at === code) return true;
      return false;
    }).length;

  const sendLabel = () => {
    const lang = input.lang();
    return t(lang, input.mode() === 'Actual' ? 'sendActual' : 'sendExercise', {
      regions: regionCount(lang, selected.size),
    });
  };

  /** The short form (DESIGN.md) of what the form says now. */
  function currentBody() {
    const text = (prefix: string) =>
      Object.fromEntries(
        LANGS.map(([lang]) => [
          lang,
          ($(`compose-${prefix}-${lang}`) as HTMLInputElement).value.trim(),
        ]).filter(([, v]) => v !== ''),
      );
    const minutes = Number($<HTMLInputElement>('compose-expires').value);
    return {
      event: eventSelect.value,
      regions: [...selected],
      status: input.mode(),
      headline: text('headline'),
      instruction: text('instruction'),
      ...(minutes > 0 ? { expiresInMinutes: minutes } : {}),
    };
  }

  function update() {
    for (const box of list.querySelectorAll<HTMLInputElement>('input[type=checkbox]'))
      box.checked = selected.has(box.value);
    map.select(selected);
    const send = $<HTMLButtonElement>('send');
    send.textContent = sendLabel();
    send.disabled = selected.size === 0;
    $<HTMLButtonElement>('save-template').disabled = selected.size === 0;
    $('confirm').hidden = true;
    const type = types.get(eventSelect.value);
    const mode = input.mode();
    const lang = input.lang();
    const needsApproval = mode === 'Actual' && (type?.severity === 'Extreme' || type?.severity === 'Severe');
    const codes = [...selected];
    const below = codes.reduce((sum, code) => sum + descendants(code), 0);
    const strong = (text: string) => ({ html: `<strong>${esc(text)}</strong>` });
    const within = (code: string) =>
      descendants(code) > 0
        ? ` ${html(lang, 'within', { regions: regionCount(lang, descendants(code)) })}`
        : '';
    $('impact').innerHTML =
      codes.length === 0
        ? `<p>${html(lang, 'noRegion')}</p>`
        : `<p>${html(lang, 'impactHead', {
            status: strong(statusMark(lang, mode)),
            event: type ? nameIn(type.names, lang, type.code) : '',
            severity: type ? severityName(lang, type.severity) : '',
          })}</p>` +
          `<ul>${codes.map((c) => `<li>${esc(name(c))} <span class="hint">${esc(c)}</span>${within(c)}</li>`).join('')}</ul>` +
          `<p>${html(lang, 'reachesAll', { regions: regionCount(lang, codes.length + below) })}</p>` +
          `<p>${html(lang, 'channels')}</p>` +
          (mode === 'Exercise'
            ? `<p>${html(lang, 'exerciseMarked', { exercise: strong(t(lang, 'exerciseWord')) })}</p>`
            : needsApproval
              ? `<p>${html(lang, 'needsApproval', { approval: strong(t(lang, 'needsApprovalStrong')) })}</p>`
              : `<p>${html(lang, 'goesOut')}</p>`);
  }

  eventSelect.addEventListener('change', () => {
    prefill();
    update();
  });

  $('compose-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (selected.size === 0) return;
    const actual = input.mode() === 'Actual';
    const lang = input.lang();
    const type = types.get(eventSelect.value);
    $('confirm-text').textContent = t(lang, actual ? 'confirmActual' : 'confirmExercise', {
      event: nameIn(type?.names, lang, eventSelect.value),
      regions: [...selected].map(name).join(', '),
    });
    $('confirm-send').textContent = t(lang, actual ? 'confirmSendActual' : 'confirmSendExercise');
    $('confirm').hidden = false;
    $('confirm-send').focus();
  });
  $('confirm-back').addEventListener('click', () => {
    $('confirm').hidden = true;
    $('send').focus();
  });
  $('confirm-send').addEventListener('click', async () => {
    const message = $('compose-msg');
    const button = $<HTMLButtonElement>('confirm-send');
    button.disabled = true;
    const body = currentBody();
    try {
      const result = await call<{ outcome: 'issued' | 'pending' }>('/v1/alerts', {
        method: 'POST',
        body,
        headers: { 'idempotency-key': idempotencyKey },
      });
      message.className = 'msg';
      message.textContent = t(
        input.lang(),
        result.outcome === 'pending'
          ? 'sentForApproval'
          : body.status === 'Actual'
            ? 'issuedActual'
            : 'issuedExercise',
      );
      idempotencyKey = crypto.randomUUID();
      selected.clear();
      update();
      input.onSent(result.outcome);
    } catch (error) {
      message.className = 'msg error';
      message.textContent = errorText(input.lang(), error, true);
      $('confirm').hidden = true;
    } finally {
      button.disabled = false;
    }
  });

  $('save-template').addEventListener('click', async () => {
    const message = $('compose-msg');
    const name = window.prompt(t(input.lang(), 'templatePrompt'));
    if (!name) return;
    try {
      await call('/v1/templates', { method: 'POST', body: { name: name.trim(), alert: currentBody() } });
      message.className = 'msg';
      message.textContent = t(input.lang(), 'templateSaved', { name: name.trim() });
      input.onTemplateSaved();
    } catch (error) {
      message.className = 'msg error';
      message.textContent = errorText(input.lang(), error);
    }
  });

  prefill();
  update();
  return {
    refresh: update,
    relabel: () => {
      fillEvents();
      labelTexts();
      severityHint();
      fillRegions();
      map.label(t(input.lang(), 'mapLabel'));
      paintMap();
      update();
    },
  };
}
