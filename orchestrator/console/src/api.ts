const KEY_ITEM = 'agentd.apiKey';

/** An error answer of agentd's API: `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: readonly string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * agentd's API from the console's own origin. The key lives in sessionStorage: it is gone when the tab closes
 * and never sent anywhere but this origin (connect-src 'self').
 */
export class Api {
  get key(): string | null {
    return sessionStorage.getItem(KEY_ITEM);
  }

  signIn(key: string): void {
    sessionStorage.setItem(KEY_ITEM, key);
  }

  signOut(): void {
    sessionStorage.removeItem(KEY_ITEM);
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PUT', path, body);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { 'x-api-key': this.key ?? '' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? null : JSON.stringify(body),
      cache: 'no-store',
    });
    const text = await res.text();
    const parsed: unknown = text === '' ? null : parseJson(text);
    if (!res.ok) {
      const error = (
        parsed as { error?: { code?: string; message?: string; details?: { issues?: string[] } } } | null
      )?.error;
      throw new ApiError(
        res.status,
        error?.code ?? `HTTP_${res.status}`,
        error?.message ?? res.statusText,
        error?.details?.issues ?? [],
      );
    }
    return parsed as T;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { error: { code: 'BAD_RESPONSE', message: text.slice(0, 200) } };
  }
}

export function describeError(err: unknown): string {
  if (err instanceof ApiError) return `${err.code} (${err.status}): ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Every item of an oldest-first list, following `nextCursor` (at most `maxPages` pages of 200), newest first:
 * what a console wants on top.
 */
export async function newestFirst<T>(api: Api, path: string, maxPages = 10): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < maxPages; i += 1) {
    const sep = path.includes('?') ? '&' : '?';
    const next = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const page: Page<T> = await api.get<Page<T>>(`${path}${sep}limit=200${next}`);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (cursor === null) break;
  }
  return items.reverse();
}
