import { EventEmitter } from 'node:events';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { Clock } from '../common/clock.js';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { SandboxRegistry } from './sandbox-registry.js';
import type { ContainerClient } from '../docker/container-client.js';
import type { Metrics } from '../metrics/metrics.js';
import {
  DEFERRABLE_REASONS,
  FORCED_REASONS,
  NO_HOOK_REASONS,
  type ReapReason,
  type ReapRecord,
} from './reap-reason.js';
import type { SandboxRecord, SandboxState } from './sandbox-record.js';

const ALL_BUT_REMOVING: readonly SandboxState[] = ['starting', 'warm', 'idle', 'busy'];

/** Runs before a sandbox with an assignment is removed (the workspace sync-out hooks in here). */
export type PreRemoveHook = (record: SandboxRecord, reason: ReapReason) => Promise<void>;

export interface SandboxRemoverOptions {
  containers: ContainerClient;
  callHome: CallHomeServer;
  registry: SandboxRegistry;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** How many reap records to keep for operators (oldest dropped first). */
  historySize: number;
  /** Read just before the container goes: whether it was OOM-killed and how it exited. */
  exitFacts?: (record: SandboxRecord) => Promise<Pick<ReapRecord, 'oomKilled' | 'exitCode'>>;
}

/** Removes sandboxes: pre-remove hooks, then the container, its socket and its registry entry; records why. */
export class SandboxRemover extends EventEmitter<{ reaped: [ReapRecord] }> {
  readonly #hooks: PreRemoveHook[] = [];
  readonly #history: ReapRecord[] = [];
  /** Sandboxes being removed now: a second request for one (a forwarded removal and a reaper tick) is a no-op. */
  readonly #inFlight = new Set<string>();
  readonly #log: Logger;

  constructor(private readonly options: SandboxRemoverOptions) {
    super();
    this.#log = options.logger.child({ component: 'sandbox-remover' });
  }

  addPreRemoveHook(hook: PreRemoveHook): void {
    this.#hooks.push(hook);
  }

  /** Most recent first. */
  history(): ReapRecord[] {
    return [...this.#history].reverse();
  }

  /**
   * Removes `record` for `reason`, unless another actor changed its state first (then returns undefined).
   * `deferred: true` in the result means a hook failed for a reason that can wait: the sandbox was kept, with
   * its state restored, so nothing it holds is lost.
   */
  async remove(record: SandboxRecord, reason: ReapReason): Promise<ReapRecord | undefined> {
    if (this.#inFlight.has(record.id)) return undefined;
    this.#inFlight.add(record.id);
    try {
      return await this.#remove(record, reason);
    } finally {
      this.#inFlight.delete(record.id);
    }
  }

  async #remove(record: SandboxRecord, reason: ReapReason): Promise<ReapRecord | undefined> {
    const { registry, containers, callHome, clock } = this.options;
    const log = this.#log.child({
      sandboxId: record.id,
      tenantId: record.tenantId,
      conversationId: record.conversationId,
    });
    // A record already in `removing` was claimed by the caller (an eviction made under the capacity lock).
    let current = record;
    if (record.state !== 'removing') {
      const from = FORCED_REASONS.has(reason) ? ALL_BUT_REMOVING : [record.state];
      const claimed = await registry.transition(record.id, from, { state: 'removing' });
      if (!claimed && (await registry.get(record.id)) !== undefined) return undefined;
      current = claimed ?? record;
    }
    // A frozen runner cannot sync its workspace out, and a paused container is not worth a kill race.
    if (current.frozen === true && current.containerId !== '') {
      await containers.unpause(current.containerId).catch((err: unknown) => {
        log.warn({ err }, 'Could not thaw a frozen sandbox before removing it');
      });
    }
    let hookError: string | undefined;
    if (current.conversationId !== null && current.containerId !== '' && !NO_HOOK_REASONS.has(reason)) {
      for (const hook of this.#hooks) {
        try {
          await hook(current, reason);
        } catch (err) {
          hookError = errorMessage(err);
          log.warn({ err, reason }, 'Pre-remove hook failed');
          break;
        }
      }
    }
    const now = clock.now();
    const reap: ReapRecord = {
      sandboxId: current.id,
      containerId: current.containerId,
      reason,
      tenantId: current.tenantId,
      conversationId: current.conversationId,
      profile: current.profile,
      at: new Date(now).toISOString(),
      ageMs: now - current.createdAt,
      idleMs: now - current.lastUsedAt,
      deferred: false,
      ...(hookError === undefined ? {} : { hookError }),
    };
    if (hookError !== undefined && DEFERRABLE_REASONS.has(reason)) {
      // Thawed for the hook: it is kept unfrozen (the next claim or reap handles it as any idle sandbox).
      await registry.transition(current.id, ['removing'], {
        state: record.state === 'removing' ? 'idle' : record.state,
        frozen: false,
        removalReason: null,
      });
      reap.deferred = true;
      this.#record(reap);
      return reap;
    }
    if (current.containerId !== '' && this.options.exitFacts) {
      Object.assign(reap, await this.options.exitFacts(current).catch(() => ({})));
    }
    if (current.containerId !== '') await containers.remove(current.containerId);
    await callHome.close(current.id);
    await registry.remove(current.id);
    this.options.metrics.reaps.inc({ reason });
    log.info({ reason, ageMs: reap.ageMs, idleMs: reap.idleMs }, 'Sandbox removed');
    this.#record(reap);
    return reap;
  }

  #record(reap: ReapRecord): void {
    this.#history.push(reap);
    if (this.#history.length > this.options.historySize) this.#history.shift();
    this.emit('reaped', reap);
  }
}
