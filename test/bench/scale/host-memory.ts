import { readdir, readFile } from 'node:fs/promises';

/**
 * What the host pays for sandboxes beyond their own cgroups: the engine's daemons and one containerd shim per
 * container. Shared pages (the shim binary) are counted once in total through PSS, not once per process.
 */

/** A container's cgroup memory (cgroup v1 on these machines, v2 elsewhere), 0 when it is gone. */
export async function cgroupMemory(containerId: string): Promise<number> {
  const v1 = await readFile(
    `/sys/fs/cgroup/memory/docker/${containerId}/memory.usage_in_bytes`,
    'utf8',
  ).catch(() => undefined);
  if (v1 !== undefined) return Number(v1);
  const v2 = await readFile(
    `/sys/fs/cgroup/system.slice/docker-${containerId}.scope/memory.current`,
    'utf8',
  ).catch(() => '0');
  return Number(v2);
}

/** A process's proportional set size in bytes (RSS where smaps_rollup is unavailable), 0 when it is gone. */
export async function processPss(pid: number): Promise<number> {
  const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => undefined);
  const pss = rollup && /^Pss:\s+(\d+) kB/m.exec(rollup);
  if (pss) return Number(pss[1]) * 1024;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(status);
  return rss ? Number(rss[1]) * 1024 : 0;
}

interface HostProcess {
  pid: number;
  argv: string[];
}

async function processes(): Promise<HostProcess[]> {
  const out: HostProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const raw = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (raw !== '') out.push({ pid: Number(entry), argv: raw.split('\0').filter(Boolean) });
  }
  return out;
}

export interface EngineMemory {
  /** dockerd and containerd together. */
  daemons: number;
  /** The shims of the given containers. */
  shims: number;
  /** How many of the given containers had a shim found. */
  shimCount: number;
}

/** PSS of dockerd + containerd, and of the shims serving `containerIds` (matched by their `-id` argument). */
export async function engineMemory(containerIds: readonly string[]): Promise<EngineMemory> {
  const wanted = new Set(containerIds);
  let daemons = 0;
  let shims = 0;
  let shimCount = 0;
  for (const p of await processes()) {
    const name = (p.argv[0] ?? '').split('/').pop() ?? '';
    if (name === 'dockerd' || name === 'containerd') daemons += await processPss(p.pid);
    if (name.startsWith('containerd-shim')) {
      const id = p.argv[p.argv.indexOf('-id') + 1];
      if (id !== undefined && wanted.has(id)) {
        shims += await processPss(p.pid);
        shimCount += 1;
      }
    }
  }
  return { daemons, shims, shimCount };
}
