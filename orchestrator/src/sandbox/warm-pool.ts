import type { Clock } from '../common/clock.js';
import { newSandboxId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import type { SandboxRegistry } from './sandbox-registry.js';
import type { Metrics } from '../metrics/metrics.js';
import type { NodeCapacity } from './node-capacity.js';
import { limitsKey, type SandboxProfile } from './profile.js';
import type { SandboxFactory } from './sandbox-factory.js';
import type { SandboxRecord } from './sandbox-record.js';

export interface WarmPoolOptions {
  nodeId: string;
  registry: SandboxRegistry;
  factory: SandboxFactory;
  capacity: NodeCapacity;
  profiles: () => ReadonlyMap<string, SandboxProfile>;
  poolSize: () => Readonly<Record<string, number>>;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

export interface PoolStatus {
  profile: string;
  limitsKey: string;
  target: number;
  ready: number;
  starting: number;
}

/**
 * Pre-started, unassigned sandboxes per profile (with the profile's own limits). A claim hands one out at
 * once; the pool refills in the background. Overrides of create-time limits bypass the pool.
 */
export class WarmPool {
  readonly #ready = new Map<string, string[]>();
  readonly #starting = new Map<string, number>();
  #refilling: Promise<void> | undefined;
  #refillSoon: Promise<void> | undefined;
  #stopped = false;
  readonly #log: Logger;

  constructor(private readonly options: WarmPoolOptions) {
    this.#log = options.logger.child({ component: 'warm-pool' });
  }

  static keyOf(profile: string, limits: string): string {
    return `${profile}@${limits}`;
  }

  /** Adds an existing warm sandbox (created by refill, or adopted by reconcile). */
  adopt(record: SandboxRecord): void {
    const key = WarmPool.keyOf(record.profile, record.limitsKey);
    const list = this.#ready.get(key) ?? [];
    if (!list.includes(record.id)) list.push(record.id);
    this.#ready.set(key, list);
  }

  forget(sandboxId: string): void {
    for (const list of this.#ready.values()) {
      const index = list.indexOf(sandboxId);
      if (index >= 0) list.splice(index, 1);
    }
  }

  /**
   * Takes a ready warm sandbox for (profile, limits) and assigns it (state busy), or returns undefined: a miss.
   * Cheap enough to run under the capacity lock; the caller health-checks what it got.
   */
  async take(
    profile: string,
    limits: string,
    assignment: { tenantId: string; conversationId: string },
  ): Promise<SandboxRecord | undefined> {
    const list = this.#ready.get(WarmPool.keyOf(profile, limits)) ?? [];
    for (let id = list.shift(); id !== undefined; id = list.shift()) {
      const now = this.options.clock.now();
      const claimed = await this.options.registry.transition(id, ['warm'], {
        state: 'busy',
        ...assignment,
        lastUsedAt: now,
      });
      if (!claimed) continue;
      this.options.metrics.poolClaims.inc({ profile, result: 'hit' });
      this.#refillAfterClaim();
      return claimed;
    }
    if ((this.options.poolSize()[profile] ?? 0) > 0) {
      this.options.metrics.poolClaims.inc({ profile, result: 'miss' });
      this.refillInBackground();
    }
    return undefined;
  }

  status(): PoolStatus[] {
    const out: PoolStatus[] = [];
    for (const [name, target] of Object.entries(this.options.poolSize())) {
      const profile = this.options.profiles().get(name);
      if (!profile) continue;
      const key = WarmPool.keyOf(name, limitsKey(profile.limits));
      out.push({
        profile: name,
        limitsKey: limitsKey(profile.limits),
        target,
        ready: this.#ready.get(key)?.length ?? 0,
        starting: this.#starting.get(key) ?? 0,
      });
    }
    return out;
  }

  /** Ids of ready warm sandboxes beyond each pool's target, oldest first (for the reaper). */
  surplus(): string[] {
    const out: string[] = [];
    const sizes = this.options.poolSize();
    for (const [key, list] of this.#ready) {
      const profile = key.slice(0, key.indexOf('@'));
      const limits = key.slice(key.indexOf('@') + 1);
      const current = this.options.profiles().get(profile);
      // Warm sandboxes made with limits the profile no longer has are all surplus.
      const target = current && limitsKey(current.limits) === limits ? (sizes[profile] ?? 0) : 0;
      out.push(...list.slice(0, Math.max(0, list.length - target)));
    }
    return out;
  }

  refillInBackground(): void {
    if (this.#stopped || this.#refilling) return;
    this.#refilling = this.refill()
      .catch((err: unknown) => this.#log.warn({ err }, 'Pool refill failed'))
      .finally(() => (this.#refilling = undefined));
  }

  /**
   * A refill's synchronous start (listing every sandbox of the node under the capacity lock, building the
   * create request) would run inside the claim that took the sandbox and grow it with the node's size: it
   * starts once that claim has returned.
   */
  #refillAfterClaim(): void {
    this.#refillSoon ??= new Promise<void>((resolve) =>
      setImmediate(() => {
        this.#refillSoon = undefined;
        this.refillInBackground();
        resolve();
      }),
    );
  }

  /** Starts sandboxes until every pool reaches its target or the node has no room; one at a time. */
  async refill(): Promise<void> {
    for (;;) {
      if (this.#stopped) return;
      const want = this.status().find((s) => s.ready + s.starting < s.target);
      if (!want) return;
      const profile = this.options.profiles().get(want.profile);
      if (!profile) return;
      const key = WarmPool.keyOf(profile.name, want.limitsKey);
      const now = this.options.clock.now();
      const record: SandboxRecord = {
        id: newSandboxId(),
        containerId: '',
        nodeId: this.options.nodeId,
        profile: profile.name,
        profileVersion: profile.version,
        limitsKey: want.limitsKey,
        state: 'starting',
        tenantId: null,
        conversationId: null,
        createdAt: now,
        lastUsedAt: now,
        workspaceVersion: null,
      };
      // The pool never evicts anything to make room for itself.
      if (!(await this.options.capacity.reserveIfRoom(record))) return;
      this.#starting.set(key, (this.#starting.get(key) ?? 0) + 1);
      try {
        const { containerId } = await this.options.factory.create({
          record,
          profile,
          limits: profile.limits,
        });
        const warm = await this.options.registry.transition(record.id, ['starting'], {
          state: 'warm',
          containerId,
        });
        if (warm) this.adopt(warm);
      } catch (err) {
        await this.options.registry.remove(record.id);
        this.#log.warn({ err, profile: profile.name }, 'Could not start a warm sandbox');
        return;
      } finally {
        this.#starting.set(key, (this.#starting.get(key) ?? 1) - 1);
      }
    }
  }

  /** Waits for any refill under way (tests and shutdown). */
  async settled(): Promise<void> {
    while (this.#refillSoon || this.#refilling) {
      await this.#refillSoon;
      await this.#refilling;
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.settled();
  }
}
