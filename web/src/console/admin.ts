// Administration (admins only): operators (create with a one-time password, disable, reset the
// password), tokens (mint: the secret is shown once; revoke), webhooks (add: the HMAC secret is
// shown once; remove) and the audit log. Each panel is a thin view over its API.
import type { Lang } from '../shared/i18n.ts';
import { call } from './session.ts';
import { errorText, esc, html, locale, roleName, type TextKey, t } from './texts.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const codes = (text: string) =>
  text
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '');
const checked = (name: string) =>
  [...document.querySelectorAll<HTMLInputElement>(`input[name=${name}]:checked`)].map((b) => b.value);
const when = (iso: string | null, lang: Lang) =>
  iso === null
    ? '—'
    : new Intl.DateTimeFormat(locale(lang), { dateStyle: 'medium', timeStyle: 'short' }).format(
        new Date(iso),
      );

function say(id: string, text: string, error = false): void {
  const node = $(id);
  node.className = error ? 'msg error' : 'msg';
  node.textContent = text;
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

/** The admin pages; `lang` is the console's language at the time of each call. */
export function setupAdmin(lang: () => Lang): { refresh(): Promise<void> } {
  for (const node of document.querySelectorAll<HTMLElement>('.admin-only')) node.hidden = false;
  const tr = (key: TextKey, params: Record<string, string> = {}) => t(lang(), key, params);
  const roles = (list: string[]) => list.map((role) => roleName(lang(), role)).join(', ');

  function fail(id: string, error: unknown): void {
    say(id, errorText(lang(), error, true), true);
  }

  function table(head: TextKey[], rows: string[]): string {
    if (rows.length === 0) return `<p>${html(lang(), 'none')}</p>`;
    return `<table class="list"><thead><tr>${head.map((h) => `<th scope="col">${html(lang(), h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
  }

  async function operators(): Promise<void> {
    try {
      const { operators: list } = await call<{ operators: Operator[] }>('/v1/operators');
      $('operators-list').innerHTML = table(
        ['name', 'roles', 'headJurisdiction', 'headState', 'headActions'],
        list.map(
          (o) =>
            `<tr data-id="${esc(o.id)}"><td>${esc(o.name)}</td><td>${esc(roles(o.roles))}</td><td>${esc(o.jurisdiction.join(', '))}</td>` +
            `<td>${esc(tr(o.disabled ? 'stateDisabled' : o.mustChangePassword ? 'stateOneTime' : 'stateActive'))}</td><td class="actions">` +
            `<button type="button" data-act="toggle">${esc(tr(o.disabled ? 'enable' : 'disable', { name: o.name }))}</button>` +
            `<button type="button" data-act="reset">${esc(tr('resetPassword', { name: o.name }))}</button></td></tr>`,
        ),
      );
      for (const row of $('operators-list').querySelectorAll<HTMLElement>('tr[data-id]')) {
        const operator = list.find((o) => o.id === row.dataset.id) as Operator;
        const path = `/v1/operators/${encodeURIComponent(operator.id)}`;
        row.querySelector('[data-act=toggle]')?.addEventListener('click', async () => {
          try {
            await call(path, { method: 'PATCH', body: { disabled: !operator.disabled } });
            say('operators-msg', tr(operator.disabled ? 'enabled' : 'disabled', { name: operator.name }));
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
              tr('oneTimePassword', { name: operator.name, password: result.password ?? '' }),
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
        ['tokenName', 'roles', 'headJurisdiction', 'headExpires', 'headActions'],
        list.map(
          (token) =>
            `<tr data-id="${esc(token.id)}"><td>${esc(token.name)}</td><td>${esc(roles(token.roles))}</td><td>${esc(token.jurisdiction.join(', '))}</td>` +
            `<td>${esc(token.revokedAt ? tr('revokedAt', { when: when(token.revokedAt, lang()) }) : token.expiresAt ? when(token.expiresAt, lang()) : tr('never'))}</td>` +
            `<td class="actions">${token.revokedAt ? '' : `<button type="button">${esc(tr('revoke', { name: token.name }))}</button>`}</td></tr>`,
        ),
      );
      for (const row of $('tokens-list').querySelectorAll<HTMLElement>('tr[data-id]')) {
        row.querySelector('button')?.addEventListener('click', async () => {
          try {
            await call(`/v1/tokens/${encodeURIComponent(row.dataset.id as string)}`, { method: 'DELETE' });
            say('tokens-msg', tr('tokenRevoked'));
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
        ['url', 'regions', 'headEventTypes', 'headActions'],
        list.map(
          (w) =>
            `<tr data-id="${esc(w.id)}"><td>${esc(w.url)}</td><td>${esc(w.regions.join(', '))}</td><td>${esc(w.eventTypes.join(', ') || tr('allEvents'))}</td>` +
            `<td class="actions"><button type="button">${esc(tr('remove', { url: w.url }))}</button></td></tr>`,
        ),
      );
      for (const row of $('webhooks-list').querySelectorAll<HTMLElement>('tr[data-id]')) {
        row.querySelector('button')?.addEventListener('click', async () => {
          try {
            await call(`/v1/webhooks/${encodeURIComponent(row.dataset.id as string)}`, { method: 'DELETE' });
            say('webhooks-msg', tr('webhookRemoved'));
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
        ['headSeq', 'headWhen', 'headWho', 'headAction', 'headTarget', 'regions'],
        items.map(
          (r) =>
            `<tr><td>${r.seq}</td><td><time datetime="${esc(r.time)}">${esc(when(r.time, lang()))}</time></td><td>${esc(r.actor.name)}</td>` +
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
      say('operators-msg', tr('operatorCreated', { name: result.operator.name, password: result.password }));
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
      say('tokens-msg', tr('tokenCreated', { name: result.info.name, token: result.token }));
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
      say('webhooks-msg', tr('webhookAdded', { secret: result.secret }));
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
