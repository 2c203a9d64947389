// The approval queue, the active incidents and the templates: tables with their actions.
// Each action names what it does ("Approve ACTUAL Air raid alert for Sumy Oblast"), and the
// ones that reach the public take a second click to confirm.
import type { ApiError } from '../shared/api.ts';
import { type Lang, nameIn } from '../shared/i18n.ts';
import type { AlertView, EventType, RegionSummary } from '../shared/types.ts';
import { call } from './session.ts';
import { errorText, esc, html, locale, statusMark, type TextKey, t } from './texts.ts';

export interface ListsInput {
  eventTypes: EventType[];
  regions: RegionSummary[];
  /** The acting operator's roles (which template actions to offer). */
  roles: string[];
  lang(): Lang;
}

interface Template {
  id: string;
  name: string;
  event: string;
  regions: string[];
  alert: { status?: string };
  approved: boolean;
  revision: number;
  approvals: { name: string; admin: boolean; at: string }[];
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const when = (iso: string, lang: Lang) =>
  new Intl.DateTimeFormat(locale(lang), {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));

export function setupLists(input: ListsInput) {
  const names = new Map(input.regions.map((r) => [r.code, r.names]));
  const events = new Map(input.eventTypes.map((type) => [type.code, type.names]));
  const mayApprove = input.roles.includes('approver') || input.roles.includes('admin');
  const say = (key: TextKey, params: Record<string, string> = {}) => t(input.lang(), key, params);
  const head = (keys: TextKey[]) =>
    `<thead><tr>${keys.map((key) => `<th scope="col">${html(input.lang(), key)}</th>`).join('')}</tr></thead>`;
  const where = (codes: string[]) => codes.map((c) => nameIn(names.get(c), input.lang(), c)).join(', ');
  const what = (a: { status: string; event: string }) =>
    say('what', {
      status: statusMark(input.lang(), a.status),
      event: nameIn(events.get(a.event), input.lang(), a.event),
    });
  const failed = (error: unknown) => errorText(input.lang(), error);

  /** Runs an action after a second click on the same button (which then says "Confirm: ..."). */
  function twoStep(button: HTMLButtonElement, label: string, action: () => Promise<void>) {
    button.addEventListener('click', async () => {
      if (button.dataset.armed !== 'true') {
        button.dataset.armed = 'true';
        button.textContent = say('confirmAction', { action: label });
        return;
      }
      button.disabled = true;
      await action();
    });
  }

  async function refreshQueue(): Promise<void> {
    const box = $('queue-list');
    const message = $('queue-msg');
    try {
      const { items: pending } = await call<{ items: (AlertView & { authorName: string })[] }>(
        '/v1/alerts/pending',
      );
      $('queue-count').textContent = pending.length > 0 ? `(${pending.length})` : '';
      box.innerHTML =
        pending.length === 0
          ? `<p>${esc(say('queueEmpty'))}</p>`
          : `<table class="list">${head(['headAlert', 'regions', 'headAskedBy', 'headWhen', 'headActions'])}<tbody>` +
            pending
              .map(
                (a) =>
                  `<tr data-alert="${esc(a.id)}"><td>${esc(what(a))}</td><td>${esc(where(a.regions.map((r) => r.code)))}</td><td>${esc(a.authorName)}</td>` +
                  `<td><time datetime="${esc(a.sent)}">${esc(when(a.sent, input.lang()))}</time></td>` +
                  `<td class="actions"><button type="button" class="approve send">${esc(say('approve', { what: what(a), where: where(a.regions.map((r) => r.code)) }))}</button>` +
                  `<button type="button" class="reject">${esc(say('reject'))}</button></td></tr>`,
              )
              .join('') +
            '</tbody></table>';
      for (const row of box.querySelectorAll<HTMLElement>('tr[data-alert]')) {
        const id = row.dataset.alert as string;
        const path = `/v1/alerts/${encodeURIComponent(id)}`;
        row.querySelector<HTMLButtonElement>('.approve')?.addEventListener('click', async (event) => {
          (event.currentTarget as HTMLButtonElement).disabled = true;
          try {
            await call(`${path}/approve`, { method: 'POST' });
            message.className = 'msg';
            message.textContent = say('approved');
          } catch (error) {
            message.className = 'msg error';
            message.textContent = failed(error);
          }
          await refreshQueue();
          await refreshIncidents();
        });
        row.querySelector<HTMLButtonElement>('.reject')?.addEventListener('click', async () => {
          try {
            await call(`${path}/reject`, { method: 'POST', body: { reason: 'Rejected in the console' } });
            message.className = 'msg';
            message.textContent = say('rejected');
          } catch (error) {
            message.className = 'msg error';
            message.textContent = failed(error);
          }
          await refreshQueue();
        });
      }
    } catch (error) {
      message.className = 'msg error';
      message.textContent = failed(error);
    }
  }

  async function refreshIncidents(): Promise<void> {
    const box = $('incidents-list');
    const message = $('incidents-msg');
    try {
      const list = await call<{ items: AlertView[] }>('/v1/alerts?active=true&limit=200');
      const current = list.items.filter((a) => a.state === 'issued' && a.active);
      box.innerHTML =
        current.length === 0
          ? `<p>${esc(say('incidentsEmpty'))}</p>`
          : `<table class="list">${head(['headAlert', 'regions', 'headSince', 'headActions'])}<tbody>` +
            current
              .map(
                (a) =>
                  `<tr data-alert="${esc(a.id)}"><td>${esc(what(a))}</td><td>${esc(where(a.regions.map((r) => r.code)))}</td>` +
                  `<td><time datetime="${esc(a.sent)}">${esc(when(a.sent, input.lang()))}</time></td><td class="actions">` +
                  `<button type="button" class="all-clear">${esc(say('allClear'))}</button>` +
                  `<button type="button" class="correct">${esc(say('correct'))}</button>` +
                  `<button type="button" class="update">${esc(say('updateText'))}</button></td></tr>`,
              )
              .join('') +
            '</tbody></table>';
      for (const row of box.querySelectorAll<HTMLElement>('tr[data-alert]')) {
        const id = row.dataset.alert as string;
        const alert = current.find((a) => a.id === id) as AlertView;
        const path = `/v1/alerts/${encodeURIComponent(id)}`;
        const act = (action: string, body: unknown, done: string) => async () => {
          try {
            await call(`${path}/${action}`, { method: 'POST', ...(body === undefined ? {} : { body }) });
            message.className = 'msg';
            message.textContent = done;
          } catch (error) {
            message.className = 'msg error';
            message.textContent = failed(error);
          }
          await refreshIncidents();
        };
        twoStep(
          row.querySelector('.all-clear') as HTMLButtonElement,
          say('allClearFor', { where: where(alert.regions.map((r) => r.code)) }),
          act('all-clear', undefined, say('allClearSent')),
        );
        // The one-action correction: a Cancel with the standard "sent in error" text (issue 5).
        twoStep(
          row.querySelector('.correct') as HTMLButtonElement,
          say('cancelInError'),
          act('cancel', undefined, say('correctionSent')),
        );
        row.querySelector<HTMLButtonElement>('.update')?.addEventListener('click', () => {
          // The texts of every language the alert has go with the update; the prompt edits the
          // headline of the console's language (an update naming only one would drop the other).
          const lang = input.lang();
          const texts = textsByLanguage(alert.cap.info ?? []);
          const headline = window.prompt(say('updatePrompt'), texts.headline[lang] ?? '');
          if (!headline) return;
          void act(
            'update',
            {
              event: alert.event,
              regions: alert.regions.map((r) => r.code),
              status: alert.status,
              headline: { ...texts.headline, [lang]: headline },
              ...(Object.keys(texts.instruction).length > 0 ? { instruction: texts.instruction } : {}),
            },
            say('updateSent'),
          )();
        });
      }
    } catch (error) {
      message.className = 'msg error';
      message.textContent = failed(error);
    }
  }

  async function refreshTemplates(): Promise<void> {
    const box = $('templates-list');
    const message = $('templates-msg');
    try {
      const { templates } = await call<{ templates: Template[] }>('/v1/templates');
      box.innerHTML =
        templates.length === 0
          ? `<p>${esc(say('templatesEmpty'))}</p>`
          : `<table class="list">${head(['headTemplate', 'headAlert', 'regions', 'headFire'])}<tbody>` +
            templates
              .map(
                (template) =>
                  `<tr data-template="${esc(template.id)}"><td>${esc(template.name)}${template.approved ? '' : ` <span class="hint">${esc(say('notApproved'))}</span>`}</td>` +
                  `<td>${esc(what({ status: template.alert.status ?? 'Actual', event: template.event }))}</td><td>${esc(where(template.regions))}</td>` +
                  `<td class="actions"><button type="button" class="fire send"${template.approved ? '' : ' disabled'}>${esc(say('fire', { status: statusMark(input.lang(), template.alert.status ?? 'Actual'), name: template.name }))}</button>` +
                  (!template.approved && mayApprove
                    ? `<button type="button" class="approve-template">${esc(say('approveTemplate', { name: template.name }))}</button>`
                    : '') +
                  `<span class="hint">${template.approvals.map((a) => esc(say('approvedBy', { name: a.name }))).join(', ')}</span></td></tr>`,
              )
              .join('') +
            '</tbody></table>';
      for (const row of box.querySelectorAll<HTMLElement>('tr[data-template]')) {
        const id = row.dataset.template as string;
        const template = templates.find((candidate) => candidate.id === id) as Template;
        row.querySelector('.approve-template')?.addEventListener('click', async () => {
          try {
            await call(`/v1/templates/${encodeURIComponent(id)}/approve`, {
              method: 'POST',
              body: { revision: template.revision },
            });
            message.className = 'msg';
            message.textContent = say('templateApproved', {
              name: template.name,
              revision: String(template.revision),
            });
          } catch (error) {
            message.className = 'msg error';
            message.textContent = failed(error);
          }
          await refreshTemplates();
        });
        twoStep(
          row.querySelector('.fire') as HTMLButtonElement,
          say('fireTo', { name: template.name, count: String(template.regions.length) }),
          async () => {
            try {
              await call(`/v1/templates/${encodeURIComponent(id)}/fire`, {
                method: 'POST',
                body: { confirm: true },
              });
              message.className = 'msg';
              message.textContent = say('fired', { name: template.name });
            } catch (error) {
              message.className = 'msg error';
              message.textContent = failed(error);
            }
            await refreshTemplates();
            await refreshIncidents();
          },
        );
      }
    } catch (error) {
      const e = error as ApiError;
      box.innerHTML = e.status === 404 ? `<p>${esc(say('templatesUnavailable'))}</p>` : '';
      if (e.status !== 404) {
        message.className = 'msg error';
        message.textContent = failed(error);
      }
    }
  }

  $('queue-refresh').addEventListener('click', () => void refreshQueue());
  $('incidents-refresh').addEventListener('click', () => void refreshIncidents());
  return { refreshQueue, refreshIncidents, refreshTemplates };
}

/** An alert's headlines and instructions by short language code (`uk-UA` → `uk`), for an update. */
function textsByLanguage(info: { language?: string; headline?: string; instruction?: string }[]): {
  headline: Record<string, string>;
  instruction: Record<string, string>;
} {
  const headline: Record<string, string> = {};
  const instruction: Record<string, string> = {};
  for (const block of info) {
    const lang = (block.language ?? 'en').slice(0, 2).toLowerCase();
    if (block.headline) headline[lang] = block.headline;
    if (block.instruction) instruction[lang] = block.instruction;
  }
  return { headline, instruction };
}
