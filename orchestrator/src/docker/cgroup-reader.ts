import { readFile, stat, statfs } from 'node:fs/promises';
import path from 'node:path';

/** One reading of a sandbox's cgroup, taken on the host (never from inside the sandbox). */
export interface CgroupSample {
  /** CPU time used since the container started. */
  cpuSeconds: number;
  memoryBytes: number;
  /** The highest memory use the kernel recorded (v1 max_usage_in_bytes, v2 memory.peak); null when absent. */
  memoryPeakBytes: number | null;
  /** Null when unlimited. */
  memoryLimitBytes: number | null;
  /** Processes the OOM killer killed in this cgroup. */
  oomKills: number;
  pids: number;
  /** Null when unlimited. */
  pidsLimit: number | null;
  /** Forks refused because the pids limit was reached. */
  pidsRefused: number;
  /** CPU periods in which the quota ran out. */
  throttledPeriods: number;
}

/** One process of a container, as the host sees it. */
export interface CgroupProcess {
  /** Host pid. */
  pid: number;
  /** Pid inside the container's pid namespace (1 = its init). */
  nsPid: number;
  ppid: number;
  /** Clock ticks since boot when it started: a process cannot make itself older than it is. */
  startTicks: number;
}

export interface WorkspaceFill {
  usedBytes: number;
  sizeBytes: number;
}

export type CgroupVersion = 1 | 2;

export interface CgroupReaderOptions {
  /** The cgroup file system root (tests pass a fake one). */
  root?: string;
  /** /proc on the host, to reach a container's mounts through its init process. */
  procRoot?: string;
  /** Docker's cgroup parent (`--cgroup-parent`); with the systemd driver containers sit in `system.slice`. */
  parent?: string;
}

/**
 * Reads a container's resource use from the host's cgroup files: cgroup v1 (one hierarchy per controller) or
 * v2 (one unified tree), detected by `cgroup.controllers` at the root. The path is found from the container
 * id: `<parent>/<id>` (cgroupfs driver) or `system.slice/docker-<id>.scope` (systemd driver).
 */
export class CgroupReader {
  readonly #root: string;
  readonly #procRoot: string;
  readonly #parent: string;
  #version: Promise<CgroupVersion> | undefined;

  constructor(options: CgroupReaderOptions = {}) {
    this.#root = options.root ?? '/sys/fs/cgroup';
    this.#procRoot = options.procRoot ?? '/proc';
    this.#parent = options.parent ?? 'docker';
  }

  version(): Promise<CgroupVersion> {
    this.#version ??= exists(path.join(this.#root, 'cgroup.controllers')).then((v2) => (v2 ? 2 : 1));
    return this.#version;
  }

  /** The container's current sample; undefined when its cgroup is gone (the container stopped). */
  async read(containerId: string): Promise<CgroupSample | undefined> {
    if (!/^[0-9a-f]{12,64}$/.test(containerId)) return undefined;
    return (await this.version()) === 2 ? this.#readV2(containerId) : this.#readV1(containerId);
  }

