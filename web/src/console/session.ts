// Who the console acts as: a session cookie from POST /v1/session (changes carry the
// X-CSRF-Token the login returned, also readable from the tocsin_csrf cookie after a reload),
// or a bearer token pasted by the operator (kept for this tab only).
import { api, type RequestOptions } from '../shared/api.ts';

export interface Who {
  actor: { id: string; name: string; kind: string; roles: string[]; jurisdiction: string[] };
  via: 'session' | 'token';
  mustChangePassword: boolean;
}

const TOKEN_KEY = 'tocsin.console.token';

function tabStorage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

let token: string | undefined = tabStorage()?.getItem(TOKEN_KEY) ?? undefined;
let csrf: string | undefined;

function csrfFromCookie(): string | undefined {
  const match = /(?:^|;\s*)tocsin_csrf=([^;]+)/.exec(document.cookie);
  return match ? match[1] : undefined;
}

/** The API with this console's credentials. */
export function call<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { ...options.headers };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  else {
    const value = csrf ?? csrfFromCookie();
    if (value !== undefined) headers['x-csrf-token'] = value;
  }
  return api<T>(path, { ...options, headers });
}

export async function whoAmI(): Promise<Who | undefined> {
  try {
    return await call<Who>('/v1/session');
  } catch {
    return undefined;
  }
}

export async function logIn(name: string, password: string): Promise<void> {
  token = undefined;
  tabStorage()?.removeItem(TOKEN_KEY);
  const result = await api<{ csrfToken?: string }>('/v1/session', {
    method: 'POST',
    body: { name, password },
  });
  csrf = result.csrfToken;
}

export function useToken(secret: string): void {
  token = secret.trim();
  tabStorage()?.setItem(TOKEN_KEY, token);
}

export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  const result = await call<{ csrfToken?: string }>('/v1/session/password', {
    method: 'POST',
    body: { currentPassword, newPassword },
  });
  if (result.csrfToken) csrf = result.csrfToken;
}

export async function logOut(): Promise<void> {
  if (token === undefined) await call('/v1/session', { method: 'DELETE' }).catch(() => undefined);
  token = undefined;
  csrf = undefined;
  tabStorage()?.removeItem(TOKEN_KEY);
}
