import { readFileSync, statfsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
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
 *
 * Every running run reads its sandbox this way each second, so a reading must stay cheap as runs multiply: a
 * container's cgroup directories are looked up once (and forgotten when a reading finds them gone), and the
 * files, which the kernel generates from memory, are read synchronously. Each async read took four thread-pool
 * round trips and their callbacks on the event loop; with 50 runs that was a sizeable share of the daemon
 * thread's time.
 */
export class CgroupReader {
  readonly #root: string;
  readonly #procRoot: string;
  readonly #parent: string;
  #version: Promise<CgroupVersion> | undefined;
  /** Found cgroup directories, by controller (v1; '' for v2) and container id. */
  readonly #dirs = new Map<string, string>();

  constructor(options: CgroupReaderOptions = {}) {
    this.#root = options.root ?? '/sys/fs/cgroup';
    this.#procRoot = options.procRoot ?? '/proc';
    this.#parent = options.parent ?? 'docker';
  }

  version(): Promise<CgroupVersion> {
    this.#version ??= Promise.resolve(exists(path.join(this.#root, 'cgroup.controllers')) ? 2 : 1);
    return this.#version;
  }

  /** The container's current sample; undefined when its cgroup is gone (the container stopped). */
  async read(containerId: string): Promise<CgroupSample | undefined> {
    if (!/^[0-9a-f]{12,64}$/.test(containerId)) return undefined;
    const sample = (await this.version()) === 2 ? this.#readV2(containerId) : this.#readV1(containerId);
    // Gone (or never there): its directories may come back under another driver's path, or never.
    if (!sample) this.#forget(containerId);
    return sample;
  }

  /** CPU time the container's processes used so far, in nanoseconds; undefined when no cgroup is found. */
  async cpuUsageNs(containerId: string): Promise<number | undefined> {
    if (!/^[0-9a-f]{12,64}$/.test(containerId)) return undefined;
    if ((await this.version()) === 2) {
      const dir = this.#dirV2(containerId);
      const usec = dir ? readKeyed(dir, 'cpu.stat')?.get('usage_usec') : undefined;
      return usec === undefined ? undefined : usec * 1000;
    }
    const dir = this.#dirV1('cpuacct', containerId) ?? this.#dirV1('cpu,cpuacct', containerId);
    return dir ? readNumber(dir, 'cpuacct.usage') : undefined;
  }

  /** Every process of the container with its pid inside and its parent; [] when no cgroup is found. */
  async processes(containerId: string): Promise<CgroupProcess[]> {
    if (!/^[0-9a-f]{12,64}$/.test(containerId)) return [];
    const dir = (await this.version()) === 2 ? this.#dirV2(containerId) : this.#dirV1('pids', containerId);
    const text = dir ? readText(dir, 'cgroup.procs') : undefined;
    if (text === undefined) return [];
    const pids = text.split('\n').filter(Boolean).map(Number);
    const procs = await Promise.all(pids.map((pid) => this.#process(pid)));
    return procs.filter((p): p is CgroupProcess => p !== undefined);
  }

  /**
   * How full the container's /workspace is, through its init process's root (a tmpfs: statfs). Synchronous,
   * like the cgroup files: an async statfs cost the event loop 23-34 µs a call, a sync one 5-11.
   */
  async workspace(pid: number, mountPoint = '/workspace'): Promise<WorkspaceFill | undefined> {
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    try {
      const fs = statfsSync(path.join(this.#procRoot, String(pid), 'root', mountPoint));
      return { usedBytes: (fs.blocks - fs.bfree) * fs.bsize, sizeBytes: fs.blocks * fs.bsize };
    } catch {
      return undefined;
    }
  }

  /** The first of `candidates` that exists, remembered under `key` once found. */
  #dir(key: string, candidates: readonly string[]): string | undefined {
    const known = this.#dirs.get(key);
    if (known !== undefined) return known;
    const found = candidates.find(exists);
    if (found !== undefined) {
      // Bounded: a removed container's entries go when a reading misses, but not every container is read again.
      if (this.#dirs.size >= MAX_KNOWN_DIRS) this.#dirs.delete(this.#dirs.keys().next().value ?? '');
      this.#dirs.set(key, found);
    }
    return found;
  }

  #forget(id: string): void {
    for (const controller of ['', ...V1_CONTROLLERS]) this.#dirs.delete(`${controller}/${id}`);
  }

  #dirV1(controller: string, id: string): string | undefined {
    return this.#dir(`${controller}/${id}`, [
      path.join(this.#root, controller, this.#parent, id),
      path.join(this.#root, controller, 'system.slice', `docker-${id}.scope`),
    ]);
  }

  #readV1(id: string): CgroupSample | undefined {
    const memory = this.#dirV1('memory', id);
    const pids = this.#dirV1('pids', id);
    if (!memory || !pids) return undefined;
    const cpuacct = this.#dirV1('cpuacct', id);
    const cpu = this.#dirV1('cpu', id);
    const usage = readNumber(memory, 'memory.usage_in_bytes');
    const peak = readNumber(memory, 'memory.max_usage_in_bytes');
    const limit = readNumber(memory, 'memory.limit_in_bytes');
    const oom = readKeyed(memory, 'memory.oom_control');
    const current = readNumber(pids, 'pids.current');
    const max = readNumber(pids, 'pids.max');
    const events = readKeyed(pids, 'pids.events');
    const cpuNs = cpuacct ? readNumber(cpuacct, 'cpuacct.usage') : undefined;
    const cpuStat = cpu ? readKeyed(cpu, 'cpu.stat') : undefined;
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

  #dirV2(id: string): string | undefined {
    return this.#dir(`/${id}`, [
      path.join(this.#root, 'system.slice', `docker-${id}.scope`),
      path.join(this.#root, this.#parent, id),
    ]);
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

  #readV2(id: string): CgroupSample | undefined {
    const dir = this.#dirV2(id);
    if (!dir) return undefined;
    const usage = readNumber(dir, 'memory.current');
    const peak = readNumber(dir, 'memory.peak');
    const limit = readNumber(dir, 'memory.max');
    const memEvents = readKeyed(dir, 'memory.events');
    const current = readNumber(dir, 'pids.current');
    const max = readNumber(dir, 'pids.max');
    const pidEvents = readKeyed(dir, 'pids.events');
    const cpuStat = readKeyed(dir, 'cpu.stat');
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

const V1_CONTROLLERS = ['memory', 'pids', 'cpuacct', 'cpu', 'cpu,cpuacct'] as const;
/** Directories remembered (a few per container): far more than one node's sandboxes. */
const MAX_KNOWN_DIRS = 20_000;

function exists(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false }) !== undefined;
}

function readText(dir: string, file: string): string | undefined {
  try {
    return readFileSync(path.join(dir, file), 'utf8');
  } catch {
    return undefined;
  }
}

/** A one-number file; `max` (unlimited) and unreadable files read as undefined. */
function readNumber(dir: string, file: string): number | undefined {
  const text = readText(dir, file)?.trim();
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return Number(text);
}

/** A `key value` per line file (memory.oom_control, pids.events, cpu.stat). */
function readKeyed(dir: string, file: string): Map<string, number> | undefined {
  const text = readText(dir, file);
  if (text === undefined) return undefined;
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value && /^\d+$/.test(value)) values.set(key, Number(value));
  }
  return values;
}
