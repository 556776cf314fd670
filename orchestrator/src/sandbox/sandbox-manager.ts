import { EventEmitter } from 'node:events';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { SandboxChannel } from '../callhome/sandbox-channel.js';
import type { Clock } from '../common/clock.js';
import { AgentdError, CapacityError, errorMessage, NotFoundError } from '../common/errors.js';
import { newSandboxId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import { SingleFlight } from '../common/mutex.js';
import { resolveProfile } from './resolve-profile.js';
import { retry } from '../common/retry.js';
import type { SandboxRegistry } from './sandbox-registry.js';
import type { Metrics } from '../metrics/metrics.js';
import type { LifecyclePolicy } from '../config/lifecycle-policy.js';
import { pickNodeVictim, pickTenantVictim, type NodeCapacity } from './node-capacity.js';
import { limitsKey, type SandboxLimits, type SandboxLimitsOverride, type SandboxProfile } from './profile.js';
import type { ReapReason, ReapRecord } from './reap-reason.js';
import type { SandboxFactory } from './sandbox-factory.js';
import { conversationKey, type SandboxAssignment, type SandboxRecord } from './sandbox-record.js';
import type { SandboxRemover } from './sandbox-remover.js';
import type { WarmPool } from './warm-pool.js';

export interface AcquireRequest extends SandboxAssignment {
  /** Profile name; the configured default when absent. */
  profile?: string;
  /** Per-tenant overrides of the profile's limits; any override bypasses the warm pool. */
  limits?: SandboxLimitsOverride;
}

export type AllocationSource = 'reuse' | 'pool' | 'cold';

/** A sandbox held by one run; give it back with `release`. */
export interface SandboxLease {
  record: SandboxRecord;
  channel: SandboxChannel;
  source: AllocationSource;
}

export interface SandboxManagerOptions {
  nodeId: string;
  registry: SandboxRegistry;
  callHome: CallHomeServer;
  factory: SandboxFactory;
  remover: SandboxRemover;
  pool: WarmPool;
  capacity: NodeCapacity;
  profiles: () => ReadonlyMap<string, SandboxProfile>;
  defaultProfile: string;
  policy: () => LifecyclePolicy;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  healthCheckTimeoutMs: number;
}

const MAX_ATTEMPTS = 3;

/** A warm sandbox failed its health check: always worth another attempt (it was the pool's loss). */
class DeadWarmSandbox extends Error {
  constructor(override readonly cause: unknown) {
    super('warm sandbox failed its health check');
  }
}

/** Seconds a client should wait after a capacity refusal: about one reaper tick. */
const CAPACITY_RETRY_AFTER_S = 10;

/** One container per conversation: reuse it, else claim a warm one, else create one — within the caps. */
export class SandboxManager extends EventEmitter<{ lost: [SandboxRecord] }> {
  readonly #acquiring = new SingleFlight<SandboxLease>();
  readonly #log: Logger;

  constructor(private readonly options: SandboxManagerOptions) {
    super();
    this.#log = options.logger.child({ component: 'sandbox-manager' });
  }

  /** Resolves a profile and limits (profile defaults + overrides), validated. */
  resolve(
    profileName: string | undefined,
    overrides: SandboxLimitsOverride | undefined,
  ): { profile: SandboxProfile; limits: SandboxLimits } {
    return resolveProfile(this.options.profiles(), profileName ?? this.options.defaultProfile, overrides);
  }

  /** Hands a sandbox for the conversation to one run (state busy). Concurrent calls for one conversation share a result. */
  acquire(request: AcquireRequest): Promise<SandboxLease> {
    const key = conversationKey(request.tenantId, request.conversationId);
    return this.#acquiring.run(key, async () => {
      const started = performance.now();
      const lease = await this.#acquire(request);
      this.options.metrics.allocationSeconds.observe(
        { source: lease.source },
        (performance.now() - started) / 1000,
      );
      return lease;
    });
  }

  /** Returns a sandbox after a run: it stays assigned to its conversation, idle, until reused or reaped. */
  async release(lease: SandboxLease, patch: { workspaceVersion?: number | null } = {}): Promise<void> {
    const now = this.options.clock.now();
    const updated = await this.options.registry.transition(lease.record.id, ['busy'], {
      state: 'idle',
      lastUsedAt: now,
      ...patch,
    });
    if (!updated)
      this.#log.debug({ sandboxId: lease.record.id }, 'Released a sandbox that is no longer busy');
  }

  async get(sandboxId: string): Promise<SandboxRecord | undefined> {
    return this.options.registry.get(sandboxId);
  }

  async list(): Promise<SandboxRecord[]> {
    return this.options.registry.list({ nodeId: this.options.nodeId });
  }

  /** Removes a sandbox of this node now, whatever its state (an operator's forced removal, a deleted conversation). */
  async remove(sandboxId: string, reason: ReapReason): Promise<ReapRecord | undefined> {
    const record = await this.options.registry.get(sandboxId);
    if (!record || record.nodeId !== this.options.nodeId) throw new NotFoundError('sandbox', sandboxId);
    return this.options.remover.remove(record, reason);
  }

  /** Called when the engine reports a container died: the sandbox is gone, its run (if any) must fail. */
  async markLost(sandboxId: string): Promise<void> {
    const record = await this.options.registry.get(sandboxId);
    if (!record || record.state === 'removing' || record.state === 'starting') return;
    this.#log.warn({ sandboxId, state: record.state, conversationId: record.conversationId }, 'Sandbox lost');
    this.emit('lost', record);
    await this.options.remover.remove(record, 'lost');
  }

  async ping(channel: SandboxChannel): Promise<void> {
    const result = await channel.send({ kind: 'ping' }, this.options.healthCheckTimeoutMs);
    if (!result.ok) throw new AgentdError('SANDBOX_LOST', `runner answered ping with ${result.error.code}`);
  }

  async #acquire(request: AcquireRequest): Promise<SandboxLease> {
    const { profile, limits } = this.resolve(request.profile, request.limits);
    const key = limitsKey(limits);
    const poolable = request.limits === undefined || key === limitsKey(profile.limits);
    try {
      return await retry(() => this.#acquireOnce(request, profile, limits, key, poolable), {
        retries: MAX_ATTEMPTS - 1,
        minDelayMs: 0,
        maxDelayMs: 0,
        retryOn: (err) => err instanceof DeadWarmSandbox || (err instanceof AgentdError && err.recoverable),
      });
    } catch (err) {
      throw err instanceof DeadWarmSandbox ? err.cause : err;
    }
  }

  async #acquireOnce(
    request: AcquireRequest,
    profile: SandboxProfile,
    limits: SandboxLimits,
    key: string,
    poolable: boolean,
  ): Promise<SandboxLease> {
    const reused = await this.#reuse(request, profile, key);
    if (reused) return reused;
    const plan = await this.options.capacity.exclusive(() => this.#plan(request, profile, key, poolable));
    for (const victim of plan.victims) {
      await this.options.remover.remove(victim.record, victim.reason).catch((err: unknown) => {
        this.#log.warn({ err, sandboxId: victim.record.id }, 'Eviction failed');
      });
    }
    try {
      if (plan.kind === 'pool') {
        const channel = this.#channel(plan.record);
        try {
          await this.ping(channel);
          return { record: plan.record, channel, source: 'pool' };
        } catch (err) {
          // A dead warm sandbox is the pool's loss, not the caller's: drop it and try again.
          this.#log.warn(
            { sandboxId: plan.record.id, reason: errorMessage(err) },
            'Warm sandbox failed its health check',
          );
          await this.options.remover.remove(plan.record, 'unhealthy');
          throw new DeadWarmSandbox(err);
        }
      }
      const { containerId, channel } = await this.options.factory.create({
        record: plan.record,
        profile,
        limits,
      });
      const record = await this.options.registry.transition(plan.record.id, ['starting'], {
        state: 'busy',
        containerId,
      });
      if (!record)
        throw new AgentdError('SANDBOX_LOST', `sandbox ${plan.record.id} was removed while starting`);
      return { record, channel, source: 'cold' };
    } catch (err) {
      if (plan.kind === 'cold') await this.options.registry.remove(plan.record.id);
      throw err;
    }
  }

  async #reuse(
    request: AcquireRequest,
    profile: SandboxProfile,
    key: string,
  ): Promise<SandboxLease | undefined> {
    const existing = await this.options.registry.findByConversation(request.tenantId, request.conversationId);
    if (!existing) return undefined;
    if (existing.nodeId !== this.options.nodeId) return undefined;
    if (existing.state === 'busy' || existing.state === 'starting') {
      throw new AgentdError(
        'CONVERSATION_BUSY',
        `conversation ${request.conversationId} already has a run in progress`,
        {
          recoverable: true,
        },
      );
    }
    const channel = this.options.callHome.channel(existing.id);
    const fits =
      existing.profile === profile.name &&
      existing.profileVersion === profile.version &&
      existing.limitsKey === key;
    if (existing.state === 'idle' && fits && channel?.isConnected) {
      const now = this.options.clock.now();
      const busy = await this.options.registry.transition(existing.id, ['idle'], {
        state: 'busy',
        lastUsedAt: now,
      });
      if (busy) {
        try {
          await this.ping(channel);
          return { record: busy, channel, source: 'reuse' };
        } catch {
          await this.options.remover.remove(busy, 'unhealthy');
          return undefined;
        }
      }
    }
    // A profile or limits change, or a dead runner: replace it (its pre-remove hook saves the workspace).
    const reap = await this.options.remover.remove(existing, fits ? 'unhealthy' : 'replaced');
    if (reap?.deferred) {
      throw new AgentdError(
        'SANDBOX_START_FAILED',
        `cannot replace sandbox ${existing.id}: ${reap.hookError ?? 'pre-remove hook failed'}`,
        {
          recoverable: true,
        },
      );
    }
    return undefined;
  }

  /** Under the capacity lock: check caps, pick evictions, then take a warm sandbox or reserve a cold slot. */
  async #plan(
    request: AcquireRequest,
    profile: SandboxProfile,
    key: string,
    poolable: boolean,
  ): Promise<
    | { kind: 'pool'; record: SandboxRecord; victims: Victim[] }
    | { kind: 'cold'; record: SandboxRecord; victims: Victim[] }
  > {
    const { registry, capacity, nodeId } = this.options;
    const policy = this.options.policy();
    const victims: Victim[] = [];
    const tenantRecords = await capacity.tenantRecords(request.tenantId);
    if (tenantRecords.length >= policy.maxSandboxesPerTenant) {
      const victim = pickTenantVictim(tenantRecords, request.tenantId, nodeId);
      if (!victim || !(await this.#claimVictim(victim))) {
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
      const warm = await this.options.pool.take(profile.name, key, assignment);
      if (warm) return { kind: 'pool', record: warm, victims };
    }
    const nodeRecords = await capacity.nodeRecords();
    if (nodeRecords.length >= policy.maxSandboxesPerNode) {
      const victim = pickNodeVictim(nodeRecords, nodeId);
      if (!victim || !(await this.#claimVictim(victim))) {
        throw new CapacityError(
          'node',
          `node ${nodeId} runs ${nodeRecords.length} sandboxes (cap ${policy.maxSandboxesPerNode}) and none is idle`,
          CAPACITY_RETRY_AFTER_S,
        );
      }
      victims.push({ record: { ...victim, state: 'removing' }, reason: 'node_cap' });
    }
    const now = this.options.clock.now();
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

  async #claimVictim(victim: SandboxRecord): Promise<boolean> {
    const claimed = await this.options.registry.transition(victim.id, [victim.state], { state: 'removing' });
    if (claimed && victim.state === 'warm') this.options.pool.forget(victim.id);
    return claimed !== undefined;
  }

  #channel(record: SandboxRecord): SandboxChannel {
    const channel = this.options.callHome.channel(record.id);
    if (!channel)
      throw new AgentdError('SANDBOX_LOST', `sandbox ${record.id} has no call-home channel`, {
        recoverable: true,
      });
    return channel;
  }
}

interface Victim {
  record: SandboxRecord;
  reason: ReapReason;
}
