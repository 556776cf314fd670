import type { ContainerCreateOptions } from 'dockerode';
import { describe, expect, it } from 'vitest';
import { toCreateOptions } from './container-options.js';
import { assertHardened, hardeningViolations } from './hardening-guard.js';
import type { HardenedContainerSpec } from './hardened-spec.js';

const MiB = 1024 * 1024;
const spec: HardenedContainerSpec = {
  name: 'agentd-test',
  image: 'agentd/sandbox-runner:test',
  labels: { 'agentd.managed': 'true' },
  env: { AGENTD_SOCKET: '/run/agentd/agentd.sock' },
  runtime: 'runc',
  seccompJson: '{"defaultAction":"SCMP_ACT_ERRNO"}',
  apparmorProfile: null,
  socketDir: '/var/lib/agentd/sandboxes/abcd1234',
  tmpExec: false,
  limits: {
    memoryBytes: 1024 * MiB,
    nanoCpus: 1e9,
    pidsLimit: 256,
    workspaceBytes: 512 * MiB,
    tmpBytes: 64 * MiB,
    shmBytes: 16 * MiB,
    nofile: 1024,
    nproc: 256,
    fsizeBytes: 512 * MiB,
  },
  log: { maxSize: '10m', maxFile: 3 },
  stopTimeoutSeconds: 5,
};

function weakened(
  mutate: (
    o: ContainerCreateOptions & { HostConfig: NonNullable<ContainerCreateOptions['HostConfig']> },
  ) => void,
): string[] {
  const options = toCreateOptions(spec) as ContainerCreateOptions & {
    HostConfig: NonNullable<ContainerCreateOptions['HostConfig']>;
  };
  mutate(options);
  return hardeningViolations(options);
}

describe('toCreateOptions', () => {
  it('produces options with every setting of the hardening contract (docs/architecture.md)', () => {
    const o = toCreateOptions(spec);
    expect(hardeningViolations(o)).toEqual([]);
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

describe('hardeningViolations', () => {
  it.each([
    ['privileged', (o) => (o.HostConfig.Privileged = true), /Privileged/],
    ['host user namespace', (o) => (o.HostConfig.UsernsMode = 'host'), /UsernsMode/],
    ['host pid namespace', (o) => (o.HostConfig.PidMode = 'host'), /PidMode/],
    ['host cgroup namespace', (o) => Object.assign(o.HostConfig, { CgroupnsMode: 'host' }), /CgroupnsMode/],
    ['shared ipc namespace', (o) => (o.HostConfig.IpcMode = 'container:abc'), /IpcMode/],
    ['host network', (o) => (o.HostConfig.NetworkMode = 'host'), /NetworkMode/],
    [
      'port bindings',
      (o) => (o.HostConfig.PortBindings = { '80/tcp': [{ HostPort: '8080' }] }),
      /PortBindings/,
    ],
    [
      'a device',
      (o) =>
        (o.HostConfig.Devices = [
          { PathOnHost: '/dev/kvm', PathInContainer: '/dev/kvm', CgroupPermissions: 'rwm' },
        ]),
      /Devices/,
    ],
    ['an added capability', (o) => (o.HostConfig.CapAdd = ['SYS_ADMIN']), /CapAdd/],
    ['capabilities kept', (o) => (o.HostConfig.CapDrop = []), /CapDrop/],
    [
      'seccomp unconfined',
      (o) => (o.HostConfig.SecurityOpt = ['no-new-privileges:true', 'seccomp=unconfined']),
      /seccomp/,
    ],
    [
      'no no-new-privileges',
      (o) => (o.HostConfig.SecurityOpt = [`seccomp=${spec.seccompJson}`]),
      /no-new-privileges/,
    ],
    [
      'apparmor unconfined',
      (o) => (o.HostConfig.SecurityOpt = [...(o.HostConfig.SecurityOpt as string[]), 'apparmor=unconfined']),
      /AppArmor/,
    ],
    ['writable root', (o) => (o.HostConfig.ReadonlyRootfs = false), /ReadonlyRootfs/],
    [
      'the docker socket',
      (o) =>
        o.HostConfig.Mounts?.push({
          Type: 'bind',
          Source: '/var/run/docker.sock',
          Target: '/var/run/docker.sock',
        }),
      /docker\.sock|exactly one mount/,
    ],
    ['a bind', (o) => (o.HostConfig.Binds = ['/:/host']), /Binds/],
    [
      'a writable socket dir',
      (o) => o.HostConfig.Mounts?.forEach((m) => (m.ReadOnly = false)),
      /read-only bind/,
    ],
    ['swap', (o) => (o.HostConfig.MemorySwap = -1), /MemorySwap/],
    ['no pids limit', (o) => (o.HostConfig.PidsLimit = 0), /PidsLimit/],
    ['root user', (o) => (o.User = '0:0'), /User/],
    ['no init', (o) => (o.HostConfig.Init = false), /Init/],
    [
      'unsized tmpfs',
      (o) => (o.HostConfig.Tmpfs = { '/workspace': 'rw,exec', '/tmp': 'rw,nosuid,nodev,size=1' }),
      /tmpfs \/workspace/,
    ],
    ['no managed label', (o) => (o.Labels = {}), /agentd\.managed/],
  ] as [
    string,
    (o: ContainerCreateOptions & { HostConfig: NonNullable<ContainerCreateOptions['HostConfig']> }) => void,
    RegExp,
  ][])('refuses %s', (_name, mutate, expected) => {
    const violations = weakened(mutate);
    expect(violations.join('\n')).toMatch(expected);
  });

  it('throws SANDBOX_START_FAILED listing every violation', () => {
    const options = toCreateOptions(spec);
    options.HostConfig = { ...options.HostConfig, Privileged: true, CapAdd: ['NET_ADMIN'] };
    expect(() => assertHardened(options)).toThrow(/Privileged[\s\S]*CapAdd/);
  });
});
