import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { PeriodicTask, sleep } from '../common/timers.js';
import type { EventClient } from '../docker/event-client.js';
import { LABELS } from '../docker/labels.js';
import type { LifecyclePolicy } from '../config/lifecycle-policy.js';
import type { Reaper } from './reaper.js';
import type { Reconciler } from './reconciler.js';
import type { SandboxManager } from './sandbox-manager.js';
import type { WarmPool } from './warm-pool.js';

export interface SandboxSupervisorOptions {
  nodeId: string;
  events: EventClient;
  manager: SandboxManager;
  pool: WarmPool;
  reaper: Reaper;
  reconciler: Reconciler;
  policy: () => LifecyclePolicy;
  reconcileIntervalMs: number;
  logger: Logger;
}

/** Runs the background side of the sandbox lifecycle: reconcile, reaper ticks, pool refill, engine events. */
export class SandboxSupervisor {
  readonly #log: Logger;
  readonly #reapTask: PeriodicTask;
  readonly #reconcileTask: PeriodicTask;
  #stopEvents: (() => void) | undefined;
  #stopped = false;

  constructor(private readonly options: SandboxSupervisorOptions) {
    this.#log = options.logger.child({ component: 'sandbox-supervisor' });
    const onError = (err: unknown): void => this.#log.error({ err }, 'Background task failed');
    this.#reapTask = new PeriodicTask(
      () => options.policy().reapIntervalMs,
      async () => {
        await options.reaper.reapOnce();
      },
      onError,
    );
    this.#reconcileTask = new PeriodicTask(
      options.reconcileIntervalMs,
      async () => {
        await options.reconciler.reconcile();
      },
      onError,
    );
  }

  /** Reconciles first (adopt or remove what a previous process left), then starts the loops and fills the pool. */
  async start(): Promise<void> {
    await this.options.reconciler.reconcile({ startup: true });
    await this.#watch();
    this.#reapTask.start();
    this.#reconcileTask.start();
    this.options.pool.refillInBackground();
  }

  /**
   * Follows the engine's container events. When the stream breaks (the engine restarted), it reconnects with
   * back-off and reconciles, since `die` events may have been missed meanwhile.
   */
  async #watch(): Promise<void> {
    this.#stopEvents = await this.options.events.watch(
      (event) => {
        if (event.labels[LABELS.node] !== this.options.nodeId) return;
        // Only `die` means the container is gone: `oom` fires when any process inside is OOM-killed.
        if (event.action !== 'die') return;
        const sandboxId = event.labels[LABELS.sandboxId];
        if (sandboxId) {
          this.options.manager
            .markLost(sandboxId)
            .catch((err: unknown) => this.#log.warn({ err, sandboxId }, 'markLost failed'));
        }
      },
      () => {
        if (this.#stopped) return;
        this.#log.warn('Docker events stream ended; reconnecting');
        void this.#reconnect(500);
      },
    );
  }

  async #reconnect(delayMs: number): Promise<void> {
    await sleep(delayMs);
    if (this.#stopped) return;
    try {
      await this.#watch();
      await this.options.reconciler.reconcile();
    } catch (err) {
      this.#log.warn({ reason: errorMessage(err) }, 'Docker engine still unavailable');
      void this.#reconnect(Math.min(delayMs * 2, 10_000));
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopEvents?.();
    await Promise.all([this.#reapTask.stop(), this.#reconcileTask.stop(), this.options.pool.stop()]);
  }
}
