import type { Clock } from '../common/clock.js';
import { relayTurns, type EventLoopTurns } from '../common/event-loop-turns.js';
import type { Logger } from '../common/logger.js';
import type { SandboxLimitKind, SandboxUsage } from '../sandbox/sandbox-usage.js';

/** What a run used of its sandbox, stored with the run. */
export interface RunResourceUsage {
  cpuSeconds: number;
  peakMemoryBytes: number;
  peakPids: number;
}

/** A limit the run's sandbox reached (the `warning` event's details). */
export interface LimitReached {
  limit: SandboxLimitKind;
  message: string;
  current?: number;
  max?: number;
}

export interface RunResourceWatchOptions {
  read: () => Promise<SandboxUsage | undefined>;
  /** Called once per limit per run. */
  onLimit: (reached: LimitReached) => Promise<void>;
  /** Called once when the pids limit stayed saturated longer than `pidsSaturationMs`. */
  onPidsSaturated: (message: string) => void;
  intervalMs: number;
  pidsSaturationMs: number;
  /** A workspace this full (a fraction of its size) counts as reaching its limit. */
  workspaceFullRatio?: number;
  clock: Clock;
  logger: Logger;
  /** The event loop's turns, which the interval's readings take with the relay (tests pass their own). */
  turns?: EventLoopTurns;
}

/**
 * Watches a run's sandbox from the host while the run goes on: every interval (and before each tool result is
 * relayed) it reads the cgroup and the workspace fill, reports each limit reached once, tracks the peaks, and
 * tells when a fork bomb kept the pids limit saturated for too long.
 */
export class RunResourceWatch {
  readonly #reported = new Set<SandboxLimitKind>();
  #base: SandboxUsage | undefined;
  #last: SandboxUsage | undefined;
  #peakMemory = 0;
  #peakPids = 0;
  #saturatedSince: number | undefined;
  #ended = false;
  #stopping = false;
  #timer: NodeJS.Timeout | undefined;
  #pending: Promise<void> = Promise.resolve();

  constructor(private readonly options: RunResourceWatchOptions) {}

  /** Takes the baseline (counters are compared with it) and starts the interval. */
  async start(): Promise<void> {
    if (this.#stopping) return;
    this.#base = await this.options.read().catch(() => undefined);
    if (this.#base) this.#observe(this.#base);
    // The run may have ended while the baseline was read (or before its sandbox was ready).
    if (this.#stopRequested()) return;
    this.#timer = setInterval(() => void this.#checkInTurn(), this.options.intervalMs);
    this.#timer.unref();
  }

  /** One reading now; readings never overlap. */
  check(): Promise<void> {
    this.#pending = this.#pending
      .then(() => this.#tick())
      .catch((err: unknown) => {
        this.options.logger.warn({ err }, 'Could not read the sandbox’s resource use');
      });
    return this.#pending;
  }

  /**
   * The interval's reading takes a turn with the relay: runs started together read together, and 50 sandboxes'
   * cgroup files read in one timers phase held the event loop for about 15 ms.
   */
  async #checkInTurn(): Promise<void> {
    await (this.options.turns ?? relayTurns).turn();
    await this.check();
  }

  /** Stops watching after one last reading; returns what the run used (undefined when nothing was read). */
  async stop(): Promise<RunResourceUsage | undefined> {
    this.#stopping = true;
    clearInterval(this.#timer);
    await this.check();
    this.#ended = true;
    const base = this.#base;
    const last = this.#last;
    if (!base || !last) return undefined;
    return {
      cpuSeconds: Math.max(0, last.cpuSeconds - base.cpuSeconds),
      peakMemoryBytes: this.#peakMemory,
      peakPids: this.#peakPids,
    };
  }

  #stopRequested(): boolean {
    return this.#stopping;
  }

  async #tick(): Promise<void> {
    if (this.#ended) return;
    const usage = await this.options.read();
    if (!usage) return;
    const previous = this.#last;
    this.#observe(usage);
    const base = this.#base ?? usage;
    this.#base ??= usage;
    const killed = usage.oomKills - base.oomKills;
    if (killed > 0) {
      await this.#report({
        limit: 'memory',
        message: `the OOM killer killed ${killed} process${killed === 1 ? '' : 'es'} in the sandbox (memory limit ${formatBytes(usage.memoryLimitBytes)})`,
        current: usage.memoryBytes,
        ...(usage.memoryLimitBytes !== null ? { max: usage.memoryLimitBytes } : {}),
      });
    }
    const refusedNow = usage.pidsRefused - (previous ?? base).pidsRefused;
    const atPidsLimit = usage.pidsLimit !== null && usage.pids >= usage.pidsLimit;
    if (refusedNow > 0 || atPidsLimit) {
      await this.#report({
        limit: 'pids',
        message: `the sandbox reached its limit of ${usage.pidsLimit ?? '?'} processes (new processes are refused)`,
        current: usage.pids,
        ...(usage.pidsLimit !== null ? { max: usage.pidsLimit } : {}),
      });
      const now = this.options.clock.now();
      this.#saturatedSince ??= now;
      if (now - this.#saturatedSince >= this.options.pidsSaturationMs) {
        this.#saturatedSince = Number.POSITIVE_INFINITY;
        this.options.onPidsSaturated(
          `the sandbox stayed at its limit of ${usage.pidsLimit ?? '?'} processes for ${this.options.pidsSaturationMs} ms`,
        );
      }
    } else if (this.#saturatedSince !== Number.POSITIVE_INFINITY) {
      this.#saturatedSince = undefined;
    }
    if (usage.throttledPeriods > base.throttledPeriods) {
      await this.#report({
        limit: 'cpu',
        message: 'the sandbox used all of its CPU limit and was throttled',
        current: usage.throttledPeriods - base.throttledPeriods,
      });
    }
    const ws = usage.workspace;
    const full = this.options.workspaceFullRatio ?? 0.95;
    if (ws && ws.sizeBytes > 0 && ws.usedBytes >= ws.sizeBytes * full) {
      await this.#report({
        limit: 'workspace',
        message: `/workspace is full (${formatBytes(ws.usedBytes)} of ${formatBytes(ws.sizeBytes)})`,
        current: ws.usedBytes,
        max: ws.sizeBytes,
      });
    }
  }

  #observe(usage: SandboxUsage): void {
    this.#last = usage;
    this.#peakMemory = Math.max(this.#peakMemory, usage.memoryBytes);
    // The kernel's own high-water mark catches spikes between readings, but only if it rose during the run.
    const basePeak = this.#base?.memoryPeakBytes ?? null;
    if (usage.memoryPeakBytes !== null && basePeak !== null && usage.memoryPeakBytes > basePeak)
      this.#peakMemory = Math.max(this.#peakMemory, usage.memoryPeakBytes);
    this.#peakPids = Math.max(this.#peakPids, usage.pids);
  }

  async #report(reached: LimitReached): Promise<void> {
    if (this.#reported.has(reached.limit)) return;
    this.#reported.add(reached.limit);
    await this.options.onLimit(reached);
  }
}

function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'none';
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${bytes} bytes`;
}
