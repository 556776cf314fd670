import type { TicketStore } from '../auth/ticket-store.js';
import type { Clock } from '../common/clock.js';
import type { ExecutionLimiter } from '../runs/execution-limiter.js';
import type { Logger } from '../common/logger.js';
import type { Notifier } from '../common/notifier.js';
import { LocalNotifier } from './local-notifier.js';
import { LocalExecutionLimiter } from './local-execution-limiter.js';
import { LocalLockService } from './local-lock-service.js';
import { LocalRunEventLog } from './local-run-event-log.js';
import { LocalSandboxRegistry } from './local-sandbox-registry.js';
import { LocalTicketStore } from './local-ticket-store.js';
import type { LockService } from '../common/lock-service.js';
import { LocalNodeDirectory } from './local-node-directory.js';
import type { NodeDirectory } from '../runs/node-directory.js';
import { connectRedis, createRedisClient, type RedisClient } from './redis-connection.js';
import { RedisExecutionLimiter } from './redis-execution-limiter.js';
import { RedisLockService } from './redis-lock-service.js';
import { RedisNodeDirectory } from './redis-node-directory.js';
import { RedisNotifier } from './redis-notifier.js';
import { RedisRunEventLog } from './redis-run-event-log.js';
import { RedisRunSignals } from './redis-run-signals.js';
import { RedisSandboxRegistry } from './redis-sandbox-registry.js';
import { RedisTicketStore } from './redis-ticket-store.js';
import type { RunEventLog } from '../runs/run-event-log.js';
import { LocalRunSignals } from './local-run-signals.js';
import type { RunSignals } from '../runs/run-signals.js';
import type { SandboxRegistry } from '../sandbox/sandbox-registry.js';

export interface CoordinationConfig {
  nodeId: string;
  redis: { url: string | undefined; password: string | undefined; prefix: string };
  lockTtlMs: number;
  heartbeatTtlMs: number;
  eventLog: {
    maxEventsPerRun: number;
    maxBytesPerRun: number;
    /** The embedded log's budget across runs (the Redis log leaves memory to Redis). */
    maxTotalBytes: number;
    retentionMs: number;
    abandonedTtlMs: number;
    /** A reader whose wake-up notification was lost reads again after this long (default 1 s). */
    wakeFallbackMs?: number;
  };
}

/** Everything nodes share: locks, the sandbox registry, the run event log, heartbeats and run signals. */
export interface Coordination {
  mode: 'redis' | 'embedded';
  locks: LockService;
  registry: SandboxRegistry;
  eventLog: RunEventLog;
  nodes: NodeDirectory;
  signals: RunSignals;
  /** Run-start budgets per caller. */
  limiter: ExecutionLimiter;
  /** Browser tickets (stored hashed), shared by every node. */
  tickets: TicketStore;
  /** Messages to every node (cache invalidations); best effort, so users also bound staleness by time. */
  notifier: Notifier;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Redis when REDIS_URL is set; otherwise in-process implementations for a single node. */
export async function createCoordination(
  config: CoordinationConfig,
  clock: Clock,
  logger: Logger,
): Promise<Coordination> {
  if (config.redis.url === undefined) {
    return {
      mode: 'embedded',
      locks: new LocalLockService(),
      registry: new LocalSandboxRegistry(),
      eventLog: new LocalRunEventLog({ ...config.eventLog, clock }),
      nodes: new LocalNodeDirectory(),
      signals: new LocalRunSignals(),
      limiter: new LocalExecutionLimiter(clock),
      tickets: new LocalTicketStore(clock),
      notifier: new LocalNotifier(),
      ping: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  }
  const url = config.redis.url;
  const make = (name: string): RedisClient =>
    createRedisClient({ url, password: config.redis.password, logger, name });
  const client = make(`${config.nodeId}-main`);
  const subscriber = make(`${config.nodeId}-sub`);
  // The rate limiter gets its own client: it issues commands on every request and must not queue behind others.
  const rateLimit = make(`${config.nodeId}-ratelimit`);
  await connectRedis(client, url);
  await connectRedis(subscriber, url);
  await connectRedis(rateLimit, url);
  const prefix = config.redis.prefix;
  const notifier = new RedisNotifier(client, subscriber, logger);
  const signals = new RedisRunSignals({
    client,
    notifier,
    prefix,
    nodeId: config.nodeId,
    watchTtlMs: 10_000,
    logger,
  });
  const nodes = new RedisNodeDirectory({ client, prefix, ttlMs: config.heartbeatTtlMs, logger });
  return {
    mode: 'redis',
    locks: new RedisLockService({ client, prefix, ttlMs: config.lockTtlMs, logger }),
    registry: new RedisSandboxRegistry(client, prefix),
    eventLog: new RedisRunEventLog({
      client,
      notifier,
      prefix,
      maxEventsPerRun: config.eventLog.maxEventsPerRun,
      retentionMs: config.eventLog.retentionMs,
      abandonedTtlMs: config.eventLog.abandonedTtlMs,
      wakeFallbackMs: config.eventLog.wakeFallbackMs ?? 1_000,
      clock,
    }),
    nodes,
    signals,
    limiter: new RedisExecutionLimiter(rateLimit, prefix),
    tickets: new RedisTicketStore(client, prefix),
    notifier,
    ping: async () => {
      await client.ping();
    },
    close: async () => {
      await signals.close();
      await nodes.stop();
      for (const c of [rateLimit, subscriber, client]) await c.quit().catch(() => c.disconnect());
    },
  };
}
