import type { Clock } from '../common/clock.js';
import type { ExecutionLimiter, RateDecision } from '../runs/execution-limiter.js';

/** Embedded mode: fixed windows in this process. */
export class LocalExecutionLimiter implements ExecutionLimiter {
  readonly #windows = new Map<string, { count: number; resetAt: number }>();

  constructor(private readonly clock: Clock) {}

  take(key: string, limit: number, windowMs: number): Promise<RateDecision> {
    const now = this.clock.now();
    let window = this.#windows.get(key);
    if (!window || window.resetAt <= now) {
      // Forget lapsed windows now and then, so one-off callers do not accumulate.
      if (this.#windows.size > 10_000)
        for (const [k, w] of this.#windows) if (w.resetAt <= now) this.#windows.delete(k);
      window = { count: 0, resetAt: now + windowMs };
      this.#windows.set(key, window);
    }
    window.count += 1;
    return Promise.resolve({
      allowed: window.count <= limit,
      limit,
      remaining: Math.max(0, limit - window.count),
      resetMs: window.resetAt - now,
    });
  }
}
