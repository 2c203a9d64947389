// Compose: event type, regions (searchable list, or a click on the map), texts per language
// pre-filled from the event type's defaults, an impact preview, and a send button that names
// the mode and the number of regions. Sending takes a second, explicit confirmation that
// repeats what will happen ("Confirm: send ACTUAL alert"): the safe action is the easy one.
import type { Topology } from 'topojson-specification';
import type { ApiError } from '../shared/api.ts';
import { drawMap } from '../shared/map.ts';
import type { EventType, RegionSummary } from '../shared/types.ts';
import { call } from './session.ts';

export type Mode = 'Exercise' | 'Actual';

export interface ComposeInput {
  eventTypes: EventType[];
  regions: RegionSummary[];
  topology: Topology;
  mode(): Mode;
  onSent(outcome: 'issued' | 'pending'): void;
  /** A template was saved from the form. */
  onTemplateSaved(): void;
}

const LANGS = [
  ['uk', 'Ukrainian'],
  ['en', 'English'],
] as const;

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface Composer {
  /** Re-labels the send button and the preview (mode switch). */
  refresh(): void;
}

export function setupCompose(input: ComposeInput): Composer {
  const byCode = new Map(input.regions.map((r) => [r.code, r]));
  const types = new Map(input.eventTypes.map((t) => [t.code, t]));
  const selected = new Set<string>();
  const name = (code: string) => byCode.get(code)?.names.en ?? code;
  const fullName = (r: RegionSummary) => `${r.names.en ?? r.code}${r.names.uk ? ` (${r.names.uk})` : ''}`;
  let idempotencyKey = crypto.randomUUID();

  const eventSelect = $<HTMLSelectElement>('compose-event');
  eventSelect.innerHTML = input.eventTypes
    .map(
      (t) =>
        `<option value="${esc(t.code)}">${esc(t.names.en ?? t.code)} — ${esc(t.names.uk ?? '')}</option>`,
    )
    .join('');

  $('compose-texts').innerHTML = LANGS.map(
    ([lang, label]) =>
      `<fieldset class="texts" lang="${lang}"><legend>Text in ${label}</legend>` +
      `<p><label for="compose-headline-${lang}">Headline (${label})</label><input id="compose-headline-${lang}" maxlength="160" required /></p>` +
      `<p><label for="compose-instruction-${lang}">Instruction (${label})</label><textarea id="compose-instruction-${lang}" rows="2" maxlength="1000"></textarea></p></fieldset>`,
  ).join('');
  const textInputs = LANGS.flatMap(([lang]) => [
    $(`compose-headline-${lang}`),
    $(`compose-instruction-${lang}`),
  ]);
  for (const node of textInputs) node.addEventListener('input', () => (node.dataset.edited = 'true'));

  const prefill = () => {
    const type = types.get(eventSelect.value);
    if (!type) return;
    for (const [lang] of LANGS) {
      const headline = $<HTMLInputElement>(`compose-headline-${lang}`);
      const instruction = $<HTMLTextAreaElement>(`compose-instruction-${lang}`);
      if (headline.dataset.edited !== 'true') headline.value = type.headline[lang] ?? '';
      if (instruction.dataset.edited !== 'true') instruction.value = type.instruction[lang] ?? '';
    }
    $('compose-severity').textContent = `Severity ${type.severity}, urgency ${type.urgency}`;
  };

  // The searchable list: the keyboard path to every region (the map is for the mouse).
  const sorted = [...input.regions].sort(
    (a, b) => a.depth - b.depth || name(a.code).localeCompare(name(b.code)),
  );
  const list = $('compose-regions');
  list.innerHTML = sorted
    .map(
      (r) =>
        `<li data-code="${esc(r.code)}" data-search="${esc(`${r.code} ${Object.values(r.names).join(' ')}`.toLowerCase())}">` +
        `<label><input type="checkbox" value="${esc(r.code)}" /> ${esc(fullName(r))} <span class="hint">${esc(r.code)}</span></label></li>`,
    )
    .join('');
  const search = $<HTMLInputElement>('compose-search');
  search.addEventListener('input', () => {
    const q = search.value.trim().toLowerCase();
    for (const li of list.querySelectorAll<HTMLElement>('li'))
      li.hidden = q !== '' && !(li.dataset.search ?? '').includes(q);
  });
  list.addEventListener('change', (event) => {
    const box = event.target as HTMLInputElement;
    if (box.checked) selected.add(box.value);
    else selected.delete(box.value);
    update();
  });

  const map = drawMap($('compose-map'), input.topology, {
    label: 'Regions to alert',
    onClick: (code) => {
      if (selected.has(code)) selected.delete(code);
      else selected.add(code);
      update();
    },
  });
  map.paint((code) => ({ fill: undefined, event: undefined, exercise: false, label: name(code) }));

  const descendants = (code: string) =>
    input.regions.filter((r) => {
      for (let at = r.parent; at !== null; at = byCode.get(at)?.parent ?? null) if (at === code) return true;
      return false;
    }).length;

  const sendLabel = () => {
    const n = selected.size;
    return `Send ${input.mode().toUpperCase()} alert to ${n} region${n === 1 ? '' : 's'}`;
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
    const needsApproval = mode === 'Actual' && (type?.severity === 'Extreme' || type?.severity === 'Severe');
    const codes = [...selected];
    const below = codes.reduce((sum, code) => sum + descendants(code), 0);
    $('impact').innerHTML =
      codes.length === 0
        ? '<p>No region chosen yet.</p>'
        : `<p><strong>${esc(mode.toUpperCase())}</strong> ${esc(type?.names.en ?? '')} (${esc(type?.severity ?? '')}) for:</p>` +
          `<ul>${codes.map((c) => `<li>${esc(name(c))} <span class="hint">${esc(c)}</span>${descendants(c) > 0 ? ` and ${descendants(c)} regions within it` : ''}</li>`).join('')}</ul>` +
          `<p>Reaches ${codes.length + below} region${codes.length + below === 1 ? '' : 's'} in all.</p>` +
          '<p>Channels: the public map and live streams (SSE, WebSocket), the CAP Atom feed, and the webhook, MQTT and Web Push subscribers of these regions.</p>' +
          (mode === 'Exercise'
            ? '<p>Marked <strong>Exercise</strong> on every channel: never shown as a real alert.</p>'
            : needsApproval
              ? '<p><strong>Needs a second operator’s approval</strong> before it goes out.</p>'
              : '<p>Goes out at once.</p>');
  }

  eventSelect.addEventListener('change', () => {
    prefill();
    update();
  });

  $('compose-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (selected.size === 0) return;
    const mode = input.mode().toUpperCase();
    const type = types.get(eventSelect.value);
    $('confirm-text').textContent =
      `You are about to send an ${mode} “${type?.names.en ?? eventSelect.value}” alert to ${[...selected].map(name).join(', ')}.`;
    $('confirm-send').textContent = `Confirm: send ${mode} alert`;
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
      message.textContent =
        result.outcome === 'pending'
          ? 'Sent for approval: a second operator must approve it in the approval queue.'
          : `Issued (${body.status}).`;
      idempotencyKey = crypto.randomUUID();
      selected.clear();
      update();
      input.onSent(result.outcome);
    } catch (error) {
      message.className = 'msg error';
      const e = error as ApiError;
      message.textContent = `${e.code}: ${e.message}${e.details?.length ? ` (${e.details.map((d) => `${d.path ?? ''} ${d.message ?? ''}`).join('; ')})` : ''}`;
      $('confirm').hidden = true;
    } finally {
      button.disabled = false;
    }
  });

  $('save-template').addEventListener('click', async () => {
    const message = $('compose-msg');
    const name = window.prompt(
      'Template name (two operators, one an admin, must approve it before it can be fired)',
    );
    if (!name) return;
    try {
      await call('/v1/templates', { method: 'POST', body: { name: name.trim(), alert: currentBody() } });
      message.className = 'msg';
      message.textContent = `Template “${name.trim()}” saved; it waits for approval.`;
      input.onTemplateSaved();
    } catch (error) {
      const e = error as ApiError;
      message.className = 'msg error';
      message.textContent = `${e.code}: ${e.message}`;
    }
  });

  prefill();
  update();
  return { refresh: update };
}
