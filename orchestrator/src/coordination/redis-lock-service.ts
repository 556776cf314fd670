import Redlock from 'redlock';
import { AgentdError, errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { Lock, LockService } from '../common/lock-service.js';
import { redisCall, type RedisClient } from './redis-connection.js';

export interface RedisLockServiceOptions {
  client: RedisClient;
  prefix: string;
  /** Lock lifetime without extension; a crashed holder's lock frees itself after this. */
  ttlMs: number;
  logger: Logger;
}

/**
 * Fleet-wide locks with redlock (the algorithm is redlock's, not ours). A held lock is extended every third of
 * its TTL while the holder lives; when an extension fails, `lost` aborts so the run stops acting — and since a
 * paused process can still wake up after expiry, every commit of its results is fenced as well.
 */
export class RedisLockService implements LockService {
  readonly #redlock: Redlock;
  readonly #log: Logger;

  constructor(private readonly options: RedisLockServiceOptions) {
    // ioredis satisfies redlock's client contract (eval/evalsha); the types disagree only in their overloads.
    this.#redlock = new Redlock([options.client as unknown as Redlock.CompatibleRedisClient], {
      retryCount: 0,
      driftFactor: 0.01,
    });
    this.#log = options.logger.child({ component: 'locks' });
  }

  async tryAcquire(key: string): Promise<Lock | undefined> {
    const resource = `${this.options.prefix}lock:${key}`;
    // redlock reports an unreachable Redis as "could not lock": tell that apart from a held lock (409 vs 503).
    if (this.options.client.status !== 'ready') {
      throw new AgentdError('DEPENDENCY_UNAVAILABLE', 'Redis is unavailable: locks cannot be taken', {
        recoverable: true,
        retryAfterSeconds: 2,
        details: { dependency: 'redis' },
      });
    }
    let lock: Redlock.Lock;
    try {
      lock = await redisCall(() => this.#redlock.lock(resource, this.options.ttlMs));
    } catch (err) {
      if (err instanceof Redlock.LockError) return undefined;
      throw err;
    }
    const controller = new AbortController();
    let current = lock;
    let released = false;
    const timer = setInterval(
      () => {
        current.extend(this.options.ttlMs).then(
          (extended) => {
            current = extended;
          },
          (err: unknown) => {
            if (released) return;
            clearInterval(timer);
            this.#log.warn({ key, reason: errorMessage(err) }, 'Lost a lock: its extension failed');
            controller.abort(new Error(`lock ${key} lost`));
          },
        );
      },
      Math.max(100, Math.floor(this.options.ttlMs / 3)),
    );
    timer.unref();
    return {
      key,
      lost: controller.signal,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        await current.unlock().catch((err: unknown) => {
          // Expired or Redis away: the lock frees itself at its TTL.
          this.#log.debug({ key, reason: errorMessage(err) }, 'Unlock failed');
        });
      },
    };
  }
}
