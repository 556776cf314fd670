import { Mutex } from '../common/mutex.js';
import type { SandboxRegistry } from './sandbox-registry.js';
import type { LifecyclePolicy } from '../config/lifecycle-policy.js';
import type { SandboxRecord } from './sandbox-record.js';

export interface NodeCapacityOptions {
  nodeId: string;
  registry: SandboxRegistry;
  policy: () => LifecyclePolicy;
}

/**
 * Counts sandboxes against the node and tenant caps. Every decision that adds a sandbox runs under one mutex
 * and inserts its record before letting go, so concurrent allocations cannot overshoot a cap.
 */
export class NodeCapacity {
  readonly #mutex = new Mutex();

  constructor(private readonly options: NodeCapacityOptions) {}

  /** Runs `fn` with the capacity lock held. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#mutex.run(fn);
  }

  async nodeRecords(): Promise<SandboxRecord[]> {
    return (await this.options.registry.list({ nodeId: this.options.nodeId })).filter(
      (r) => r.state !== 'removing',
    );
  }

  /** A tenant's live sandboxes on every node: the tenant cap is fleet-wide. */
  async tenantRecords(tenantId: string): Promise<SandboxRecord[]> {
    return (await this.options.registry.list({ tenantId })).filter((r) => r.state !== 'removing');
  }

  /** For the warm pool: inserts `record` only if the node is under its cap; never evicts. */
  reserveIfRoom(record: SandboxRecord): Promise<boolean> {
    return this.exclusive(async () => {
      if ((await this.nodeRecords()).length >= this.options.policy().maxSandboxesPerNode) return false;
      await this.options.registry.put(record);
      return true;
    });
  }
}

/**
 * The sandbox to evict to make room on this node: the oldest warm one first (nothing is lost), then the
 * least recently used idle one. Busy and starting sandboxes are never chosen.
 */
export function pickNodeVictim(records: readonly SandboxRecord[], nodeId: string): SandboxRecord | undefined {
  const mine = records.filter((r) => r.nodeId === nodeId);
  const warm = mine.filter((r) => r.state === 'warm').sort((a, b) => a.createdAt - b.createdAt);
  if (warm[0]) return warm[0];
  return leastRecentlyUsedIdle(mine);
}

/**
 * The tenant's least recently used idle sandbox on this node, else on any node: the tenant cap counts the
 * whole fleet, so a tenant whose idle sandboxes all sit on other nodes must still be able to run here. Only
 * the owning node removes a container, so a victim elsewhere is claimed here and removed there.
 */
export function pickTenantVictim(
  records: readonly SandboxRecord[],
  tenantId: string,
  nodeId: string,
): SandboxRecord | undefined {
  const tenants = records.filter((r) => r.tenantId === tenantId);
  return leastRecentlyUsedIdle(tenants.filter((r) => r.nodeId === nodeId)) ?? leastRecentlyUsedIdle(tenants);
}

function leastRecentlyUsedIdle(records: readonly SandboxRecord[]): SandboxRecord | undefined {
  return records.filter((r) => r.state === 'idle').sort((a, b) => a.lastUsedAt - b.lastUsedAt)[0];
}
