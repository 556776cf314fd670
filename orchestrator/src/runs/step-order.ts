/**
 * Keeps a run's events in step order across the runner's two connections. The runner uploads a step's tool
 * results and its `step_complete` on the event stream, then asks for the next model call on another
 * connection, which can reach agentd first under load. The gateway waits, bounded, for the previous step's end
 * before it emits the next `step_start`. A runner that never sends it only delays itself.
 */
export class StepOrder {
  #completed = 0;
  readonly #waiters = new Set<() => void>();

  /** The highest step whose `step_complete` is in the run's event log. */
  get completed(): number {
    return this.#completed;
  }

  complete(step: number): void {
    if (step <= this.#completed) return;
    this.#completed = step;
    for (const check of [...this.#waiters]) check();
  }

  /** True once `step` completed; false after `timeoutMs` or when `signal` aborts first. */
  until(step: number, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    if (this.#completed >= step) return Promise.resolve(true);
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (reached: boolean): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        signal.removeEventListener('abort', onAbort);
        resolve(reached);
      };
      const check = (): void => {
        if (this.#completed >= step) finish(true);
      };
      const onAbort = (): void => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.#waiters.add(check);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
