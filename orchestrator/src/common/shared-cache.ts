import type { Logger } from './logger.js';
import type { Notifier } from './notifier.js';
import { TtlCache } from './ttl-cache.js';

export interface SharedCacheOptions {
  /** Channel every node listens on; any message on it empties the cache. */
  channel: string;
  notifier: Notifier;
  /** How long a found value is served without asking again (0 turns the cache off). */
  ttlMs: number;
  /** How long "not found" is remembered; short, so a value created elsewhere is never missed for long. */
  negativeTtlMs: number;
  maxEntries: number;
  now: () => number;
  logger: Logger;
}

/**
 * Read-mostly data cached on every node and emptied on every node when it changes. A change publishes on the
 * notifier; the TTL bounds staleness when a message is lost. A load that started before an invalidation is not
 * stored (the generation check), so a lookup racing a revocation cannot put the old row back for a whole TTL.
 */
export class SharedCache<V> {
  readonly #cache: TtlCache<string, V | undefined>;
  #generation = 0;

  constructor(private readonly options: SharedCacheOptions) {
    this.#cache = new TtlCache(options.maxEntries, options.now);
    options.notifier
      .subscribe(options.channel, () => {
        this.#clear();
      })
      .catch((err: unknown) => {
        options.logger.error({ err, channel: options.channel }, 'Cache invalidations not received');
      });
  }

  get size(): number {
    return this.#cache.size;
  }

  async get(key: string, load: () => Promise<V | undefined>): Promise<V | undefined> {
    const hit = this.#cache.get(key);
    if (hit !== undefined) return hit.value;
    const generation = this.#generation;
    const value = await load();
    if (generation === this.#generation) {
      this.#cache.set(key, value, value === undefined ? this.options.negativeTtlMs : this.options.ttlMs);
    }
    return value;
  }

  /** Empties this node's cache now and every other node's as soon as the message arrives. */
  invalidate(): void {
    this.#clear();
    this.options.notifier.publish(this.options.channel, String(this.options.now()));
  }

  #clear(): void {
    this.#generation += 1;
    this.#cache.clear();
  }
}
