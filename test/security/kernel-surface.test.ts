import { readFile } from 'node:fs/promises';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecClient } from '../../orchestrator/src/docker/exec-client.js';
import type { SandboxLease } from '../../orchestrator/src/sandbox/sandbox-lease.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

interface SurfaceFacts {
  uid: number;
  alg: string;
  vsock: string;
  netlink: Record<string, { raw: string; dgram: string }>;
  procSys: Record<string, string>;
  corePattern: string;
  sysrqTrigger: string;
  cgroupFiles: Record<string, string>;
  cgroupDirs: Record<string, string>;
  mountCgroup: string;
}

const PROBE = new URL('../support/kernel-surface-probe.py', import.meta.url);

async function probe(exec: ExecClient, containerId: string): Promise<SurfaceFacts> {
  const script = await readFile(PROBE, 'utf8');
  const r = await exec.run(containerId, ['python3', '-c', script], { user: '1000:1000', timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`probe failed (${r.exitCode}): ${r.stderr}`);
  return JSON.parse(r.stdout) as SurfaceFacts;
}

const opened = (results: Record<string, string>) =>
  Object.entries(results)
    .filter(([, v]) => v === 'ok')
    .map(([k]) => k);

/**
 * The kernel surface a sandbox reaches beyond what its programs need (issue: narrower kernel surface). Each
 * property is probed for real as uid 1000 through the exec API; a control container with every capability
 * dropped but no seccomp filter shows which refusals are the profile's doing.
 */
describe('kernel surface of a sandbox (standard profile, real engine)', () => {
  let daemon: TestDaemon;
  let lease: SandboxLease;
  let sandbox: SurfaceFacts;
  let control: SurfaceFacts;
  let controlContainer: Docker.Container | undefined;

  const sh = async (cmd: string) => {
    const r = await daemon.docker.exec.run(lease.record.containerId, ['bash', '-c', cmd], {
      user: '1000:1000',
      timeoutMs: 60_000,
    });
    return { ...r, stdout: r.stdout.trim() };
  };

  beforeAll(async () => {
    daemon = await startTestDaemon();
    lease = await daemon.sandboxes.acquire({ tenantId: 'surface', conversationId: 'probe' });
    sandbox = await probe(daemon.docker.exec, lease.record.containerId);
    const host = daemon.config.docker.host.replace(/^unix:\/\//, '');
    const engine = new Docker(host.startsWith('/') ? { socketPath: host } : { host });
    controlContainer = await engine.createContainer({
      Image: daemon.config.sandbox.image,
      Entrypoint: ['sleep'],
      Cmd: ['300'],
      User: '1000:1000',
      Labels: { purpose: 'agentd-kernel-surface-control' },
      HostConfig: { CapDrop: ['ALL'], SecurityOpt: ['seccomp=unconfined'], NetworkMode: 'none' },
    });
    await controlContainer.start();
    control = await probe(daemon.docker.exec, controlContainer.id);
  });
  afterAll(async () => {
    await controlContainer?.remove({ force: true });
    await daemon.destroy();
  });

  it('probes as uid 1000 in both containers', () => {
    expect(sandbox.uid).toBe(1000);
    expect(control.uid).toBe(1000);
  });

  it('refuses AF_ALG and AF_VSOCK sockets with the profile’s EPERM', () => {
    expect(sandbox.alg).toBe('EPERM');
    expect(sandbox.vsock).toBe('EPERM');
    // Unfiltered, the kernel answers otherwise: vsock opens; AF_ALG opens, or EAFNOSUPPORT where the kernel
    // lacks it (as here). So an EPERM in the sandbox is the seccomp profile's answer.
    expect(control.vsock).toBe('ok');
    expect(['ok', 'EAFNOSUPPORT']).toContain(control.alg);
  });

  it('opens netlink only for NETLINK_ROUTE; every other protocol is refused by the profile', () => {
    expect(sandbox.netlink['0:ROUTE']).toEqual({ raw: 'ok', dgram: 'ok' });
    const others = Object.entries(sandbox.netlink).filter(([k]) => k !== '0:ROUTE');
    expect(others).toHaveLength(22);
    for (const [protocol, result] of others)
      expect(result, protocol).toEqual({ raw: 'EPERM', dgram: 'EPERM' });
    // Without the filter the dangerous ones are reachable from uid 1000 with no capabilities at all.
    for (const protocol of ['6:XFRM', '9:AUDIT', '12:NETFILTER', '15:KOBJECT_UEVENT', '16:GENERIC'])
      expect(control.netlink[protocol]?.raw, protocol).toBe('ok');
  });

  it('cannot open any /proc/sys file, core_pattern or sysrq-trigger for writing', () => {
    expect(Object.keys(sandbox.procSys).length).toBeGreaterThan(100);
    expect(opened(sandbox.procSys)).toEqual([]);
    expect(sandbox.procSys['/proc/sys/kernel/core_pattern']).toBeDefined();
    expect(sandbox.corePattern).not.toBe('ok');
    expect(sandbox.sysrqTrigger).not.toBe('ok');
  });

  it('cannot write cgroup control files, create cgroups, or mount a hierarchy to get a release_agent', () => {
    expect(Object.keys(sandbox.cgroupFiles).length).toBeGreaterThan(0);
    expect(opened(sandbox.cgroupFiles)).toEqual([]);
    const releaseAgents = Object.keys(sandbox.cgroupFiles).filter((p) => p.endsWith('/release_agent'));
    for (const p of releaseAgents) expect(sandbox.cgroupFiles[p], p).not.toBe('ok');
    expect(Object.keys(sandbox.cgroupDirs).length).toBeGreaterThan(0);
    expect(opened(sandbox.cgroupDirs)).toEqual([]);
    expect(sandbox.mountCgroup).toBe('EPERM');
  });

  it('keeps what the runner image needs: node, getaddrinfo, python, git, gcc, bash', async () => {
    const node = await sh(
      `node -e "const os=require('os');require('dns').lookup('127.0.0.1',{all:true,hints:require('dns').ADDRCONFIG},(e,a)=>{if(e)throw e;console.log(JSON.stringify({ifs:Object.keys(os.networkInterfaces()),lookup:a.map(x=>x.address)}))})"`,
    );
    expect(node.exitCode, node.stderr).toBe(0);
    const nodeFacts = JSON.parse(node.stdout) as { ifs: string[]; lookup: string[] };
    expect(nodeFacts.ifs).toContain('lo');
    expect(nodeFacts.lookup).toContain('127.0.0.1');

    const python = await sh(
      `python3 -c "import socket, json; print(json.dumps({'ifs': [n for _, n in socket.if_nameindex()], 'gai': sorted({a[4][0] for h in ('127.0.0.1', '::1') for a in socket.getaddrinfo(h, 80, flags=socket.AI_ADDRCONFIG)})}))"`,
    );
    expect(python.exitCode, python.stderr).toBe(0);
    // AI_ADDRCONFIG makes glibc ask the kernel over NETLINK_ROUTE which address families are configured.
    // (The name "localhost" does not resolve in a sandbox at all: its /etc/hosts is empty, seccomp or not.)
    const pythonFacts = JSON.parse(python.stdout) as { ifs: string[]; gai: string[] };
    expect(pythonFacts.ifs).toEqual(['lo']);
    expect(pythonFacts.gai).toContain('127.0.0.1');

    const git = await sh(
      'cd /workspace && rm -rf g && git init -q g && cd g && echo x > f && git add f && git -c user.email=a@b -c user.name=n commit -qm x && git log --oneline | wc -l',
    );
    expect(git.exitCode, git.stderr).toBe(0);
    expect(git.stdout).toBe('1');

    const gcc = await sh(
      'cd /workspace && printf "#include <stdio.h>\\nint main(void){puts(\\"built\\");return 0;}\\n" > a.c && gcc a.c -o a && ./a',
    );
    expect(gcc.exitCode, gcc.stderr).toBe(0);
    expect(gcc.stdout).toBe('built');

    const bash = await sh('echo "${BASH_VERSINFO[0]}"; command -v ip || echo no-ip');
    expect(Number(bash.stdout.split('\n')[0])).toBeGreaterThanOrEqual(5);
    // `ip` (iproute2) is not in the runner image; where an image has it, `ip addr` must still list lo.
    if (!bash.stdout.includes('no-ip')) {
      const ip = await sh('ip addr');
      expect(ip.exitCode, ip.stderr).toBe(0);
      expect(ip.stdout).toContain('lo');
    }
  });
});
