import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hardeningViolations } from '../../orchestrator/src/docker/hardening-guard.js';
import type { SandboxLease } from '../../orchestrator/src/sandbox/sandbox-lease.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import {
  readIsolationFacts,
  SECCOMP_ONLY,
  type IsolationFacts,
  type SeccompOnlyProbe,
} from '../support/isolation-facts.js';

const MiB = 1024 * 1024;

/** The standard profile with small sizes so fills and OOM are quick; every hardening setting is the profile's. */
const LIMITS = {
  memoryBytes: 288 * MiB,
  workspaceBytes: 64 * MiB,
  tmpBytes: 32 * MiB,
  shmBytes: 16 * MiB,
  fsizeBytes: 48 * MiB,
  pidsLimit: 64,
  nproc: 64,
};

describe('isolation of a live sandbox (standard profile, real engine)', () => {
  let daemon: TestDaemon;
  let lease: SandboxLease;
  let facts: IsolationFacts;

  const exec = (cmd: string, timeoutMs = 60_000) =>
    daemon.docker.exec.run(lease.record.containerId, ['bash', '-c', cmd], { timeoutMs });

  beforeAll(async () => {
    daemon = await startTestDaemon();
    lease = await daemon.sandboxes.acquire({ tenantId: 'iso', conversationId: 'probe', limits: LIMITS });
    facts = await readIsolationFacts(daemon.docker.exec, lease.record.containerId);
  });
  afterAll(async () => {
    await daemon.destroy();
  });

  it('shows every hardening setting in docker inspect', async () => {
    const info = await daemon.docker.containers.inspect(lease.record.containerId);
    if (!info) throw new Error('container not found');
    const c = info.config;
    // The same rule table the guard applies before create, now on what the engine actually holds.
    expect(hardeningViolations(c)).toEqual([]);
    expect(c.user).toBe('1000:1000');
    expect(c.init).toBe(true);
    expect(c.capDrop).toEqual(['ALL']);
    expect(c.capAdd).toEqual([]);
    expect(c.privileged).toBe(false);
    expect(c.securityOpt).toContain('no-new-privileges:true');
    expect(c.securityOpt.some((o) => o.startsWith('seccomp=') && o.includes('SCMP_ACT_ERRNO'))).toBe(true);
    // This kernel has no AppArmor: agentd must not request a profile the kernel cannot enforce.
    if (!daemon.hostSecurity.apparmor.enforced)
      expect(c.securityOpt.some((o) => o.startsWith('apparmor='))).toBe(false);
    expect(c.readonlyRootfs).toBe(true);
    expect(c.networkMode).toBe('none');
    expect(c.networkDisabled).toBe(true);
    expect(c.usernsMode).toBe('');
    expect(c.pidMode).toBe('');
    expect(c.portBindings).toEqual([]);
    expect(c.devices).toEqual([]);
    expect(c.tmpfs['/workspace']).toMatch(
      new RegExp(`exec.*size=${LIMITS.workspaceBytes}.*uid=1000,gid=1000`),
    );
    expect(c.tmpfs['/tmp']).toMatch(new RegExp(`nosuid,nodev,size=${LIMITS.tmpBytes}`));
    expect(c.shmSize).toBe(LIMITS.shmBytes);
    expect(c.memory).toBe(LIMITS.memoryBytes);
    expect(c.memorySwap).toBe(LIMITS.memoryBytes);
    expect(c.nanoCpus).toBeGreaterThan(0);
    expect(c.pidsLimit).toBe(LIMITS.pidsLimit);
    expect(Object.fromEntries(c.ulimits.map((u) => [u.name, u.hard]))).toMatchObject({
      nofile: expect.any(Number),
      nproc: LIMITS.nproc,
      fsize: LIMITS.fsizeBytes,
      core: 0,
    });
    expect(c.logConfig).toMatchObject({ type: 'json-file', config: { 'max-size': '10m', 'max-file': '3' } });
    expect(c.mounts).toEqual([
      expect.objectContaining({ type: 'bind', target: '/run/agentd', readOnly: true }),
    ]);
    expect(c.labels).toMatchObject({
      'agentd.managed': 'true',
      'agentd.node': daemon.config.nodeId,
      'agentd.tenant': 'iso',
      'agentd.conversation': 'probe',
      'agentd.profile': 'standard',
    });
  });

  it('runs as uid 1000 with no capabilities and no-new-privileges', () => {
    expect(facts.uid).toBe(1000);
    expect(facts.euid).toBe(1000);
    expect(facts.capEff).toBe('0000000000000000');
    expect(facts.capPrm).toBe('0000000000000000');
    expect(facts.capBnd).toBe('0000000000000000');
    expect(facts.noNewPrivs).toBe('1');
  });

  it('is in a remapped user namespace', () => {
    // A host-namespace container shows the identity map "0 0 4294967295".
    expect(facts.uidMap).toHaveLength(3);
    expect(facts.uidMap[0]).toBe('0');
    expect(facts.uidMap[1]).not.toBe('0');
    expect(Number(facts.uidMap[2])).toBeLessThan(4294967295);
  });

  it('has a seccomp filter that denies what the profile denies', () => {
    expect(facts.seccomp).toBe('2');
    const failed = (name: keyof IsolationFacts['syscalls']) => facts.syscalls[name].ret;
    for (const name of [
      'mount_tmpfs',
      'unshare_user',
      'unshare_mount',
      'ptrace_traceme',
      'keyctl_session',
      'bpf_map_create',
      'userfaultfd',
      'perf_event_open',
    ] as const) {
      expect(failed(name), name).toBe(-1);
    }
    expect(facts.syscalls.ptrace_traceme.errno).toBe('EPERM');
    expect(facts.syscalls.keyctl_session.errno).toBe('EPERM');
    expect(facts.syscalls.unshare_user.errno).toBe('EPERM');
    // The profile's own errno (EPERM) for calls an unconfined kernel answers otherwise (seccomp-sensitivity.test.ts).
    for (const name of Object.keys(SECCOMP_ONLY) as SeccompOnlyProbe[]) {
      expect(facts.seccompOnly[name], name).toBe('EPERM');
    }
    // io_uring and clone3 answer "not implemented", so runtimes fall back instead of failing hard.
    expect(facts.syscalls.io_uring_setup).toEqual({ ret: -1, errno: 'ENOSYS' });
    expect(facts.syscalls.clone3).toEqual({ ret: -1, errno: 'ENOSYS' });
  });

  it('allows only unix and inet sockets, and has no network but lo', () => {
    expect(facts.sockets.packet).not.toBe('ok');
    expect(facts.sockets.inet_raw).not.toBe('ok');
    expect(facts.sockets.vsock).not.toBe('ok');
    // The profile allows AF_INET; raw ones are refused by the dropped CAP_NET_RAW.
    expect(facts.seccompOnly.inet_raw_icmp).toBe('EPERM');
    expect(facts.sockets.inet_stream).toBe('ok');
    expect(facts.sockets.unix).toBe('ok');
    expect(facts.netInterfaces).toEqual(['lo']);
  });

  it('has a read-only root: only /workspace, /tmp, /skills and /dev/shm are writable', () => {
    for (const dir of ['/', '/etc', '/usr', '/opt/agentd-runner', '/var', '/root', '/home', '/run/agentd']) {
      expect(facts.writes[dir], dir).not.toBe('ok');
    }
    expect(facts.writes['/etc']).toBe('EROFS');
    expect(facts.writes['/run/agentd']).toBe('EROFS');
    expect(facts.writes['/workspace']).toBe('ok');
    expect(facts.writes['/tmp']).toBe('ok');
    const allowed = /^\/(workspace|tmp|skills|dev\/shm|dev\/mqueue)(\/|$)/;
    expect(facts.writableDirs.filter((d) => !allowed.test(d))).toEqual([]);
  });

  it('keeps /proc/sys read-only', () => {
    expect(facts.procSysWrite).not.toBe('ok');
    expect(facts.procSysMount?.split(',')).toContain('ro');
  });

  it('has no engine socket and no secrets in the environment', () => {
    expect(facts.engineSockets).toEqual([]);
    expect(facts.socketMounts).toEqual([]);
    const names = (facts.runnerEnv ?? []).map((e) => e.split('=')[0]);
    expect(names.length).toBeGreaterThan(0);
    expect(
      names.filter((n) => /AWS|SECRET|TOKEN|PASSWORD|KEY|CREDENTIAL|DATABASE|REDIS/i.test(n ?? '')),
    ).toEqual([]);
    expect(new Set(names)).toEqual(
      new Set(['AGENTD_RUNNER_VERSION', 'AGENTD_SOCKET', 'HOME', 'HOSTNAME', 'LANG', 'PATH']),
    );
  });

  it('stops a /workspace fill at its size with ENOSPC', async () => {
    const r = await exec(
      'dd if=/dev/zero of=/workspace/a bs=1M count=40 2>&1; dd if=/dev/zero of=/workspace/b bs=1M count=40 2>&1; du -sm /workspace; rm -f /workspace/a /workspace/b',
    );
    expect(r.stdout).toContain('No space left on device');
    const used = Number(/^(\d+)\s+\/workspace$/m.exec(r.stdout)?.[1]);
    expect(used).toBeLessThanOrEqual(64);
    expect(used).toBeGreaterThanOrEqual(60);
  });

  it('stops a /tmp fill at its size with ENOSPC', async () => {
    const r = await exec('dd if=/dev/zero of=/tmp/a bs=1M count=40 2>&1; du -sm /tmp/a; rm -f /tmp/a');
    expect(r.stdout).toContain('No space left on device');
    expect(Number(/^(\d+)\s+\/tmp\/a$/m.exec(r.stdout)?.[1])).toBeLessThanOrEqual(32);
  });

  it('OOM-kills a process that exceeds the memory limit', async () => {
    const r = await exec(
      `python3 -c "b = bytearray(${LIMITS.memoryBytes * 2}); print('allocated')"; echo "exit=$?"`,
    );
    expect(r.stdout).not.toContain('allocated');
    expect(r.stdout).toContain('exit=137');
    const info = await daemon.docker.containers.inspect(lease.record.containerId);
    expect(info?.state.running).toBe(true);
    const oom = await readFile(
      `/sys/fs/cgroup/memory/docker/${lease.record.containerId}/memory.oom_control`,
      'utf8',
    ).catch(() => '');
    if (oom !== '') expect(Number(/oom_kill (\d+)/.exec(oom)?.[1])).toBeGreaterThan(0);
  });

  it('stops a fork bomb at the pids limit while agentd and other sandboxes stay responsive', async () => {
    const other = await daemon.sandboxes.acquire({
      tenantId: 'iso',
      conversationId: 'bystander',
      limits: LIMITS,
    });
    const loopBefore = performance.eventLoopUtilization();
    const bomb = exec("timeout 20 bash -c ':(){ :|:& };:' 2>/dev/null; true", 60_000).catch(() => undefined);
    const pidsFile = `/sys/fs/cgroup/pids/docker/${lease.record.containerId}/pids.current`;
    let peak = 0;
    const started = Date.now();
    while (Date.now() - started < 8_000) {
      peak = Math.max(peak, Number(await readFile(pidsFile, 'utf8').catch(() => '0')));
      if (peak >= LIMITS.pidsLimit) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(peak).toBeGreaterThanOrEqual(LIMITS.pidsLimit - 2);
    expect(peak).toBeLessThanOrEqual(LIMITS.pidsLimit);
    // While the bomb runs: the other sandbox answers within agentd's own health-check deadline (ping throws
    // past it), and agentd's event loop spent most of the bomb idle rather than busy.
    await expect(daemon.sandboxes.ping(other.channel)).resolves.toBeUndefined();
    expect(performance.eventLoopUtilization(loopBefore).utilization).toBeLessThan(0.5);
    await daemon.docker.containers.kill(lease.record.containerId, 'SIGKILL').catch(() => undefined);
    await bomb;
  });
});
