import { Redis } from 'ioredis';
import { AgentdError, errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';

export type RedisClient = Redis;

export interface RedisOptions {
  url: string;
  password: string | undefined;
  logger: Logger;
  /** Connection name shown in CLIENT LIST. */
  name: string;
}

/**
 * A Redis client that fails fast while Redis is away (commands reject instead of queueing, so requests get a
 * 503 at once) and reconnects by itself when it returns.
 */
export function createRedisClient(options: RedisOptions): RedisClient {
  const log = options.logger.child({ component: 'redis', connection: options.name });
  const client = new Redis(options.url, {
    ...(options.password === undefined ? {} : { password: options.password }),
    connectionName: `agentd-${options.name}`,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 3_000),
    lazyConnect: true,
  });
  let down = false;
  client.on('error', (err: unknown) => {
    if (!down) log.warn({ reason: errorMessage(err) }, 'Redis connection problem');
    down = true;
  });
  client.on('ready', () => {
    if (down) log.info('Redis connection restored');
    down = false;
  });
  return client;
}

/** Connects, or throws DEPENDENCY_UNAVAILABLE naming Redis. */
export async function connectRedis(client: RedisClient, url: string): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new AgentdError(
      'DEPENDENCY_UNAVAILABLE',
      `Redis at ${redactRedisUrl(url)} does not answer: ${errorMessage(err)}`,
      {
        cause: err,
        details: { dependency: 'redis' },
      },
    );
  }
}

/** Runs a Redis call, turning connection failures into a 503 with the dependency named. */
export async function redisCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const message = errorMessage(err);
    if (
      /Stream isn't writeable|Connection is closed|ECONNREFUSED|ETIMEDOUT|max retries|enableOfflineQueue|ECONNRESET|EPIPE/i.test(
        message,
      )
    ) {
      throw new AgentdError('DEPENDENCY_UNAVAILABLE', `Redis is unavailable: ${message}`, {
        cause: err,
        recoverable: true,
        retryAfterSeconds: 2,
        details: { dependency: 'redis' },
      });
    }
    throw err;
  }
}

export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'redis://(unparsable)';
  }
}
