import type { SharedCache } from '../common/shared-cache.js';
import type { TenantPolicy } from '../store/entities.js';
import type { Store } from '../store/repositories.js';

/** Tenant policies read on hot paths (the rate limiter), from a cache every node empties when a tenant changes. */
export class TenantPolicyCache {
  constructor(
    private readonly store: Store,
    private readonly cache: SharedCache<TenantPolicy>,
  ) {}

  get(tenantId: string): Promise<TenantPolicy | undefined> {
    return this.cache.get(tenantId, async () => (await this.store.tenants.get(tenantId))?.policy);
  }
}
