import { EventEmitter } from 'node:events';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { SandboxChannel } from '../callhome/sandbox-channel.js';
import type { Clock } from '../common/clock.js';
import { AgentdError, errorMessage, NotFoundError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { SingleFlight } from '../common/mutex.js';
import { resolveProfile } from './resolve-profile.js';
import { retry } from '../common/retry.js';
import type { SandboxRegistry } from './sandbox-registry.js';
import type { Metrics } from '../metrics/metrics.js';
import type { LifecyclePolicy } from '../config/lifecycle-policy.js';
import type { NodeCapacity } from './node-capacity.js';
import { planSlot } from './plan-slot.js';
import { limitsKey, type SandboxLimits, type SandboxLimitsOverride, type SandboxProfile } from './profile.js';
import type { ReapReason, ReapRecord } from './reap-reason.js';
import type { SandboxFactory } from './sandbox-factory.js';
import { conversationKey, type SandboxRecord } from './sandbox-record.js';
import type { SandboxRemover } from './sandbox-remover.js';
import type { WarmPool } from './warm-pool.js';
import type { IdleProcesses } from './idle-processes.js';
import type { AcquireRequest, SandboxClaim, SandboxLease } from './sandbox-lease.js';

/** A reserved slot for a new container (its record is in state `starting`). */
interface ColdPlan {
  record: SandboxRecord;
}

export interface SandboxManagerOptions {
  nodeId: string;
  registry: SandboxRegistry;
  callHome: CallHomeServer;
  factory: SandboxFactory;
  remover: SandboxRemover;
  pool: WarmPool;
  idle: IdleProcesses;
  capacity: NodeCapacity;
  profiles: () => ReadonlyMap<string, SandboxProfile>;
  defaultProfile: string;
  policy: () => LifecyclePolicy;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  healthCheckTimeoutMs: number;
  /**
   * A warm runner that holds its long-poll and was last seen within this window is handed out without a ping
   * (the runner renews its poll at least once per poll timeout, so this is the poll timeout plus slack).
   */
  livenessWindowMs: number;
  /** Asks the node that owns a sandbox claimed here for removal (an eviction under the fleet-wide tenant cap). */
  forwardRemoval: (sandboxId: string) => Promise<void>;
}

const MAX_ATTEMPTS = 3;

/** A warm sandbox failed its health check: always worth another attempt (it was the pool's loss). */
class DeadWarmSandbox extends Error {
  constructor(override readonly cause: unknown) {
    super('warm sandbox failed its health check');
  }
}

/** One container per conversation: reuse it, else claim a warm one, else create one — within the caps. */
export class SandboxManager extends EventEmitter<{ lost: [SandboxRecord] }> {
  readonly #claiming = new SingleFlight<SandboxClaim>();
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

  /** Hands a sandbox for the conversation to one run (state busy): `claim`, then wait until it is ready. */
  async acquire(request: AcquireRequest): Promise<SandboxLease> {
    return (await this.claim(request)).ready;
  }

  /**
   * Decides where the conversation's sandbox comes from (reuse, the warm pool, or a new container) within the
   * caps, and holds it: refusals (busy, capacity) come from here. A new container is started in `ready`, so
   * the caller can tell its client at once while it boots. Concurrent claims for one conversation share a
   * result.
   */
  claim(request: AcquireRequest): Promise<SandboxClaim> {
    const key = conversationKey(request.tenantId, request.conversationId);
    return this.#claiming.run(key, async () => {
      const started = performance.now();
      const found = await this.#claim(request, MAX_ATTEMPTS);
      const mode = request.idleProcesses;
      const claim =
        mode === undefined
          ? found
          : { ...found, ready: found.ready.then((lease) => ({ ...lease, idleProcesses: mode })) };
      claim.ready.catch(() => undefined);
      void claim.ready.then(
        (lease) =>
          this.options.metrics.allocationSeconds.observe(
            { source: lease.source },
            (performance.now() - started) / 1000,
          ),
        () => undefined,
      );
      return claim;
    });
  }

  /**
   * Returns a sandbox after a run: it stays assigned to its conversation, idle, until reused or reaped. What
   * the run left running is frozen, killed or kept first (`idleProcesses`), before any claim can see it idle.
   */
  async release(lease: SandboxLease, patch: { workspaceVersion?: number | null } = {}): Promise<void> {
    const { registry, policy, idle } = this.options;
    const sandboxId = lease.record.id;
    const containerId = lease.record.containerId;
    const mode = lease.idleProcesses ?? policy().idleProcesses;
    const updated = await registry.transition(sandboxId, ['busy'], {
      state: 'idle',
      lastUsedAt: this.options.clock.now(),
      frozen: false,
      ...patch,
    });
    if (!updated) {
      this.#log.debug({ sandboxId }, 'Released a sandbox that is no longer busy');
      return;
    }
    // A claim of this conversation waits for it (`#reuse`); claims only reuse sandboxes of their own node.
    idle.settleLater(containerId, mode, async () => {
      return (await registry.transition(sandboxId, ['idle'], { frozen: true })) !== undefined;
    });
    if (mode === 'kill') void idle.settled(containerId).then(() => this.#watchIdleCpu(updated));
  }

  /** After `kill`, agent code may still live inside the runner itself: a sandbox that keeps burning CPU goes. */
  async #watchIdleCpu(record: SandboxRecord): Promise<void> {
    try {
      const cores = await this.options.idle.cpuCores(record.containerId);
      const limit = this.options.policy().idleCpuLimit;
      if (cores === undefined || cores < limit) return;
      this.#log.warn({ sandboxId: record.id, cores, limit }, 'Idle sandbox still burns CPU; recycling it');
      await this.options.remover.remove(record, 'idle_cpu');
    } catch (err) {
      this.#log.warn({ err, sandboxId: record.id }, 'Idle CPU watch failed');
    }
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

  async #claim(request: AcquireRequest, attempts: number): Promise<SandboxClaim> {
    const { profile, limits } = this.resolve(request.profile, request.limits);
    const key = limitsKey(limits);
    const poolable = request.limits === undefined || key === limitsKey(profile.limits);
    let held: SandboxLease | ColdPlan;
    try {
      held = await retry(() => this.#claimOnce(request, profile, key, poolable), {
        retries: attempts - 1,
        minDelayMs: 0,
        maxDelayMs: 0,
        retryOn: (err) => err instanceof DeadWarmSandbox || (err instanceof AgentdError && err.recoverable),
      });
    } catch (err) {
      throw err instanceof DeadWarmSandbox ? err.cause : err;
    }
    if ('channel' in held) return { source: held.source, record: held.record, ready: Promise.resolve(held) };
    const ready = this.#start(held.record, profile, limits).catch(async (err: unknown) => {
      // A container that failed to start is worth another attempt when the failure says so.
      if (attempts <= 1 || !(err instanceof AgentdError && err.recoverable)) throw err;
      this.#log.warn(
        { sandboxId: held.record.id, reason: errorMessage(err) },
        'Sandbox start failed; retrying',
      );
      return (await this.#claim(request, attempts - 1)).ready;
    });
    // The claimant may fail before it awaits `ready` (it then gives the lease back through it).
    ready.catch(() => undefined);
    return { source: 'cold', record: held.record, ready };
  }

  /** Starts the container of a reserved cold slot and marks it busy; the slot goes if it cannot start. */
  async #start(
    planned: SandboxRecord,
    profile: SandboxProfile,
    limits: SandboxLimits,
  ): Promise<SandboxLease> {
    try {
      const { containerId, channel } = await this.options.factory.create({
        record: planned,
        profile,
        limits,
      });
      const record = await this.options.registry.transition(planned.id, ['starting'], {
        state: 'busy',
        containerId,
      });
      if (!record) throw new AgentdError('SANDBOX_LOST', `sandbox ${planned.id} was removed while starting`);
      return { record, channel, source: 'cold' };
    } catch (err) {
      await this.options.registry.remove(planned.id);
      throw err;
    }
  }

  async #claimOnce(
    request: AcquireRequest,
    profile: SandboxProfile,
    key: string,
    poolable: boolean,
  ): Promise<SandboxLease | ColdPlan> {
    const reused = await this.#reuse(request, profile, key);
    if (reused) return reused;
    const plan = await this.options.capacity.exclusive(() =>
      planSlot(this.options, request, profile, key, poolable),
    );
    for (const victim of plan.victims) {
      const removal =
        victim.record.nodeId === this.options.nodeId
          ? this.options.remover.remove(victim.record, victim.reason)
          : this.options.forwardRemoval(victim.record.id);
      await removal.catch((err: unknown) => {
        this.#log.warn({ err, sandboxId: victim.record.id, node: victim.record.nodeId }, 'Eviction failed');
      });
    }
    if (plan.kind === 'cold') return { record: plan.record };
    const channel = this.#channel(plan.record);
    // A warm sandbox runs no agent code, so what ends one is its process dying, which closes its poll: a live,
    // recently renewed poll proves as much as a ping's round trip, which was most of a claim's latency.
    if (this.#alive(channel)) return { record: plan.record, channel, source: 'pool' };
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
      // A freeze or kill still settling from the last run's end goes first; it may have frozen the sandbox.
      const settling = this.options.idle.pending(existing.containerId);
      if (settling) {
        await settling;
        existing.frozen = (await this.options.registry.get(existing.id))?.frozen;
      }
      // The thaw runs while the registry is updated: reuse costs at most one unpause more than unfrozen.
      const thawing = existing.frozen === true ? this.options.idle.thaw(existing.containerId) : undefined;
      thawing?.catch(() => undefined);
      const now = this.options.clock.now();
      const busy = await this.options.registry.transition(existing.id, ['idle'], {
        state: 'busy',
        lastUsedAt: now,
        frozen: false,
      });
      if (busy) {
        try {
          await thawing;
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

  #alive(channel: SandboxChannel): boolean {
    return channel.holdsPoll && Date.now() - channel.lastSeenAt <= this.options.livenessWindowMs;
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
