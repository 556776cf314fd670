import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { NodeDirectory, NodeInfo } from '../runs/node-directory.js';
import { redisCall, type RedisClient } from './redis-connection.js';

export interface RedisNodeDirectoryOptions {
  client: RedisClient;
  prefix: string;
  /** A node is dead this long after its last heartbeat. */
  ttlMs: number;
  logger: Logger;
}

/** Heartbeats as keys with a TTL, refreshed every third of it. */
export class RedisNodeDirectory implements NodeDirectory {
  #timer: NodeJS.Timeout | undefined;
  #self: NodeInfo | undefined;

  constructor(private readonly options: RedisNodeDirectoryOptions) {}

  async start(info: NodeInfo): Promise<void> {
    this.#self = info;
    await this.#beat();
    this.#timer = setInterval(
      () => {
        this.#beat().catch((err: unknown) => {
          this.options.logger.warn({ reason: errorMessage(err) }, 'Heartbeat failed');
        });
      },
      Math.max(100, Math.floor(this.options.ttlMs / 3)),
    );
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    if (this.#self) {
      const nodeId = this.#self.nodeId;
      await redisCall(() => this.options.client.del(this.#key(nodeId))).catch(() => undefined);
    }
    this.#self = undefined;
  }

  async isAlive(nodeId: string): Promise<boolean> {
    return (await redisCall(() => this.options.client.exists(this.#key(nodeId)))) === 1;
  }

  async list(): Promise<NodeInfo[]> {
    const out: NodeInfo[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redisCall(() =>
        this.options.client.scan(cursor, 'MATCH', `${this.options.prefix}node:*`, 'COUNT', 100),
      );
      cursor = next;
      if (keys.length > 0) {
        for (const raw of await redisCall(() => this.options.client.mget(keys))) {
          if (raw !== null) out.push(JSON.parse(raw) as NodeInfo);
        }
      }
    } while (cursor !== '0');
    return out.sort((a, b) => a.nodeId.localeCompare(b.nodeId));
  }

  async #beat(): Promise<void> {
    if (!this.#self) return;
    const self = this.#self;
    await redisCall(() =>
      this.options.client.set(this.#key(self.nodeId), JSON.stringify(self), 'PX', this.options.ttlMs),
    );
  }

  #key(nodeId: string): string {
    return `${this.options.prefix}node:${nodeId}`;
  }
}
