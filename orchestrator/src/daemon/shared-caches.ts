import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { Notifier } from '../common/notifier.js';
import { SharedCache } from '../common/shared-cache.js';
import type { AgentdConfig } from '../config/config.js';
import type { ApiKey, Model, TenantPolicy } from '../store/entities.js';
import type { Page } from '../store/repositories.js';

/** The read-mostly data every request or run start reads, one cache each, each with its own channel. */
export interface SharedCaches {
  /** Keys by the SHA-256 of the presented key; emptied when a key is created or revoked or a tenant deleted. */
  apiKeys: SharedCache<ApiKey>;
  /** Model pages by limit and cursor; emptied when a model changes. */
  models: SharedCache<Page<Model>>;
  /** Tenant policies by tenant id; emptied when a tenant changes or goes. */
  tenantPolicies: SharedCache<TenantPolicy>;
}

export function createSharedCaches(deps: {
  config: AgentdConfig;
  notifier: Notifier;
  clock: Clock;
  logger: Logger;
}): SharedCaches {
  const { config } = deps;
  const logger = deps.logger.child({ component: 'shared-cache' });
  const make = <V>(name: string): SharedCache<V> =>
    new SharedCache<V>({
      channel: `${config.redis.prefix}cache:${name}`,
      notifier: deps.notifier,
      ttlMs: config.caches.ttlMs,
      negativeTtlMs: config.caches.negativeTtlMs,
      maxEntries: config.caches.maxEntries,
      now: () => deps.clock.now(),
      logger,
    });
  return {
    apiKeys: make('api-keys'),
    models: make('models'),
    tenantPolicies: make('tenant-policies'),
  };
}
