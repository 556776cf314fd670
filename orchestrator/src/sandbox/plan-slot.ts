import type { Clock } from '../common/clock.js';
import { CapacityError } from '../common/errors.js';
import { newSandboxId } from '../common/ids.js';
import type { LifecyclePolicy } from '../config/lifecycle-policy.js';
import { pickNodeVictim, pickTenantVictim, type NodeCapacity } from './node-capacity.js';
import type { SandboxProfile } from './profile.js';
import type { ReapReason } from './reap-reason.js';
import type { AcquireRequest } from './sandbox-lease.js';
import type { SandboxRecord } from './sandbox-record.js';
import type { SandboxRegistry } from './sandbox-registry.js';
import type { WarmPool } from './warm-pool.js';

export interface SlotPlannerDeps {
  nodeId: string;
  registry: SandboxRegistry;
  capacity: NodeCapacity;
  pool: WarmPool;
  policy: () => LifecyclePolicy;
  clock: Clock;
}

/** Where a new run's sandbox comes from, and whom to evict for it. */
export type SlotPlan =
  | { kind: 'pool'; record: SandboxRecord; victims: Victim[] }
  | { kind: 'cold'; record: SandboxRecord; victims: Victim[] };

export interface Victim {
  record: SandboxRecord;
  reason: ReapReason;
}

/** Seconds a client should wait after a capacity refusal: about one reaper tick. */
const CAPACITY_RETRY_AFTER_S = 10;

/** Under the capacity lock: check caps, pick evictions, then take a warm sandbox or reserve a cold slot. */
export async function planSlot(
  deps: SlotPlannerDeps,
  request: AcquireRequest,
  profile: SandboxProfile,
  key: string,
  poolable: boolean,
): Promise<SlotPlan> {
  const { registry, capacity, nodeId } = deps;
  const policy = deps.policy();
  const victims: Victim[] = [];
  const tenantRecords = await capacity.tenantRecords(request.tenantId);
  if (tenantRecords.length >= policy.maxSandboxesPerTenant) {
    const victim = pickTenantVictim(tenantRecords, request.tenantId, nodeId);
    if (!victim || !(await claimVictim(deps, victim, 'tenant_cap'))) {
      throw new CapacityError(
        'tenant',
        `tenant ${request.tenantId} has ${tenantRecords.length} sandboxes, its cap is ${policy.maxSandboxesPerTenant}`,
        CAPACITY_RETRY_AFTER_S,
      );
    }
    victims.push({ record: { ...victim, state: 'removing' }, reason: 'tenant_cap' });
  }
  const assignment = { tenantId: request.tenantId, conversationId: request.conversationId };
  if (poolable) {
    const warm = await deps.pool.take(profile.name, key, assignment);
    if (warm) return { kind: 'pool', record: warm, victims };
  }
  const nodeRecords = await capacity.nodeRecords();
  if (nodeRecords.length >= policy.maxSandboxesPerNode) {
    const victim = pickNodeVictim(nodeRecords, nodeId);
    if (!victim || !(await claimVictim(deps, victim, 'node_cap'))) {
      throw new CapacityError(
        'node',
        `node ${nodeId} runs ${nodeRecords.length} sandboxes (cap ${policy.maxSandboxesPerNode}) and none is idle`,
        CAPACITY_RETRY_AFTER_S,
      );
    }
    victims.push({ record: { ...victim, state: 'removing' }, reason: 'node_cap' });
  }
  const now = deps.clock.now();
  const record: SandboxRecord = {
    id: newSandboxId(),
    containerId: '',
    nodeId,
    profile: profile.name,
    profileVersion: profile.version,
    limitsKey: key,
    state: 'starting',
    ...assignment,
    createdAt: now,
    lastUsedAt: now,
    workspaceVersion: null,
  };
  await registry.put(record);
  return { kind: 'cold', record, victims };
}

/** Claims `victim` for removal; one on another node carries the reason, for its owner to remove it. */
async function claimVictim(
  deps: SlotPlannerDeps,
  victim: SandboxRecord,
  reason: ReapReason,
): Promise<boolean> {
  const remote = victim.nodeId !== deps.nodeId;
  const claimed = await deps.registry.transition(victim.id, [victim.state], {
    state: 'removing',
    ...(remote ? { removalReason: reason } : {}),
  });
  if (claimed && victim.state === 'warm') deps.pool.forget(victim.id);
  return claimed !== undefined;
}
