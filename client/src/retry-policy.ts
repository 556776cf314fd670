import type { AgentdError } from './agentd-error.js';

export interface RetryOptions {
  /** Further attempts after the first (default 3; 0 turns retries off). */
  retries?: number;
  /** First backoff in ms, doubled per attempt (default 250). */
  baseDelayMs?: number;
  /** No wait is longer than this, `Retry-After` included (default 30 s): a longer one fails at once. */
  maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { retries: 3, baseDelayMs: 250, maxDelayMs: 30_000 };

/**
 * How long to wait before attempt `attempt + 1` after `error`, or `undefined` not to retry: only recoverable
 * errors are retried, `Retry-After` wins over the backoff, and a wait beyond `maxDelayMs` is not worth making.
 */
export function retryDelay(
  error: AgentdError,
  attempt: number,
  options: Required<RetryOptions>,
  random: () => number = Math.random,
): number | undefined {
  if (!error.recoverable || attempt >= options.retries) return undefined;
  if (error.retryAfter !== undefined) {
    const ms = error.retryAfter * 1000;
    return ms > options.maxDelayMs ? undefined : ms;
  }
  // Full jitter: clients that failed together do not come back together.
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Waits `ms`, or rejects when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
