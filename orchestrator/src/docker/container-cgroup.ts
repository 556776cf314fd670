import { readFile } from 'node:fs/promises';

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

// cgroup v1 (this engine's "cgroupfs" driver) first, then v2 with the systemd driver.
const CPU_FILES = [
  (id: string) => ({ path: `/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, unit: 'ns' as const }),
  (id: string) => ({ path: `/sys/fs/cgroup/cpu,cpuacct/docker/${id}/cpuacct.usage`, unit: 'ns' as const }),
  (id: string) => ({ path: `/sys/fs/cgroup/system.slice/docker-${id}.scope/cpu.stat`, unit: 'us' as const }),
  (id: string) => ({ path: `/sys/fs/cgroup/docker/${id}/cpu.stat`, unit: 'us' as const }),
];
const PROCS_FILES = [
  (id: string) => `/sys/fs/cgroup/pids/docker/${id}/cgroup.procs`,
  (id: string) => `/sys/fs/cgroup/system.slice/docker-${id}.scope/cgroup.procs`,
  (id: string) => `/sys/fs/cgroup/docker/${id}/cgroup.procs`,
];

/** Reads a container's cgroup from the host (agentd runs beside the engine); needs the full container id. */
export class ContainerCgroup {
  constructor(private readonly root = '') {}

  /** CPU time the container's processes used so far, in nanoseconds; undefined when no cgroup is found. */
  async cpuUsageNs(containerId: string): Promise<number | undefined> {
    for (const file of CPU_FILES) {
      const { path, unit } = file(containerId);
      const text = await readFile(this.root + path, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      if (unit === 'ns') return Number(text.trim());
      const usec = /^usage_usec (\d+)$/m.exec(text)?.[1];
      if (usec !== undefined) return Number(usec) * 1000;
    }
    return undefined;
  }

  /** Every process of the container with its pid inside and its parent; [] when no cgroup is found. */
  async processes(containerId: string): Promise<CgroupProcess[]> {
    for (const file of PROCS_FILES) {
      const text = await readFile(this.root + file(containerId), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      const pids = text.split('\n').filter(Boolean).map(Number);
      const procs = await Promise.all(pids.map((pid) => this.#process(pid)));
      return procs.filter((p): p is CgroupProcess => p !== undefined);
    }
    return [];
  }

  async #process(pid: number): Promise<CgroupProcess | undefined> {
    try {
      const [stat, status] = await Promise.all([
        readFile(`${this.root}/proc/${pid}/stat`, 'utf8'),
        readFile(`${this.root}/proc/${pid}/status`, 'utf8'),
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
}
