import { statfsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CgroupReader } from './cgroup-reader.js';

const ID = 'ab'.repeat(32);
const roots: string[] = [];

async function fakeRoot(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'cgroup-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  return root;
}

afterEach(async () => {
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
});

describe('CgroupReader', () => {
  it('reads how full a workspace is through its init process’s root, and nothing for a bad or gone pid', async () => {
    const procRoot = await fakeRoot({ '42/root/workspace/file': 'x' });
    const reader = new CgroupReader({ procRoot });
    const fs = statfsSync(path.join(procRoot, '42/root/workspace'));
    const fill = await reader.workspace(42);
    expect(fill?.sizeBytes).toBe(fs.blocks * fs.bsize);
    expect(fill?.usedBytes).toBeGreaterThan(0);
    expect(fill?.usedBytes).toBeLessThanOrEqual(fs.blocks * fs.bsize);
    expect(await reader.workspace(43)).toBeUndefined();
    expect(await reader.workspace(0)).toBeUndefined();
    expect(await reader.workspace(1.5)).toBeUndefined();
  });

  it('reads cgroup v1 controllers under the docker parent', async () => {
    const root = await fakeRoot({
      [`memory/docker/${ID}/memory.usage_in_bytes`]: '1000\n',
      [`memory/docker/${ID}/memory.max_usage_in_bytes`]: '5000\n',
      [`memory/docker/${ID}/memory.limit_in_bytes`]: '100663296\n',
      [`memory/docker/${ID}/memory.oom_control`]: 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n',
      [`pids/docker/${ID}/pids.current`]: '64\n',
      [`pids/docker/${ID}/pids.max`]: '64\n',
      [`pids/docker/${ID}/pids.events`]: 'max 17\n',
      [`cpuacct/docker/${ID}/cpuacct.usage`]: '2500000000\n',
      [`cpu/docker/${ID}/cpu.stat`]: 'nr_periods 10\nnr_throttled 3\nthrottled_time 5\n',
    });
    const reader = new CgroupReader({ root });
    expect(await reader.version()).toBe(1);
    expect(await reader.read(ID)).toEqual({
      cpuSeconds: 2.5,
      memoryBytes: 1000,
      memoryPeakBytes: 5000,
      memoryLimitBytes: 100663296,
      oomKills: 2,
      pids: 64,
      pidsLimit: 64,
      pidsRefused: 17,
      throttledPeriods: 3,
    });
  });

  it('reads the unified cgroup v2 tree of a systemd-driver container, unlimited values as null', async () => {
    const scope = `system.slice/docker-${ID}.scope`;
    const root = await fakeRoot({
      'cgroup.controllers': 'cpu memory pids\n',
      [`${scope}/memory.current`]: '2048\n',
      [`${scope}/memory.peak`]: '4096\n',
      [`${scope}/memory.max`]: 'max\n',
      [`${scope}/memory.events`]: 'low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n',
      [`${scope}/pids.current`]: '3\n',
      [`${scope}/pids.max`]: 'max\n',
      [`${scope}/pids.events`]: 'max 0\n',
      [`${scope}/cpu.stat`]: 'usage_usec 1500000\nnr_throttled 0\n',
    });
    const reader = new CgroupReader({ root });
    expect(await reader.version()).toBe(2);
    expect(await reader.read(ID)).toMatchObject({
      cpuSeconds: 1.5,
      memoryBytes: 2048,
      memoryPeakBytes: 4096,
      memoryLimitBytes: null,
      oomKills: 1,
      pids: 3,
      pidsLimit: null,
    });
  });

  it('answers undefined for a container whose cgroup is gone and for ids that are not container ids', async () => {
    const root = await fakeRoot({ 'memory/docker/.keep': '' });
    const reader = new CgroupReader({ root });
    expect(await reader.read(ID)).toBeUndefined();
    expect(await reader.read('../../etc')).toBeUndefined();
  });

  it('remembers a cgroup directory only while it is there: a gone one reads undefined, a new path is found', async () => {
    const v2 = (dir: string): Record<string, string> => ({
      [`${dir}/memory.current`]: '1\n',
      [`${dir}/pids.current`]: '1\n',
    });
    const root = await fakeRoot({ 'cgroup.controllers': 'memory pids\n', ...v2(`docker/${ID}`) });
    const reader = new CgroupReader({ root });
    expect((await reader.read(ID))?.memoryBytes).toBe(1);
    await rm(path.join(root, 'docker', ID), { recursive: true });
    expect(await reader.read(ID)).toBeUndefined();
    await mkdir(path.join(root, 'system.slice', `docker-${ID}.scope`), { recursive: true });
    await writeFile(path.join(root, 'system.slice', `docker-${ID}.scope`, 'memory.current'), '2\n');
    await writeFile(path.join(root, 'system.slice', `docker-${ID}.scope`, 'pids.current'), '2\n');
    expect((await reader.read(ID))?.memoryBytes).toBe(2);
  });

  it('reads CPU time and the processes with their namespace pids (v1), command names with parentheses', async () => {
    const root = await fakeRoot({
      [`cpuacct/docker/${ID}/cpuacct.usage`]: '2500000000\n',
      [`pids/docker/${ID}/cgroup.procs`]: '101\n102\n999\n',
    });
    // Field 4 (ppid) and 22 (start time) counted from the last ')': a name may hold ') 9 9'.
    const proc = await fakeRoot({
      '101/stat': '101 (node) S 100 101 101 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5000 0 0',
      '101/status': 'Name:\tnode\nNSpid:\t101\t1\n',
      '102/stat': '102 (evil) 9 9) S 101 102 101 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 7000 0 0',
      '102/status': 'Name:\tevil\nNSpid:\t102\t7\n',
    });
    const reader = new CgroupReader({ root, procRoot: proc });
    expect(await reader.cpuUsageNs(ID)).toBe(2_500_000_000);
    // 999 exited between reading cgroup.procs and its /proc entry: left out, not an error.
    expect(await reader.processes(ID)).toEqual([
      { pid: 101, nsPid: 1, ppid: 100, startTicks: 5000 },
      { pid: 102, nsPid: 7, ppid: 101, startTicks: 7000 },
    ]);
  });

  it('reads CPU time and processes from the v2 tree; nothing for a missing cgroup or a bad id', async () => {
    const scope = `system.slice/docker-${ID}.scope`;
    const root = await fakeRoot({
      'cgroup.controllers': 'cpu memory pids\n',
      [`${scope}/cpu.stat`]: 'usage_usec 1500000\nnr_throttled 0\n',
      [`${scope}/cgroup.procs`]: '',
    });
    const reader = new CgroupReader({ root });
    expect(await reader.cpuUsageNs(ID)).toBe(1_500_000_000);
    expect(await reader.processes(ID)).toEqual([]);
    expect(await reader.cpuUsageNs('cd'.repeat(32))).toBeUndefined();
    expect(await reader.processes('../../etc')).toEqual([]);
  });
});
