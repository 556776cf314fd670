import type { Notifier } from '../common/notifier.js';

/** One node, no Redis: messages go straight to this process's listeners. */
export class LocalNotifier implements Notifier {
  readonly #listeners = new Map<string, Set<(message: string) => void>>();

  subscribe(channel: string, listener: (message: string) => void): Promise<() => void> {
    let set = this.#listeners.get(channel);
    if (!set) {
      set = new Set();
      this.#listeners.set(channel, set);
    }
    set.add(listener);
    return Promise.resolve(() => {
      set.delete(listener);
    });
  }

  publish(channel: string, message: string): void {
    for (const listener of this.#listeners.get(channel) ?? []) listener(message);
  }
}
