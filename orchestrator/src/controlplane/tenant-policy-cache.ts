import type { TenantPolicy } from '../store/entities.js';
import type { Store } from '../store/repositories.js';

/** Tenant policies read on hot paths (the rate limiter): cached for a few seconds, so a change applies soon. */
export class TenantPolicyCache {
  readonly #entries = new Map<string, { at: number; policy: TenantPolicy | undefined }>();

  constructor(
    private readonly store: Store,
    private readonly ttlMs: number,
  ) {}

  async get(tenantId: string): Promise<TenantPolicy | undefined> {
    const cached = this.#entries.get(tenantId);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.policy;
    const policy = (await this.store.tenants.get(tenantId))?.policy;
    if (this.#entries.size > 10_000) this.#entries.clear();
    this.#entries.set(tenantId, { at: Date.now(), policy });
    return policy;
  }
}
