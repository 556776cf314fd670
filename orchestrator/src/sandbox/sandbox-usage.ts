import type { ContainerClient } from '../docker/container-client.js';
import type { CgroupReader, CgroupSample, WorkspaceFill } from '../docker/cgroup-reader.js';
import type { SandboxRecord } from './sandbox-record.js';

/** Which sandbox limit was reached. */
export type SandboxLimitKind = 'pids' | 'memory' | 'cpu' | 'workspace';

/** A sandbox's live resource use, read from the host. */
export interface SandboxUsage extends CgroupSample {
  workspace: WorkspaceFill | null;
}

/** One limit a sandbox reached, as recorded for operators (`GET /api/admin/sandboxes/{id}`). */
export interface SandboxLimitEvent {
  limit: SandboxLimitKind;
  message: string;
  runId: string;
  at: string;
}

export interface SandboxUsageReaderOptions {
  containers: ContainerClient;
  cgroups: CgroupReader;
  /** Limit events kept per sandbox (the newest). */
  eventsPerSandbox?: number;
}

/**
 * Reads what this node's sandboxes use (cgroup and /workspace, from the host) and remembers the limits they
 * reached. A container's init pid is looked up once per container.
 */
export class SandboxUsageReader {
  readonly #pids = new Map<string, number>();
  readonly #events = new Map<string, SandboxLimitEvent[]>();
  readonly #eventsPerSandbox: number;

  constructor(private readonly options: SandboxUsageReaderOptions) {
    this.#eventsPerSandbox = options.eventsPerSandbox ?? 50;
  }

  /** Undefined when the container is not (or no longer) there. */
  async read(record: Pick<SandboxRecord, 'containerId'>): Promise<SandboxUsage | undefined> {
    const { containerId } = record;
    if (!containerId) return undefined;
    const sample = await this.options.cgroups.read(containerId);
    if (!sample) {
      this.#pids.delete(containerId);
      return undefined;
    }
    const pid = await this.#pid(containerId);
    const workspace = pid ? ((await this.options.cgroups.workspace(pid)) ?? null) : null;
    return { ...sample, workspace };
  }

  recordLimit(sandboxId: string, event: SandboxLimitEvent): void {
    const list = this.#events.get(sandboxId) ?? [];
    list.push(event);
    if (list.length > this.#eventsPerSandbox) list.shift();
    this.#events.set(sandboxId, list);
  }

  limitEvents(sandboxId: string): readonly SandboxLimitEvent[] {
    return this.#events.get(sandboxId) ?? [];
  }

  /** How the container ended (for the reap record): OOM from the engine or the cgroup's counter, exit code. */
  async exitFacts(
    record: Pick<SandboxRecord, 'containerId'>,
  ): Promise<{ oomKilled: boolean | null; exitCode: number | null }> {
    const [inspection, sample] = await Promise.all([
      this.options.containers.inspect(record.containerId).catch(() => undefined),
      this.options.cgroups.read(record.containerId).catch(() => undefined),
    ]);
    const engineOom = inspection?.state.oomKilled;
    const cgroupOom = sample ? sample.oomKills > 0 : undefined;
    const oomKilled =
      engineOom === undefined && cgroupOom === undefined ? null : engineOom === true || cgroupOom === true;
    const exitCode = inspection && !inspection.state.running ? inspection.state.exitCode : null;
    return { oomKilled, exitCode };
  }

  /** Drops what is kept about sandboxes no longer on this node. */
  retain(liveSandboxIds: ReadonlySet<string>, liveContainerIds: ReadonlySet<string>): void {
    for (const id of this.#events.keys()) if (!liveSandboxIds.has(id)) this.#events.delete(id);
    for (const id of this.#pids.keys()) if (!liveContainerIds.has(id)) this.#pids.delete(id);
  }

  async #pid(containerId: string): Promise<number | undefined> {
    const known = this.#pids.get(containerId);
    if (known) return known;
    const inspection = await this.options.containers.inspect(containerId).catch(() => undefined);
    const pid = inspection?.state.running ? inspection.state.pid : 0;
    if (pid > 0) this.#pids.set(containerId, pid);
    return pid > 0 ? pid : undefined;
  }
}
