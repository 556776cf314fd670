import { describe, expect, it } from 'vitest';
import { toCreateOptions } from '../docker/container-options.js';
import { hardeningViolations } from '../docker/hardening-guard.js';
import { sampleSpec } from '../docker/sample-spec.fixture.js';
import { viewOfCreateOptions } from '../docker/to-config-view.js';
import type { SandboxProfile } from '../sandbox/profile.js';
import type { ProcFacts } from './proc-facts.js';
import { SAMPLE_PROC_FACTS } from './sample-proc-facts.fixture.js';
import { sandboxChecks, type SandboxFacts } from './sandbox-checks.js';

type ContainerCreateOptions = ReturnType<typeof toCreateOptions>;

const seccompJson = '{"defaultAction":"SCMP_ACT_ERRNO"}';
const spec = sampleSpec({ name: 'agentd-abcd1234', env: {}, seccompJson });
const proc: ProcFacts = SAMPLE_PROC_FACTS;

function facts(mutate: (o: ContainerCreateOptions) => void = () => undefined): SandboxFacts {
  const options = toCreateOptions(spec);
  mutate(options);
  return {
    config: viewOfCreateOptions(options),
    proc,
    processes: ['/sbin/docker-init -- node /opt/runner/index.js', 'node /opt/runner/index.js'],
    profile: { name: 'standard', seccompJson } as SandboxProfile,
    apparmor: { enforced: false, reason: 'apparmor is not in the LSM list' } as SandboxFacts['apparmor'],
    runner: { uid: 1000, capEff: '0000000000000000', noNewPrivs: '1', seccomp: '2' },
  };
}

describe('sandboxChecks', () => {
  it('reports every rule of the table and the kernel facts beside them, in a stable order', () => {
    const checks = sandboxChecks(facts());
    expect(checks.map((c) => c.id)).toEqual([
      'caps.dropped',
      'caps.effective',
      'privileged',
      'mounts.host',
      'sshd',
      'ports',
      'network',
      'memory',
      'cpu',
      'rootfs.readonly',
      'rootfs.mounted-ro',
      'host-interface',
      'restart',
      'ns.pid',
      'ns.ipc',
      'ns.uts',
      'ns.cgroup',
      'devices',
      'ulimits',
      'mounts.propagation',
      'seccomp.profile',
      'seccomp.loaded',
      'seccomp.matches-profile',
      'cgroup-parent',
      'no-new-privileges',
      'no-new-privileges.kernel',
      'healthcheck',
      'pids',
      'userns.mode',
      'userns.remapped',
      'engine-socket',
      'user',
      'tmpfs',
      'apparmor',
      'labels',
      'init',
      'oom-kill',
      'logging',
      'lsm.not-disabled',
      'runner.cross-check',
    ]);
    const notPassing = checks.filter((c) => c.status !== 'pass').map((c) => [c.id, c.status]);
    expect(notPassing).toEqual([
      ['host-interface', 'not_applicable'],
      ['healthcheck', 'not_applicable'],
      ['apparmor', 'not_enforced'],
    ]);
  });

  it.each<[string, (o: ContainerCreateOptions) => void]>([
    [
      'an added capability and a writable root',
      (o) => Object.assign(o.HostConfig ?? {}, { CapAdd: ['NET_ADMIN'], ReadonlyRootfs: false }),
    ],
    [
      'host namespaces',
      (o) => Object.assign(o.HostConfig ?? {}, { PidMode: 'host', UsernsMode: 'host', IpcMode: 'host' }),
    ],
    ['seccomp unconfined next to the profile', (o) => o.HostConfig?.SecurityOpt?.push('seccomp=unconfined')],
    [
      'no limits at all',
      (o) =>
        Object.assign(o.HostConfig ?? {}, {
          Memory: 0,
          MemorySwap: 0,
          PidsLimit: null,
          NanoCpus: 0,
          Ulimits: [],
        }),
    ],
    [
      'a bridge network and a bind of /',
      (o) => Object.assign(o.HostConfig ?? {}, { NetworkMode: 'bridge', Binds: ['/:/host'] }),
    ],
  ])('fails exactly the rules the create-time guard refuses: %s', (_name, mutate) => {
    const f = facts(mutate);
    const auditFails = sandboxChecks(f)
      .filter((c) => c.source === 'engine' && c.status === 'fail' && c.id !== 'seccomp.matches-profile')
      .map((c) => c.id);
    expect(auditFails.length).toBeGreaterThan(0);
    expect(auditFails).toEqual(hardeningViolations(f.config).map((v) => v.id));
  });

  it('never passes a kernel fact it could not read', () => {
    const checks = sandboxChecks({ ...facts(), proc: undefined });
    const status = Object.fromEntries(checks.map((c) => [c.id, c.status]));
    for (const id of [
      'caps.effective',
      'rootfs.mounted-ro',
      'seccomp.loaded',
      'no-new-privileges.kernel',
      'userns.remapped',
    ]) {
      expect(status[id], id).toBe('fail');
    }
    expect(status['runner.cross-check']).toBeUndefined();
  });

  it('says AppArmor is not enforced even when a profile was requested, and never passes it', () => {
    const checks = sandboxChecks(facts((o) => o.HostConfig?.SecurityOpt?.push('apparmor=agentd-sandbox')));
    expect(checks.find((c) => c.id === 'apparmor')).toMatchObject({
      status: 'not_enforced',
      actual:
        'not enforced on this host: apparmor is not in the LSM list; apparmor=agentd-sandbox requested anyway',
    });
  });
});
