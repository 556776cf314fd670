import type { ContainerCreateOptions, HostConfig } from 'dockerode';
import {
  SKILLS_DIR,
  SKILLS_TMPFS_BYTES,
  SANDBOX_UID,
  SANDBOX_USER,
  SOCKET_MOUNT_POINT,
  WORKSPACE_DIR,
  type HardenedContainerSpec,
} from './hardened-spec.js';

/** HostConfig with the fields dockerode's types lack. */
export type SandboxHostConfig = HostConfig & { CgroupnsMode: 'private' };

/** Translates a hardened spec into Engine API create options (docs/architecture.md: hardening). Pure. */
export function toCreateOptions(spec: HardenedContainerSpec): ContainerCreateOptions {
  const { limits } = spec;
  const securityOpt = ['no-new-privileges:true', `seccomp=${spec.seccompJson}`];
  if (spec.apparmorProfile !== null) securityOpt.push(`apparmor=${spec.apparmorProfile}`);
  const tmpExec = spec.tmpExec ? 'exec' : 'noexec';
  const hostConfig: SandboxHostConfig = {
    Runtime: spec.runtime,
    Init: true,
    Privileged: false,
    CapDrop: ['ALL'],
    CapAdd: [],
    SecurityOpt: securityOpt,
    ReadonlyRootfs: true,
    NetworkMode: 'none',
    IpcMode: 'private',
    // The engine defaults to the host cgroup namespace on cgroup v1, which shows host cgroup paths inside.
    CgroupnsMode: 'private',
    PublishAllPorts: false,
    PortBindings: {},
    Devices: [],
    Mounts: [
      {
        Type: 'bind',
        Source: spec.socketDir,
        Target: SOCKET_MOUNT_POINT,
        ReadOnly: true,
        BindOptions: { Propagation: 'rprivate' },
      },
    ],
    Tmpfs: {
      // Agents must be able to run what they build in /workspace; /tmp follows the profile.
      [WORKSPACE_DIR]: `rw,exec,nosuid,nodev,size=${limits.workspaceBytes},uid=${SANDBOX_UID},gid=${SANDBOX_UID},mode=0700`,
      '/tmp': `rw,${tmpExec},nosuid,nodev,size=${limits.tmpBytes},mode=1777`,
      // Skill scripts run through an interpreter (python3 /skills/x/run.py); nothing there needs exec.
      [SKILLS_DIR]: `rw,noexec,nosuid,nodev,size=${SKILLS_TMPFS_BYTES},uid=${SANDBOX_UID},gid=${SANDBOX_UID},mode=0700`,
    },
    ShmSize: limits.shmBytes,
    Memory: limits.memoryBytes,
    MemorySwap: limits.memoryBytes,
    NanoCpus: limits.nanoCpus,
    PidsLimit: limits.pidsLimit,
    OomKillDisable: false,
    Ulimits: [
      { Name: 'nofile', Soft: limits.nofile, Hard: limits.nofile },
      { Name: 'nproc', Soft: limits.nproc, Hard: limits.nproc },
      { Name: 'fsize', Soft: limits.fsizeBytes, Hard: limits.fsizeBytes },
      { Name: 'core', Soft: 0, Hard: 0 },
    ],
    LogConfig: {
      Type: 'json-file',
      Config: { 'max-size': spec.log.maxSize, 'max-file': String(spec.log.maxFile) },
    },
    RestartPolicy: { Name: 'no' },
    AutoRemove: false,
  };
  return {
    name: spec.name,
    Image: spec.image,
    User: SANDBOX_USER,
    WorkingDir: WORKSPACE_DIR,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    Labels: spec.labels,
    NetworkDisabled: true,
    StopTimeout: spec.stopTimeoutSeconds,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    HostConfig: hostConfig,
  };
}
