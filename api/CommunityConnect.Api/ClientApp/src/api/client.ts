import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

// The typed client: paths, parameters and bodies come from openapi/CommunityConnect.json, so a
// contract change that this client's calls no longer fit fails `npm run typecheck` and the build.
export type Schemas = components['schemas'];

const TOKEN_KEY = 'cc.token';

export function storedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null) {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = storedToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

/** The problem+json an error answer carries, as one line a person can read. */
export function problemText(error: unknown, fallback = '操作失败，请稍后再试'): string {
  if (error && typeof error === 'object') {
    const p = error as { title?: string; detail?: string; errors?: Record<string, string[]> };
    const fields = p.errors ? Object.values(p.errors).flat().join('；') : '';
    return [p.detail || p.title, fields].filter(Boolean).join('：') || fallback;
  }
  return fallback;
}

/** A new key per creating request: phones on bad networks resend, the api answers the first answer again. */
export function idempotencyKey(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Photos need the token, which an <img> cannot send: fetch them and show a blob URL. */
export async function authorizedBlobUrl(url: string): Promise<string | null> {
  const token = storedToken();
  const response = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!response.ok) return null;
  return URL.createObjectURL(await response.blob());
}

export const id = (value: number | string | null | undefined): number => Number(value);
