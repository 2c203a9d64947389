// Administration (admins only): operators (create with a one-time password, disable, reset the
// password), tokens (mint: the secret is shown once; revoke), webhooks (add: the HMAC secret is
// shown once; remove) and the audit log. Each panel is a thin view over its API.
import type { ApiError } from '../shared/api.ts';
import { call } from './session.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const esc = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const codes = (text: string) =>
  text
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
const checked = (name: string) =>
  [...document.querySelectorAll<HTMLInputElement>(`input[name=${name}]:checked`)].map((b) => b.value);
const when = (iso: string | null) =>
  iso === null
    ? '—'
    : new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));

function say(id: string, text: string, error = false): void {
  const node = $(id);
  node.className = error ? 'msg error' : 'msg';
  node.textContent = text;
}

function fail(id: string, error: unknown): void {
  const e = error as ApiError;
  const details = e.details?.length
    ? ` (${e.details.map((d) => `${d.path ?? ''} ${d.message ?? ''}`.trim()).join('; ')})`
    : '';
  say(id, `${e.code ?? 'ERROR'}: ${e.message}${details}`, true);
}

function table(head: string[], rows: string[]): string {
  if (rows.length === 0) return '<p>None.</p>';
  return `<table class="list"><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

interface Operator {
  id: string;
  name: string;
  roles: string[];
  jurisdiction: string[];
  disabled: boolean;
  mustChangePassword: boolean;
}
interface Token {
  id: string;
  name: string;
  roles: string[];
  jurisdiction: string[];
  expiresAt: string | null;
  revokedAt: string | null;
}
interface Webhook {
  id: string;
  url: string;
  regions: string[];
  eventTypes: string[];
}
interface AuditRecord {
  seq: number;
  time: string;
  actor: { name: string };
  action: string;
  target?: { type: string; id: string };
  regions?: string[];
}

export function setupAdmin(): { refresh(): Promise<void> } {
  for (const node of document.querySelectorAll<HTMLElement>('.admin-only')) node.hidden = false;

  async function operators(): Promise<void> {
    try {
      const { operators: list } = await call<{ operators: Operator[] }>('/v1/operators');
      $('operators-list').innerHTML = table(
        ['Name', 'Roles', 'Jurisdiction', 'State', 'Actions'],
        list.map(
          (o) =>
            `<tr data-id="${esc(o.id)}"><td>${esc(o.name)}</td><td>${esc(o.roles.join(', '))}</td><td>${esc(o.jurisdiction.join(', '))}</td>` +
            `<td>${o.disabled ? 'disabled' : o.mustChangePassword ? 'one-time password' : 'active'}</td><td class="actions">` +
            `<button type="button" data-act="toggle">${o.disabled ? 'Enable' : 'Disable'} ${esc(o.name)}</button>` +
            `<button type="button" data-act="reset">Reset password of ${esc(o.name)}</button></td></tr>`,
        ),
      );
      for (const row of $('operators-list').querySelectorAll<HTMLElement>('tr[data-id]')) {
        const operator = list.find((o) => o.id === row.dataset.id) as Operator;
        const path = `/v1/operators/${encodeURIComponent(operator.id)}`;
        row.querySelector('[data-act=toggle]')?.addEventListener('click', async () => {
          try {
            await call(path, { method: 'PATCH', body: { disabled: !operator.disabled } });
            say('operators-msg', `${operator.name} ${operator.disabled ? 'enabled' : 'disabled'}.`);
          } catch (error) {
            fail('operators-msg', error);
          }
          await operators();
        });
        row.querySelector('[data-act=reset]')?.addEventListener('click', async () => {
          try {
            const result = await call<{ password?: string }>(path, {
              method: 'PATCH',
              body: { resetPassword: true },
            });
            say(
              'operators-msg',
              `One-time password for ${operator.name} (shown once): ${result.password ?? ''}`,
            );
          } catch (error) {
            fail('operators-msg', error);
          }
          await operators();
        });
      }
    } catch (error) {
      fail('operators-msg', error);
    }
  }

  async function tokens(): Promise<void> {
    try {
      const { tokens: list } = await call<{ tokens: Token[] }>('/v1/tokens');
      $('tokens-list').innerHTML = table(
        ['Name', 'Roles', 'Jurisdiction', 'Expires', 'Actions'],
        list.map(
          (t) =>
            `<tr data-id="${esc(t.id)}"><td>${esc(t.name)}</td><td>${esc(t.roles.join(', '))}</td><td>${esc(t.jurisdiction.join(', '))}</td>` +
            `<td>${t.revokedAt ? `revoked ${esc(when(t.revokedAt))}` : esc(t.expiresAt ? when(t.expiresAt) : 'never')}</td>` +
            `<td class="actions">${t.revokedAt ? '' : `<button type="button">Revoke ${esc(t.name)}</button>`}</td></tr>`,
        ),
      );
      for (const row of $('tokens-list').querySelectorAll<HTMLElement>('tr[data-id]')) {
        row.querySelector('button')?.addEventListener('click', async () => {
          try {
            await call(`/v1/tokens/${encodeURIComponent(row.dataset.id as string)}`, { method: 'DELETE' });
            say('tokens-msg', 'Token revoked.');
          } catch (error) {
            fail('tokens-msg', error);
          }
          await tokens();
        });
      }
    } catch (error) {
      fail('tokens-msg', error);
    }
  }

  async function webhooks(): Promise<void> {
    try {
      const { webhooks: list } = await call<{ webhooks: Webhook[] }>('/v1/webhooks');
      $('webhooks-list').innerHTML = table(
        ['URL', 'Regions', 'Event types', 'Actions'],
        list.map(
          (w) =>
            `<tr data-id="${esc(w.id)}"><td>${esc(w.url)}</td><td>${esc(w.regions.join(', '))}</td><td>${esc(w.eventTypes.join(', ') || 'all')}</td>` +
            `<td class="actions"><button type="button">Remove ${esc(w.url)}</button></td></tr>`,
        ),
      );
      for (const row of $('webhooks-list').querySelectorAll<HTMLElement>('tr[data-id]')) {
        row.querySelector('button')?.addEventListener('click', async () => {
          try {
            await call(`/v1/webhooks/${encodeURIComponent(row.dataset.id as string)}`, { method: 'DELETE' });
            say('webhooks-msg', 'Webhook removed.');
          } catch (error) {
            fail('webhooks-msg', error);
          }
          await webhooks();
        });
      }
    } catch (error) {
      fail('webhooks-msg', error);
    }
  }

  async function audit(): Promise<void> {
    const action = $<HTMLInputElement>('audit-action').value.trim();
    try {
      const { items } = await call<{ items: AuditRecord[] }>(
        `/v1/audit?limit=100${action ? `&action=${encodeURIComponent(action)}` : ''}`,
      );
      $('audit-list').innerHTML = table(
        ['#', 'When', 'Who', 'Action', 'Target', 'Regions'],
        items.map(
          (r) =>
            `<tr><td>${r.seq}</td><td><time datetime="${esc(r.time)}">${esc(when(r.time))}</time></td><td>${esc(r.actor.name)}</td>` +
            `<td>${esc(r.action)}</td><td>${esc(r.target ? `${r.target.type} ${r.target.id}` : '')}</td><td>${esc((r.regions ?? []).join(', '))}</td></tr>`,
        ),
      );
    } catch (error) {
      fail('audit-msg', error);
    }
  }

  $('operator-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const result = await call<{ operator: Operator; password: string }>('/v1/operators', {
        method: 'POST',
        body: {
          name: $<HTMLInputElement>('operator-name').value.trim(),
          roles: checked('operator-role'),
          jurisdiction: codes($<HTMLInputElement>('operator-jurisdiction').value),
        },
      });
      say(
        'operators-msg',
        `Created ${result.operator.name}. One-time password (shown once): ${result.password}`,
      );
      $<HTMLInputElement>('operator-name').value = '';
    } catch (error) {
      fail('operators-msg', error);
    }
    await operators();
  });
  $('token-create').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const result = await call<{ token: string; info: Token }>('/v1/tokens', {
        method: 'POST',
        body: {
          name: $<HTMLInputElement>('token-name').value.trim(),
          roles: checked('token-role'),
          jurisdiction: codes($<HTMLInputElement>('token-jurisdiction').value),
          expiresIn: $<HTMLInputElement>('token-expires').value.trim() || '90d',
        },
      });
      say('tokens-msg', `Token ${result.info.name} (shown once): ${result.token}`);
    } catch (error) {
      fail('tokens-msg', error);
    }
    await tokens();
  });
  $('webhook-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const eventTypes = codes($<HTMLInputElement>('webhook-events').value);
    try {
      const result = await call<{ webhook: Webhook; secret: string }>('/v1/webhooks', {
        method: 'POST',
        body: {
          url: $<HTMLInputElement>('webhook-url').value.trim(),
          regions: codes($<HTMLInputElement>('webhook-regions').value),
          ...(eventTypes.length > 0 ? { eventTypes } : {}),
        },
      });
      say('webhooks-msg', `Added. Signing secret (shown once): ${result.secret}`);
    } catch (error) {
      fail('webhooks-msg', error);
    }
    await webhooks();
  });
  $('audit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void audit();
  });

  return {
    refresh: async () => {
      await Promise.all([operators(), tokens(), webhooks(), audit()]);
    },
  };
}
