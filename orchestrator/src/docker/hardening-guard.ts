import type { ContainerCreateOptions } from 'dockerode';
import { AgentdError } from '../common/errors.js';
import { SANDBOX_USER, SOCKET_MOUNT_POINT } from './hardened-spec.js';

const HOST_MODES = /^(host|container:)/;

/** The HostConfig fields the guard reads, typed (dockerode types several of them as any). */
type HostConfigView = Omit<
  NonNullable<ContainerCreateOptions['HostConfig']>,
  | 'CapDrop'
  | 'CapAdd'
  | 'SecurityOpt'
  | 'LogConfig'
  | 'Devices'
  | 'DeviceRequests'
  | 'PortBindings'
  | 'VolumesFrom'
  | 'Binds'
> & {
  PortBindings?: Record<string, unknown>;
  VolumesFrom?: string[];
  Binds?: string[];
  CapDrop?: string[];
  CapAdd?: string[];
  SecurityOpt?: string[];
  LogConfig?: { Type?: string; Config?: Record<string, string> };
  Devices?: unknown[];
  DeviceRequests?: unknown[];
  CgroupnsMode?: string;
};

/**
 * Every way the create options could weaken a sandbox. Runs on the final options right before the Engine
 * API call, so a bug anywhere upstream cannot create a weaker container than the profile describes.
 */
export function hardeningViolations(options: ContainerCreateOptions): string[] {
  const v: string[] = [];
  const hc = options.HostConfig as HostConfigView | undefined;
  if (!hc) return ['HostConfig is missing'];
  if (options.User !== SANDBOX_USER) v.push(`User must be ${SANDBOX_USER}, got ${String(options.User)}`);
  if (hc.Privileged !== false) v.push('Privileged must be false');
  if (hc.Init !== true) v.push('Init must be true');
  if (!hc.CapDrop?.includes('ALL')) v.push('CapDrop must contain ALL');
  if ((hc.CapAdd ?? []).length > 0) v.push(`CapAdd must be empty, got ${JSON.stringify(hc.CapAdd)}`);
  const securityOpt = hc.SecurityOpt ?? [];
  if (!securityOpt.some((o) => o === 'no-new-privileges' || o === 'no-new-privileges:true')) {
    v.push('SecurityOpt must contain no-new-privileges');
  }
  const seccomp = securityOpt.filter((o) => o.startsWith('seccomp=') || o.startsWith('seccomp:'));
  if (seccomp.length !== 1 || /^seccomp[=:]unconfined$/.test(seccomp[0] ?? '')) {
    v.push('SecurityOpt must contain exactly one seccomp profile, never unconfined');
  }
  if (securityOpt.some((o) => /^apparmor[=:]unconfined$/.test(o) || o.startsWith('label'))) {
    v.push('SecurityOpt must not disable AppArmor or set SELinux labels');
  }
  if (hc.ReadonlyRootfs !== true) v.push('ReadonlyRootfs must be true');
  if (hc.NetworkMode !== 'none' || options.NetworkDisabled !== true) v.push('NetworkMode must be none');
  if (hc.UsernsMode !== undefined && hc.UsernsMode !== '')
    v.push(`UsernsMode must be unset, got ${hc.UsernsMode}`);
  for (const [field, value] of [
    ['PidMode', hc.PidMode],
    ['IpcMode', hc.IpcMode],
    ['UTSMode', hc.UTSMode],
  ] as const) {
    if (value !== undefined && HOST_MODES.test(value))
      v.push(`${field} must not share a namespace (${value})`);
  }
  if (hc.CgroupnsMode !== 'private')
    v.push(`CgroupnsMode must be private, got ${hc.CgroupnsMode ?? 'the engine default'}`);
  if (hc.PublishAllPorts === true) v.push('PublishAllPorts must be false');
  if (Object.keys(hc.PortBindings ?? {}).length > 0) v.push('PortBindings must be empty');
  if (Object.keys((options.ExposedPorts as Record<string, unknown> | undefined) ?? {}).length > 0)
    v.push('ExposedPorts must be empty');
  if ((hc.Devices ?? []).length > 0) v.push('Devices must be empty');
  if ((hc.DeviceRequests ?? []).length > 0) v.push('DeviceRequests must be empty');
  if ((hc.Binds ?? []).length > 0) v.push('Binds must be empty (the socket dir is the one mount)');
  if ((hc.VolumesFrom ?? []).length > 0) v.push('VolumesFrom must be empty');
  if (Object.keys((options.Volumes as Record<string, unknown> | undefined) ?? {}).length > 0)
    v.push('Volumes must be empty');
  const mounts = hc.Mounts ?? [];
  if (mounts.length !== 1)
    v.push(`exactly one mount (${SOCKET_MOUNT_POINT}) is allowed, got ${mounts.length}`);
  for (const m of mounts) {
    if (m.Type !== 'bind' || m.Target !== SOCKET_MOUNT_POINT || m.ReadOnly !== true) {
      v.push(`only a read-only bind at ${SOCKET_MOUNT_POINT} is allowed, got ${m.Type} ${m.Target}`);
    }
    if (/docker\.sock|containerd\.sock/.test(m.Source))
      v.push(`mount source ${m.Source} looks like an engine socket`);
  }
  if (!(typeof hc.Memory === 'number' && hc.Memory > 0 && hc.MemorySwap === hc.Memory)) {
    v.push('Memory must be set and MemorySwap must equal it (no swap)');
  }
  if (!(typeof hc.PidsLimit === 'number' && hc.PidsLimit > 0)) v.push('PidsLimit must be positive');
  if (!(typeof hc.NanoCpus === 'number' && hc.NanoCpus > 0)) v.push('NanoCpus must be positive');
  for (const name of ['nofile', 'nproc', 'fsize', 'core']) {
    if (!(hc.Ulimits ?? []).some((u) => u.Name === name)) v.push(`Ulimits must set ${name}`);
  }
  if (hc.OomKillDisable === true) v.push('OomKillDisable must not be true');
  if (hc.LogConfig?.Type !== 'json-file' || !hc.LogConfig.Config?.['max-size']) {
    v.push('LogConfig must be json-file with max-size');
  }
  if (
    Object.keys(hc.Tmpfs ?? {})
      .sort()
      .join(',') !== '/tmp,/workspace'
  )
    v.push('Tmpfs must be /tmp and /workspace');
  for (const [target, opts] of Object.entries(hc.Tmpfs ?? {})) {
    if (!/(^|,)size=\d+/.test(opts) || !opts.includes('nosuid') || !opts.includes('nodev')) {
      v.push(`tmpfs ${target} must have size=, nosuid and nodev`);
    }
  }
  if (options.Labels?.['agentd.managed'] !== 'true') v.push('label agentd.managed=true is required');
  return v;
}

export function assertHardened(options: ContainerCreateOptions): void {
  const violations = hardeningViolations(options);
  if (violations.length > 0) {
    throw new AgentdError(
      'SANDBOX_START_FAILED',
      `refusing to create a weakened sandbox:\n  - ${violations.join('\n  - ')}`,
      {
        severity: 'critical',
        details: { violations },
      },
    );
  }
}