  /** CPU time the container's processes used so far, in nanoseconds; undefined when no cgroup is found. */
  async cpuUsageNs(containerId: string): Promise<number | undefined> {
    if (!/^[0-9a-f]{12,64}$/.test(containerId)) return undefined;
    if ((await this.version()) === 2) {
      const dir = await this.#dirV2(containerId);
      const usec = dir ? (await readKeyed(dir, 'cpu.stat'))?.get('usage_usec') : undefined;
      return usec === undefined ? undefined : usec * 1000;
    }
    const dir =
      (await this.#dirV1('cpuacct', containerId)) ?? (await this.#dirV1('cpu,cpuacct', containerId));
    return dir ? readNumber(dir, 'cpuacct.usage') : undefined;
  }

  /** Every process of the container with its pid inside and its parent; [] when no cgroup is found. */
  async processes(containerId: string): Promise<CgroupProcess[]> {
    if (!/^[0-9a-f]{12,64}$/.test(containerId)) return [];
    const dir =
      (await this.version()) === 2 ? await this.#dirV2(containerId) : await this.#dirV1('pids', containerId);
    const text = dir ? await readText(dir, 'cgroup.procs') : undefined;
    if (text === undefined) return [];
    const pids = text.split('\n').filter(Boolean).map(Number);
    const procs = await Promise.all(pids.map((pid) => this.#process(pid)));
    return procs.filter((p): p is CgroupProcess => p !== undefined);
  }

  /** How full the container's /workspace is, through its init process's root (a tmpfs: statfs). */
  async workspace(pid: number, mountPoint = '/workspace'): Promise<WorkspaceFill | undefined> {
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    try {
      const fs = await statfs(path.join(this.#procRoot, String(pid), 'root', mountPoint));
      return { usedBytes: (fs.blocks - fs.bfree) * fs.bsize, sizeBytes: fs.blocks * fs.bsize };
    } catch {
      return undefined;
    }
  }

  async #dirV1(controller: string, id: string): Promise<string | undefined> {
    for (const dir of [
      path.join(this.#root, controller, this.#parent, id),
      path.join(this.#root, controller, 'system.slice', `docker-${id}.scope`),
    ]) {
      if (await exists(dir)) return dir;
    }
    return undefined;
  }

  async #readV1(id: string): Promise<CgroupSample | undefined> {
    const [memory, pids, cpuacct, cpu] = await Promise.all(
      ['memory', 'pids', 'cpuacct', 'cpu'].map((c) => this.#dirV1(c, id)),
    );
    if (!memory || !pids) return undefined;
    const [usage, peak, limit, oom, current, max, events, cpuNs, cpuStat] = await Promise.all([
      readNumber(memory, 'memory.usage_in_bytes'),
      readNumber(memory, 'memory.max_usage_in_bytes'),
      readNumber(memory, 'memory.limit_in_bytes'),
      readKeyed(memory, 'memory.oom_control'),
      readNumber(pids, 'pids.current'),
      readNumber(pids, 'pids.max'),
      readKeyed(pids, 'pids.events'),
      cpuacct ? readNumber(cpuacct, 'cpuacct.usage') : undefined,
      cpu ? readKeyed(cpu, 'cpu.stat') : undefined,
    ]);
    if (usage === undefined || current === undefined) return undefined;
    return {
      cpuSeconds: (cpuNs ?? 0) / 1e9,
      memoryBytes: usage,
      memoryPeakBytes: peak ?? null,
      // v1 reports "no limit" as a huge page-aligned number.
      memoryLimitBytes: limit === undefined || limit >= 2 ** 62 ? null : limit,
      oomKills: oom?.get('oom_kill') ?? 0,
      pids: current,
      pidsLimit: max ?? null,
      pidsRefused: events?.get('max') ?? 0,
      throttledPeriods: cpuStat?.get('nr_throttled') ?? 0,
    };
  }

  async #dirV2(id: string): Promise<string | undefined> {
    for (const candidate of [
      path.join(this.#root, 'system.slice', `docker-${id}.scope`),
      path.join(this.#root, this.#parent, id),
    ]) {
      if (await exists(candidate)) return candidate;
    }
    return undefined;
  }

  async #process(pid: number): Promise<CgroupProcess | undefined> {
    try {
      const [stat, status] = await Promise.all([
        readFile(path.join(this.#procRoot, String(pid), 'stat'), 'utf8'),
        readFile(path.join(this.#procRoot, String(pid), 'status'), 'utf8'),
      ]);
      // The command name is in parentheses and may hold anything: fields count from the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const nsPids = /^NSpid:\s*(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
      return {
        pid,
        nsPid: Number(nsPids[nsPids.length - 1] ?? pid),
        ppid: Number(fields[1]),
        startTicks: Number(fields[19]),
      };
    } catch {
      return undefined; // exited meanwhile
    }
  }

  async #readV2(id: string): Promise<CgroupSample | undefined> {
    const dir = await this.#dirV2(id);
    if (!dir) return undefined;
    const [usage, peak, limit, memEvents, current, max, pidEvents, cpuStat] = await Promise.all([
      readNumber(dir, 'memory.current'),
      readNumber(dir, 'memory.peak'),
      readNumber(dir, 'memory.max'),
      readKeyed(dir, 'memory.events'),
      readNumber(dir, 'pids.current'),
      readNumber(dir, 'pids.max'),
      readKeyed(dir, 'pids.events'),
      readKeyed(dir, 'cpu.stat'),
    ]);
    if (usage === undefined || current === undefined) return undefined;
    return {
      cpuSeconds: (cpuStat?.get('usage_usec') ?? 0) / 1e6,
      memoryBytes: usage,
      memoryPeakBytes: peak ?? null,
      memoryLimitBytes: limit ?? null,
      oomKills: memEvents?.get('oom_kill') ?? 0,
      pids: current,
      pidsLimit: max ?? null,
      pidsRefused: pidEvents?.get('max') ?? 0,
      throttledPeriods: cpuStat?.get('nr_throttled') ?? 0,
    };
  }
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function readText(dir: string, file: string): Promise<string | undefined> {
  return readFile(path.join(dir, file), 'utf8').catch(() => undefined);
}

/** A one-number file; `max` (unlimited) and unreadable files read as undefined. */
async function readNumber(dir: string, file: string): Promise<number | undefined> {
  const text = (await readText(dir, file))?.trim();
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

/** A `key value` per line file (memory.oom_control, pids.events, cpu.stat). */
async function readKeyed(dir: string, file: string): Promise<Map<string, number> | undefined> {
  const text = await readText(dir, file);
  if (text === undefined) return undefined;
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value && /^\d+$/.test(value)) values.set(key, Number(value));
  }
  return values;
}
