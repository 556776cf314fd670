import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { SandboxRegistry } from './sandbox-registry.js';
import type { LifecyclePolicy } from '../config/lifecycle-policy.js';
import { pickNodeVictim, pickTenantVictim } from './node-capacity.js';
import type { ReapReason, ReapRecord } from './reap-reason.js';
import type { SandboxRecord } from './sandbox-record.js';
import type { SandboxRemover } from './sandbox-remover.js';
import type { WarmPool } from './warm-pool.js';

export interface ReaperOptions {
  nodeId: string;
  registry: SandboxRegistry;
  remover: SandboxRemover;
  pool: WarmPool;
  policy: () => LifecyclePolicy;
  clock: Clock;
  logger: Logger;
}

export interface ReapCandidate {
  record: SandboxRecord;
  reason: ReapReason;
}

/**
 * Applies the lifecycle policy to this node's sandboxes: idle TTL, max lifetime, pool surplus, node and tenant
 * caps (after a policy change lowered them), and removals other nodes claimed. Busy and starting sandboxes are
 * never reaped.
 */
export class Reaper {
  readonly #log: Logger;

  constructor(private readonly options: ReaperOptions) {
    this.#log = options.logger.child({ component: 'reaper' });
  }

  /** What one tick would remove, and why; nothing is touched (for `reap --dry-run`). */
  async plan(): Promise<ReapCandidate[]> {
    const policy = this.options.policy();
    const now = this.options.clock.now();
    const all = await this.options.registry.list({ nodeId: this.options.nodeId });
    const records = all.filter((r) => r.state !== 'removing');
    const chosen = new Map<string, ReapCandidate>();
    const choose = (record: SandboxRecord, reason: ReapReason): void => {
      if (!chosen.has(record.id)) chosen.set(record.id, { record, reason });
    };
    // Claimed by another node under the fleet-wide tenant cap, and the message telling this node was lost
    // (or is being acted on now: the remover ignores a second request for the same sandbox).
    for (const record of all) {
      if (record.state === 'removing' && record.removalReason) choose(record, record.removalReason);
    }
    for (const record of records) {
      // Its conversation was deleted on another node, which marked it: it goes, and its files are not saved.
      if (record.state === 'idle' && record.conversationDeleted === true)
        choose(record, 'conversation_deleted');
      // Another node (or a newer sandbox) now owns the conversation: this one holds an old workspace.
      if (record.state === 'idle' && record.tenantId !== null && record.conversationId !== null) {
        const owner = await this.options.registry.findByConversation(record.tenantId, record.conversationId);
        if (owner && owner.id !== record.id) choose(record, 'stale');
      }
      if (record.state === 'idle' && now - record.lastUsedAt >= policy.idleTtlMs) choose(record, 'idle_ttl');
      else if (
        (record.state === 'idle' || record.state === 'warm') &&
        now - record.createdAt >= policy.maxLifetimeMs
      ) {
        choose(record, 'max_lifetime');
      }
    }
    const byId = new Map(records.map((r) => [r.id, r]));
    for (const id of this.options.pool.surplus()) {
      const record = byId.get(id);
      if (record?.state === 'warm') choose(record, 'pool_surplus');
    }
    let remaining = records.filter((r) => !chosen.has(r.id));
    while (remaining.length > policy.maxSandboxesPerNode) {
      const victim = pickNodeVictim(remaining, this.options.nodeId);
      if (!victim) break;
      choose(victim, 'node_cap');
      remaining = remaining.filter((r) => r.id !== victim.id);
    }
    const tenants = new Set(remaining.map((r) => r.tenantId).filter((t): t is string => t !== null));
    for (const tenantId of tenants) {
      let mine = remaining.filter((r) => r.tenantId === tenantId);
      while (mine.length > policy.maxSandboxesPerTenant) {
        const victim = pickTenantVictim(mine, tenantId, this.options.nodeId);
        if (!victim) break;
        choose(victim, 'tenant_cap');
        mine = mine.filter((r) => r.id !== victim.id);
      }
    }
    return [...chosen.values()];
  }

  /** One tick: removes what `plan` chose; a sandbox that changed state meanwhile (a run took it) is skipped. */
  async reapOnce(): Promise<ReapRecord[]> {
    const reaped: ReapRecord[] = [];
    for (const candidate of await this.plan()) {
      if (candidate.record.state === 'warm') this.options.pool.forget(candidate.record.id);
      try {
        const reap = await this.options.remover.remove(candidate.record, candidate.reason);
        if (reap) reaped.push(reap);
      } catch (err) {
        this.#log.error({ err, sandboxId: candidate.record.id, reason: candidate.reason }, 'Reap failed');
      }
    }
    if (reaped.length > 0) this.#log.info({ count: reaped.length }, 'Reaped sandboxes');
    this.options.pool.refillInBackground();
    return reaped;
  }
}
