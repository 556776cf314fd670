import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/**
 * Runs `task` every `intervalMs` until stopped; a slow task delays the next tick instead of overlapping it.
 * Errors go to `onError` so one failed tick never stops the loop.
 */
export class PeriodicTask {
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;

  constructor(
    /** Read before every wait, so a changed interval applies from the next tick. */
    private readonly intervalMs: number | (() => number),
    private readonly task: () => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule();
  }

  /** Runs one tick now (after any tick already running). */
  async runNow(): Promise<void> {
    await this.#running;
    this.#running = this.task().catch(this.onError);
    await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(
      () => {
        this.#running = this.task()
          .catch(this.onError)
          .finally(() => this.#schedule());
      },
      typeof this.intervalMs === 'number' ? this.intervalMs : this.intervalMs(),
    );
    this.#timer.unref();
  }
}
