import type { ContainerCreateOptions } from 'dockerode';
import { describe, expect, it } from 'vitest';
import { toCreateOptions } from './container-options.js';
import { assertHardened, hardeningViolations } from './hardening-guard.js';
import { HARDENING_RULES } from './hardening-rules.js';
import { sampleSpec } from './sample-spec.fixture.js';
import { viewOfCreateOptions } from './to-config-view.js';

const MiB = 1024 * 1024;
const spec = sampleSpec();

function weakened(
  mutate: (
    o: ContainerCreateOptions & { HostConfig: NonNullable<ContainerCreateOptions['HostConfig']> },
  ) => void,
): string[] {
  const options = toCreateOptions(spec) as ContainerCreateOptions & {
    HostConfig: NonNullable<ContainerCreateOptions['HostConfig']>;
  };
  mutate(options);
  return hardeningViolations(viewOfCreateOptions(options)).map((v) => v.id);
}

describe('toCreateOptions', () => {
  it('produces options with every setting of the hardening contract (docs/architecture.md)', () => {
    const o = toCreateOptions(spec);
    expect(hardeningViolations(viewOfCreateOptions(o))).toEqual([]);
    expect(o.User).toBe('1000:1000');
    expect(o.HostConfig).toMatchObject({
      Init: true,
      CapDrop: ['ALL'],
      ReadonlyRootfs: true,
      NetworkMode: 'none',
      Memory: 1024 * MiB,
      MemorySwap: 1024 * MiB,
      NanoCpus: 1e9,
      PidsLimit: 256,
      ShmSize: 16 * MiB,
      Privileged: false,
    });
    expect(o.HostConfig?.SecurityOpt).toEqual(['no-new-privileges:true', `seccomp=${spec.seccompJson}`]);
    expect(o.HostConfig?.Tmpfs?.['/workspace']).toBe(
      `rw,exec,nosuid,nodev,size=${512 * MiB},uid=1000,gid=1000,mode=0700`,
    );
    expect(o.HostConfig?.Tmpfs?.['/tmp']).toBe(`rw,noexec,nosuid,nodev,size=${64 * MiB},mode=1777`);
    expect(o.HostConfig?.Tmpfs?.['/skills']).toBe(
      `rw,noexec,nosuid,nodev,size=${32 * MiB},uid=1000,gid=1000,mode=0700`,
    );
    expect(o.HostConfig?.Mounts).toEqual([
      {
        Type: 'bind',
        Source: spec.socketDir,
        Target: '/run/agentd',
        ReadOnly: true,
        BindOptions: { Propagation: 'rprivate' },
      },
    ]);
    expect(o.HostConfig?.Ulimits?.map((u) => u.Name)).toEqual(['nofile', 'nproc', 'fsize', 'core']);
  });

  it('requests AppArmor only when told the kernel enforces it', () => {
    expect(toCreateOptions({ ...spec, apparmorProfile: 'agentd-sandbox' }).HostConfig?.SecurityOpt).toContain(
      'apparmor=agentd-sandbox',
    );
  });
});

type Mutable = ContainerCreateOptions & { HostConfig: NonNullable<ContainerCreateOptions['HostConfig']> };
const hostConfig = (o: Mutable): Record<string, unknown> => o.HostConfig as Record<string, unknown>;

