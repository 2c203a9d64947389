// The approval queue, the active incidents and the templates: tables with their actions.
// Each action names what it does ("Approve ACTUAL Air raid alert for Sumy Oblast"), and the
// ones that reach the public take a second click to confirm.
import type { ApiError } from '../shared/api.ts';
import type { AlertView, EventType, RegionSummary } from '../shared/types.ts';
import { call } from './session.ts';

export interface ListsInput {
  eventTypes: EventType[];
  regions: RegionSummary[];
  /** The acting operator's roles (which template actions to offer). */
  roles: string[];
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
const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const when = (iso: string) =>
  new Intl.DateTimeFormat(undefined, {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  }).format(new Date(iso));

function errorText(error: unknown): string {
  const e = error as ApiError;
  return `${e.code ?? 'ERROR'}: ${e.message}`;
}

export function setupLists(input: ListsInput) {
  const names = new Map(input.regions.map((r) => [r.code, r.names.en ?? r.code]));
  const events = new Map(input.eventTypes.map((t) => [t.code, t.names.en ?? t.code]));
  const mayApprove = input.roles.includes('approver') || input.roles.includes('admin');
  const where = (codes: string[]) => codes.map((c) => names.get(c) ?? c).join(', ');
  const what = (a: { status: string; event: string }) =>
    `${a.status.toUpperCase()} ${events.get(a.event) ?? a.event}`;

  /** Runs an action after a second click on the same button (which then says "Confirm: ..."). */
  function twoStep(button: HTMLButtonElement, label: string, action: () => Promise<void>) {
    button.addEventListener('click', async () => {
      if (button.dataset.armed !== 'true') {
        button.dataset.armed = 'true';
        button.textContent = `Confirm: ${label}`;
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
          ? '<p>Nothing waits for approval.</p>'
          : '<table class="list"><thead><tr><th scope="col">Alert</th><th scope="col">Regions</th><th scope="col">Asked by</th><th scope="col">When</th><th scope="col">Actions</th></tr></thead><tbody>' +
            pending
              .map(
                (a) =>
                  `<tr data-alert="${esc(a.id)}"><td>${esc(what(a))}</td><td>${esc(where(a.regions.map((r) => r.code)))}</td><td>${esc(a.authorName)}</td>` +
                  `<td><time datetime="${esc(a.sent)}">${esc(when(a.sent))}</time></td>` +
                  `<td class="actions"><button type="button" class="approve send">Approve ${esc(what(a))} for ${esc(where(a.regions.map((r) => r.code)))}</button>` +
                  `<button type="button" class="reject">Reject</button></td></tr>`,
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
            message.textContent = 'Approved: the alert is out.';
          } catch (error) {
            message.className = 'msg error';
            message.textContent = errorText(error);
          }
          await refreshQueue();
          await refreshIncidents();
        });
        row.querySelector<HTMLButtonElement>('.reject')?.addEventListener('click', async () => {
          try {
            await call(`${path}/reject`, { method: 'POST', body: { reason: 'Rejected in the console' } });
            message.className = 'msg';
            message.textContent = 'Rejected.';
          } catch (error) {
            message.className = 'msg error';
            message.textContent = errorText(error);
          }
          await refreshQueue();
        });
      }
    } catch (error) {
      message.className = 'msg error';
      message.textContent = errorText(error);
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
          ? '<p>No active incidents.</p>'
          : '<table class="list"><thead><tr><th scope="col">Alert</th><th scope="col">Regions</th><th scope="col">Since</th><th scope="col">Actions</th></tr></thead><tbody>' +
            current
              .map(
                (a) =>
                  `<tr data-alert="${esc(a.id)}"><td>${esc(what(a))}</td><td>${esc(where(a.regions.map((r) => r.code)))}</td>` +
                  `<td><time datetime="${esc(a.sent)}">${esc(when(a.sent))}</time></td><td class="actions">` +
                  '<button type="button" class="all-clear">All-clear</button>' +
                  '<button type="button" class="correct">Sent in error: correct</button>' +
                  '<button type="button" class="update">Update text</button></td></tr>',
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
            message.textContent = errorText(error);
          }
          await refreshIncidents();
        };
        twoStep(
          row.querySelector('.all-clear') as HTMLButtonElement,
          `all-clear for ${where(alert.regions.map((r) => r.code))}`,
          act('all-clear', undefined, 'All-clear sent.'),
        );
        // The one-action correction: a Cancel with the standard "sent in error" text (issue 5).
        twoStep(
          row.querySelector('.correct') as HTMLButtonElement,
          'cancel as sent in error',
          act('cancel', undefined, 'Correction sent: the alert is withdrawn.'),
        );
        row.querySelector<HTMLButtonElement>('.update')?.addEventListener('click', () => {
          const headline = window.prompt(
            'New headline (English)',
            alert.cap.info?.find((i) => i.language?.startsWith('en'))?.headline ?? '',
          );
          if (!headline) return;
          void act(
            'update',
            {
              event: alert.event,
              regions: alert.regions.map((r) => r.code),
              status: alert.status,
              headline: { en: headline },
            },
            'Update sent.',
          )();
        });
      }
    } catch (error) {
      message.className = 'msg error';
      message.textContent = errorText(error);
    }
  }

  async function refreshTemplates(): Promise<void> {
    const box = $('templates-list');
    const message = $('templates-msg');
    try {
      const { templates } = await call<{ templates: Template[] }>('/v1/templates');
      box.innerHTML =
        templates.length === 0
          ? '<p>No templates.</p>'
          : '<table class="list"><thead><tr><th scope="col">Template</th><th scope="col">Alert</th><th scope="col">Regions</th><th scope="col">Fire</th></tr></thead><tbody>' +
            templates
              .map(
                (t) =>
                  `<tr data-template="${esc(t.id)}"><td>${esc(t.name)}${t.approved ? '' : ' <span class="hint">(not approved yet)</span>'}</td>` +
                  `<td>${esc(what({ status: t.alert.status ?? 'Actual', event: t.event }))}</td><td>${esc(where(t.regions))}</td>` +
                  `<td class="actions"><button type="button" class="fire send"${t.approved ? '' : ' disabled'}>Fire ${esc(t.alert.status?.toUpperCase() ?? 'ACTUAL')}: ${esc(t.name)}</button>` +
                  (!t.approved && mayApprove
                    ? `<button type="button" class="approve-template">Approve template ${esc(t.name)}</button>`
                    : '') +
                  `<span class="hint">${t.approvals.map((a) => `approved by ${esc(a.name)}`).join(', ')}</span></td></tr>`,
              )
              .join('') +
            '</tbody></table>';
      for (const row of box.querySelectorAll<HTMLElement>('tr[data-template]')) {
        const id = row.dataset.template as string;
        const template = templates.find((t) => t.id === id) as Template;
        row.querySelector('.approve-template')?.addEventListener('click', async () => {
          try {
            await call(`/v1/templates/${encodeURIComponent(id)}/approve`, {
              method: 'POST',
              body: { revision: template.revision },
            });
            message.className = 'msg';
            message.textContent = `Approved template ${template.name} (revision ${template.revision}).`;
          } catch (error) {
            message.className = 'msg error';
            message.textContent = errorText(error);
          }
          await refreshTemplates();
        });
        twoStep(
          row.querySelector('.fire') as HTMLButtonElement,
          `fire ${template.name} to ${template.regions.length} region(s)`,
          async () => {
            try {
              await call(`/v1/templates/${encodeURIComponent(id)}/fire`, {
                method: 'POST',
                body: { confirm: true },
              });
              message.className = 'msg';
              message.textContent = `Fired: ${template.name}.`;
            } catch (error) {
              message.className = 'msg error';
              message.textContent = errorText(error);
            }
            await refreshTemplates();
            await refreshIncidents();
          },
        );
      }
    } catch (error) {
      const e = error as ApiError;
      box.innerHTML = e.status === 404 ? '<p>Templates are not available on this hub.</p>' : '';
      if (e.status !== 404) {
        message.className = 'msg error';
        message.textContent = errorText(error);
      }
    }
  }

  $('queue-refresh').addEventListener('click', () => void refreshQueue());
  $('incidents-refresh').addEventListener('click', () => void refreshIncidents());
  return { refreshQueue, refreshIncidents, refreshTemplates };
}
