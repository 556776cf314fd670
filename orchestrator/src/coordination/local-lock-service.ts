import type { Lock, LockService } from '../common/lock-service.js';

/** In-process locks for the embedded single-node mode (the /health report says so). */
export class LocalLockService implements LockService {
  readonly #held = new Set<string>();

  tryAcquire(key: string): Promise<Lock | undefined> {
    if (this.#held.has(key)) return Promise.resolve(undefined);
    this.#held.add(key);
    const controller = new AbortController();
    let released = false;
    return Promise.resolve({
      key,
      lost: controller.signal,
      release: () => {
        if (!released) {
          released = true;
          this.#held.delete(key);
        }
        return Promise.resolve();
      },
    });
  }
}
