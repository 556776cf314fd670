import type { IdleProcesses as IdleMode } from '../config/lifecycle-policy.js';
import type { Logger } from '../common/logger.js';
import { sleep } from '../common/timers.js';
import type { CgroupProcess, CgroupReader } from '../docker/cgroup-reader.js';
import type { ContainerClient } from '../docker/container-client.js';

const PAUSE_ATTEMPTS = 3;

export interface IdleProcessesOptions {
  containers: Pick<ContainerClient, 'pause' | 'unpause'>;
  cgroup: Pick<CgroupReader, 'cpuUsageNs' | 'processes'>;
  logger: Logger;
  /** How long the CPU of a sandbox is watched after `kill` (about a second). */
  watchMs: number;
}

/**
 * What happens to the processes a run leaves behind (a fork bomb, a `setsid` loop, a server): they are frozen,
 * killed, or kept, so an idle sandbox burns no CPU nobody pays for.
 */
export class IdleProcesses {
  readonly #log: Logger;
  readonly #pending = new Map<string, Promise<void>>();

  constructor(private readonly options: IdleProcessesOptions) {
    this.#log = options.logger.child({ component: 'idle-processes' });
  }

  /** Applies `mode` to a sandbox whose run just ended; true when it is left frozen. */
  async settle(containerId: string, mode: IdleMode): Promise<boolean> {
    switch (mode) {
      case 'keep':
        return false;
      case 'freeze':
        try {
          await this.#pause(containerId);
          return true;
        } catch (err) {
          // Never leave a sandbox burning CPU because the freezer gave up: kill what the run left instead.
          this.#log.warn({ err, containerId: containerId.slice(0, 12) }, 'Freeze failed; killing strays');
          await this.killStrays(containerId);
          return false;
        }
      case 'kill':
        await this.killStrays(containerId);
        return false;
    }
  }

  /**
   * Settles in the background, so the run's end (and its conversation lock) is not held up by the freezer;
   * `commit` records the frozen state and says false when a claim took the sandbox meanwhile (then it thaws).
   */
  settleLater(containerId: string, mode: IdleMode, commit: () => Promise<boolean>): void {
    const op = (async () => {
      const froze = await this.settle(containerId, mode).catch((err: unknown) => {
        this.#log.warn(
          { err, containerId: containerId.slice(0, 12), mode },
          'Could not settle idle processes',
        );
        return false;
      });
      if (froze && !(await commit().catch(() => false))) await this.thaw(containerId).catch(() => undefined);
    })();
    this.#pending.set(containerId, op);
    void op.finally(() => {
      if (this.#pending.get(containerId) === op) this.#pending.delete(containerId);
    });
  }

  /** Resolves once a settle started by `settleLater` is done (at once when none is). */
  async settled(containerId: string): Promise<void> {
    await this.#pending.get(containerId);
  }

  /** The settle still running for the container, if any. */
  pending(containerId: string): Promise<void> | undefined {
    return this.#pending.get(containerId);
  }

  async thaw(containerId: string): Promise<void> {
    await this.options.containers.unpause(containerId);
  }

  /**
   * SIGKILLs every process but init and the runner, inside a freeze so that nothing forks meanwhile (the
   * signals land when the cgroup thaws). Returns how many were killed.
   */
  async killStrays(containerId: string): Promise<number> {
    const { containers, cgroup } = this.options;
    const frozen = await this.#pause(containerId).then(
      () => true,
      () => false,
    );
    let killed = 0;
    try {
      // Unfrozen, a fork bomb forks while it is swept: sweep until only init and the runner are left.
      for (let sweep = 0; sweep < (frozen ? 1 : 50); sweep++) {
        const targets = strays(await cgroup.processes(containerId));
        if (targets.length === 0) break;
        for (const proc of targets) {
          try {
            process.kill(proc.pid, 'SIGKILL');
            killed++;
          } catch {
            // exited meanwhile
          }
        }
      }
    } finally {
      if (frozen) await containers.unpause(containerId);
    }
    // The killed die as they thaw; the CPU watch must not bill their exits to the runner.
    for (let i = 0; i < 40 && killed > 0; i++) {
      if ((await cgroup.processes(containerId)).length <= 2) break;
      await sleep(25);
    }
    this.#log.debug({ containerId: containerId.slice(0, 12), killed }, 'Killed idle processes');
    return killed;
  }

  /** The freezer can fail to settle while a fork bomb forks (runc gives up): a second try usually holds. */
  async #pause(containerId: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.containers.pause(containerId);
        return;
      } catch (err) {
        if (attempt >= PAUSE_ATTEMPTS) throw err;
        this.#log.debug({ err, containerId: containerId.slice(0, 12), attempt }, 'Pause failed; retrying');
      }
    }
  }

  /** Cores the container used over the watch window; undefined when its cgroup cannot be read. */
  async cpuCores(containerId: string): Promise<number | undefined> {
    const { cgroup, watchMs } = this.options;
    const before = await cgroup.cpuUsageNs(containerId);
    const start = performance.now();
    await sleep(watchMs);
    const after = await cgroup.cpuUsageNs(containerId);
    if (before === undefined || after === undefined) return undefined;
    return (after - before) / 1e6 / (performance.now() - start);
  }
}

/**
 * Everything but the container's init and the runner: the runner is the oldest child of init (a process
 * that renames itself after the runner still started later).
 */
export function strays(procs: CgroupProcess[]): CgroupProcess[] {
  const init = procs.find((p) => p.nsPid === 1);
  if (!init) return procs;
  const runner = procs
    .filter((p) => p.ppid === init.pid)
    .reduce<CgroupProcess | undefined>((a, b) => (a && a.startTicks <= b.startTicks ? a : b), undefined);
  return procs.filter((p) => p !== init && p !== runner);
}
