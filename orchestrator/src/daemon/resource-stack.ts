import type { Logger } from '../common/logger.js';

/**
 * What the daemon opened, closed in reverse order: by `close()`, and by a start that fails halfway, so a
 * failed start leaks no connection, listener or timer.
 */
export class ResourceStack {
  readonly #closers: { name: string; close: () => Promise<void> }[] = [];

  constructor(private readonly logger: Logger) {}

  /** Registers how to close something just opened. */
  defer(name: string, close: () => Promise<void>): void {
    this.#closers.push({ name, close });
  }

  /** Closes everything registered, last first; a failure is logged and the rest still close. */
  async closeAll(): Promise<void> {
    for (let closer = this.#closers.pop(); closer; closer = this.#closers.pop()) {
      try {
        await closer.close();
      } catch (err) {
        this.logger.warn({ err, resource: closer.name }, 'Could not close a resource');
      }
    }
  }
}
