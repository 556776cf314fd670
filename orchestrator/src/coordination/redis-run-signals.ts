import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { redisCall, type RedisClient } from './redis-connection.js';
import type { RedisNotifier } from './redis-notifier.js';
import type { RunSignals } from '../runs/run-signals.js';

export interface RedisRunSignalsOptions {
  client: RedisClient;
  notifier: RedisNotifier;
  prefix: string;
  nodeId: string;
  /** A watch entry lives this long unless refreshed (a crashed node stops counting after it). */
  watchTtlMs: number;
  logger: Logger;
}

/** Cancel requests over pub/sub; watchers as per-run hashes of node → expiry, refreshed while streaming. */
export class RedisRunSignals implements RunSignals {
  readonly #watching = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly options: RedisRunSignalsOptions) {
    this.#timer = setInterval(() => void this.#refresh(), Math.max(100, Math.floor(options.watchTtlMs / 3)));
    this.#timer.unref();
  }

  async onCancel(handler: (runId: string) => void): Promise<void> {
    await this.options.notifier.subscribe(`${this.options.prefix}cancel`, handler);
  }

  async requestCancel(runId: string): Promise<void> {
    await redisCall(() => this.options.client.publish(`${this.options.prefix}cancel`, runId));
  }

  async onRemoveSandbox(handler: (sandboxId: string) => void): Promise<void> {
    await this.options.notifier.subscribe(`${this.options.prefix}remove-sandbox`, handler);
  }

  async requestRemoveSandbox(sandboxId: string): Promise<void> {
    await redisCall(() => this.options.client.publish(`${this.options.prefix}remove-sandbox`, sandboxId));
  }

  watch(runId: string): () => void {
    this.#watching.set(runId, (this.#watching.get(runId) ?? 0) + 1);
    void this.#refresh();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const count = (this.#watching.get(runId) ?? 1) - 1;
      if (count > 0) {
        this.#watching.set(runId, count);
        return;
      }
      this.#watching.delete(runId);
      void redisCall(() => this.options.client.hdel(this.#key(runId), this.options.nodeId)).catch(
        () => undefined,
      );
    };
  }

  async watchedElsewhere(runId: string): Promise<boolean> {
    const entries = await redisCall(() => this.options.client.hgetall(this.#key(runId)));
    const now = Date.now();
    return Object.entries(entries).some(
      ([node, expiry]) => node !== this.options.nodeId && Number(expiry) > now,
    );
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    const runs = [...this.#watching.keys()];
    this.#watching.clear();
    await Promise.all(
      runs.map((runId) =>
        redisCall(() => this.options.client.hdel(this.#key(runId), this.options.nodeId)).catch(
          () => undefined,
        ),
      ),
    );
  }

  async #refresh(): Promise<void> {
    const expiry = String(Date.now() + this.options.watchTtlMs);
    try {
      for (const runId of this.#watching.keys()) {
        await redisCall(() =>
          this.options.client
            .multi()
            .hset(this.#key(runId), this.options.nodeId, expiry)
            .pexpire(this.#key(runId), this.options.watchTtlMs * 2)
            .exec(),
        );
      }
    } catch (err) {
      this.options.logger.debug({ reason: errorMessage(err) }, 'Could not refresh run watchers');
    }
  }

  #key(runId: string): string {
    return `${this.options.prefix}watch:${runId}`;
  }
}
