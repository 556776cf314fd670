import type { Api } from './api.js';

/** What a page gets: the API, the element it draws into, and a signal that fires when the user leaves it. */
export interface PageContext {
  api: Api;
  root: HTMLElement;
  signal: AbortSignal;
  /** The part of the hash after the page's name (e.g. a tenant id), already split on `/`. */
  params: string[];
}

export type Page = (context: PageContext) => Promise<void>;

/** Calls `tick` now and every `ms` until the page is left; a failed tick shows its error but keeps going. */
export async function every(ms: number, signal: AbortSignal, tick: () => Promise<void>): Promise<void> {
  await tick();
  const timer = setInterval(() => void tick(), ms);
  signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}
