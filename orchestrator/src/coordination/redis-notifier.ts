import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Notifier } from '../common/notifier.js';
import type { RedisClient } from './redis-connection.js';

type Listener = (message: string) => void;

/**
 * One subscriber connection per node, fanned out to in-process listeners by channel. Messages can be lost
 * while the connection is down, so every user of it also polls (notifications only make things faster).
 */
export class RedisNotifier implements Notifier {
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly #log: Logger;

  constructor(
    private readonly publisher: RedisClient,
    private readonly subscriber: RedisClient,
    logger: Logger,
  ) {
    this.#log = logger.child({ component: 'redis-notifier' });
    subscriber.on('message', (channel: string, message: string) => {
      for (const listener of this.#listeners.get(channel) ?? []) {
        try {
          listener(message);
        } catch (err) {
          this.#log.error({ err, channel }, 'Notification listener failed');
        }
      }
    });
  }

  async subscribe(channel: string, listener: Listener): Promise<() => void> {
    let set = this.#listeners.get(channel);
    if (!set) {
      set = new Set();
      this.#listeners.set(channel, set);
      await this.subscriber.subscribe(channel);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  publish(channel: string, message: string): void {
    this.publisher.publish(channel, message).catch((err: unknown) => {
      this.#log.debug(
        { channel, reason: errorMessage(err) },
        'Publish failed (readers fall back to polling)',
      );
    });
  }
}
