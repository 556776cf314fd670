import type { RunSignals } from '../runs/run-signals.js';

/** Embedded mode: one node, so signals stay in the process. */
export class LocalRunSignals implements RunSignals {
  readonly #handlers: ((runId: string) => void)[] = [];
  readonly #removers: ((sandboxId: string) => void)[] = [];

  onRemoveSandbox(handler: (sandboxId: string) => void): Promise<void> {
    this.#removers.push(handler);
    return Promise.resolve();
  }

  requestRemoveSandbox(sandboxId: string): Promise<void> {
    for (const handler of this.#removers) handler(sandboxId);
    return Promise.resolve();
  }

  onCancel(handler: (runId: string) => void): Promise<void> {
    this.#handlers.push(handler);
    return Promise.resolve();
  }

  requestCancel(runId: string): Promise<void> {
    for (const handler of this.#handlers) handler(runId);
    return Promise.resolve();
  }

  watch(): () => void {
    return () => undefined;
  }

  watchedElsewhere(): Promise<boolean> {
    return Promise.resolve(false);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
