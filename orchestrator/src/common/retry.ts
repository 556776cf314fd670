import pRetry from 'p-retry';
import { isAgentdError } from './errors.js';

export interface RetryOptions {
  /** Attempts after the first. */
  retries: number;
  /** First back-off; each next one doubles up to `maxDelayMs` (0 retries at once). */
  minDelayMs: number;
  maxDelayMs: number;
  /** Which errors are worth another attempt; anything else rejects at once. */
  retryOn?: (err: unknown) => boolean;
}

/** A dependency that said it is briefly unavailable (Redis or PostgreSQL restarting, a failover). */
export function isTransient(err: unknown): boolean {
  return isAgentdError(err) && err.code === 'DEPENDENCY_UNAVAILABLE';
}

/** About ten seconds of back-off: rides out a restart or a failover of Redis or PostgreSQL. */
export const RIDE_OUT_OUTAGE: RetryOptions = { retries: 7, minDelayMs: 100, maxDelayMs: 3_000 };

/** Runs `fn` again on a retryable error, with exponential back-off (p-retry), and rethrows the last error. */
export function retry<T>(fn: () => Promise<T>, options: RetryOptions): Promise<T> {
  const retryOn = options.retryOn ?? isTransient;
  return pRetry(fn, {
    retries: options.retries,
    minTimeout: options.minDelayMs,
    maxTimeout: options.maxDelayMs,
    factor: 2,
    randomize: false,
    shouldRetry: ({ error }) => retryOn(error),
  });
}