describe('hardeningViolations', () => {
  it.each([
    ['privileged', (o) => (o.HostConfig.Privileged = true), ['privileged']],
    ['host user namespace', (o) => (o.HostConfig.UsernsMode = 'host'), ['userns.mode']],
    ['host pid namespace', (o) => (o.HostConfig.PidMode = 'host'), ['ns.pid']],
    ['host uts namespace', (o) => (o.HostConfig.UTSMode = 'host'), ['ns.uts']],
    ['host cgroup namespace', (o) => (hostConfig(o).CgroupnsMode = 'host'), ['ns.cgroup']],
    ['shared ipc namespace', (o) => (o.HostConfig.IpcMode = 'container:abc'), ['ns.ipc']],
    ['host network', (o) => (o.HostConfig.NetworkMode = 'host'), ['network']],
    ['networking left enabled', (o) => (o.NetworkDisabled = false), ['network']],
    ['port bindings', (o) => (o.HostConfig.PortBindings = { '80/tcp': [{ HostPort: '8080' }] }), ['ports']],
    ['exposed ports', (o) => (o.ExposedPorts = { '80/tcp': {} }), ['ports']],
    ['all ports published', (o) => (o.HostConfig.PublishAllPorts = true), ['ports']],
    [
      'a device',
      (o) =>
        (o.HostConfig.Devices = [
          { PathOnHost: '/dev/kvm', PathInContainer: '/dev/kvm', CgroupPermissions: 'rwm' },
        ]),
      ['devices'],
    ],
    ['a GPU request', (o) => (hostConfig(o).DeviceRequests = [{ Count: -1 }]), ['devices']],
    ['an added capability', (o) => (o.HostConfig.CapAdd = ['SYS_ADMIN']), ['caps.dropped']],
    ['capabilities kept', (o) => (o.HostConfig.CapDrop = []), ['caps.dropped']],
    [
      'seccomp unconfined',
      (o) => (o.HostConfig.SecurityOpt = ['no-new-privileges:true', 'seccomp=unconfined']),
      ['seccomp.profile'],
    ],
    [
      'a second seccomp profile',
      (o) => (o.HostConfig.SecurityOpt = [...(o.HostConfig.SecurityOpt as string[]), 'seccomp={}']),
      ['seccomp.profile'],
    ],
    [
      'no no-new-privileges',
      (o) => (o.HostConfig.SecurityOpt = [`seccomp=${spec.seccompJson}`]),
      ['no-new-privileges'],
    ],
    [
      'apparmor unconfined',
      (o) => (o.HostConfig.SecurityOpt = [...(o.HostConfig.SecurityOpt as string[]), 'apparmor=unconfined']),
      ['lsm.not-disabled'],
    ],
    [
      'SELinux labels disabled',
      (o) => (o.HostConfig.SecurityOpt = [...(o.HostConfig.SecurityOpt as string[]), 'label=disable']),
      ['lsm.not-disabled'],
    ],
    ['writable root', (o) => (o.HostConfig.ReadonlyRootfs = false), ['rootfs.readonly']],
    [
      'the docker socket',
      (o) =>
        o.HostConfig.Mounts?.push({
          Type: 'bind',
          Source: '/var/run/docker.sock',
          Target: '/var/run/docker.sock',
        }),
      ['mounts.host', 'engine-socket'],
    ],
    ['a bind', (o) => (o.HostConfig.Binds = ['/:/host']), ['mounts.host']],
    ['a volume', (o) => (o.Volumes = { '/data': {} }), ['mounts.host']],
    ['volumes from another container', (o) => (o.HostConfig.VolumesFrom = ['other']), ['mounts.host']],
    [
      'a writable socket dir',
      (o) => o.HostConfig.Mounts?.forEach((m) => (m.ReadOnly = false)),
      ['mounts.host'],
    ],
    [
      'shared mount propagation',
      (o) => o.HostConfig.Mounts?.forEach((m) => (m.BindOptions = { Propagation: 'rshared' })),
      ['mounts.propagation'],
    ],
    ['swap', (o) => (o.HostConfig.MemorySwap = -1), ['memory']],
    ['no CPU limit', (o) => (o.HostConfig.NanoCpus = 0), ['cpu']],
    ['no pids limit', (o) => (o.HostConfig.PidsLimit = 0), ['pids']],
    ['the OOM killer disabled', (o) => (o.HostConfig.OomKillDisable = true), ['oom-kill']],
    [
      'core dumps',
      (o) => (o.HostConfig.Ulimits = o.HostConfig.Ulimits?.filter((u) => u.Name !== 'core')),
      ['ulimits'],
    ],
    ['unbounded logs', (o) => (o.HostConfig.LogConfig = { Type: 'json-file', Config: {} }), ['logging']],
    ['restart forever', (o) => (o.HostConfig.RestartPolicy = { Name: 'always' }), ['restart']],
    ['a custom cgroup parent', (o) => (o.HostConfig.CgroupParent = '/host.slice'), ['cgroup-parent']],
    ['root user', (o) => (o.User = '0:0'), ['user']],
    ['no init', (o) => (o.HostConfig.Init = false), ['init']],
    [
      'unsized tmpfs',
      (o) => (o.HostConfig.Tmpfs = { '/workspace': 'rw,exec', '/tmp': 'rw,nosuid,nodev,size=1' }),
      ['tmpfs'],
    ],
    [
      'an extra tmpfs',
      (o) => (o.HostConfig.Tmpfs = { ...o.HostConfig.Tmpfs, '/var': 'rw,nosuid,nodev,size=1' }),
      ['tmpfs'],
    ],
    ['no managed label', (o) => (o.Labels = {}), ['labels']],
  ] as [string, (o: Mutable) => void, string[]][])(
    'refuses %s (and only that)',
    (_name, mutate, expected) => {
      expect(weakened(mutate)).toEqual(expected);
    },
  );

  it('never refuses on a rule that does not apply', () => {
    const notApplicable = HARDENING_RULES.filter(
      (r) => r.check(viewOfCreateOptions(toCreateOptions(spec))).status === 'not_applicable',
    ).map((r) => r.id);
    expect(notApplicable).toEqual(['host-interface', 'healthcheck']);
  });

  it('throws SANDBOX_START_FAILED listing every violation with its rule id', () => {
    const options = toCreateOptions(spec);
    options.HostConfig = { ...options.HostConfig, Privileged: true, CapAdd: ['NET_ADMIN'] };
    expect(() => assertHardened(options)).toThrow(/caps\.dropped: [\s\S]*NET_ADMIN[\s\S]*privileged: /);
  });
});
