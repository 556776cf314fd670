import { createHash } from 'node:crypto';
import type { ContainerInspect } from '../docker/docker-engine.js';
import { LABELS } from '../docker/labels.js';
import type { SandboxProfile } from '../sandbox/profile.js';
import type { AppArmorFacts } from '../security/host-security.js';
import type { CheckResult, CheckStatus } from './audit-types.js';
import type { ProcFacts } from './proc-facts.js';

/** The runner's own view of its process, for a cross-check against the host's (never trusted alone). */
export interface RunnerView {
  uid: number;
  capEff: string;
  noNewPrivs: string;
  seccomp: string;
}

export interface SandboxCheckInput {
  inspect: ContainerInspect;
  proc: ProcFacts | undefined;
  processes: string[];
  profile: SandboxProfile | undefined;
  apparmor: AppArmorFacts;
  runner: RunnerView | 'unreachable' | 'not_connected';
}

/** HostConfig fields the checks read (dockerode types several of them loosely). */
interface HostConfigView {
  Privileged?: boolean;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  SecurityOpt?: string[] | null;
  ReadonlyRootfs?: boolean;
  NetworkMode?: string;
  PidMode?: string;
  IpcMode?: string;
  UTSMode?: string;
  UsernsMode?: string;
  CgroupnsMode?: string;
  CgroupParent?: string;
  PortBindings?: Record<string, unknown> | null;
  PublishAllPorts?: boolean;
  Devices?: unknown[] | null;
  Memory?: number;
  MemorySwap?: number;
  NanoCpus?: number;
  CpuQuota?: number;
  PidsLimit?: number | null;
  Ulimits?: { Name: string; Soft: number; Hard: number }[] | null;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
  Tmpfs?: Record<string, string> | null;
  Mounts?:
    | {
        Type?: string;
        Source?: string;
        Target?: string;
        ReadOnly?: boolean;
        BindOptions?: { Propagation?: string };
      }[]
    | null;
  Binds?: string[] | null;
}

const SENSITIVE =
  /^\/(|etc|boot|dev|lib|proc|sys|usr|bin|sbin|var\/run|run|var\/lib\/docker)(\/|$)|docker\.sock|containerd\.sock/;
const REQUIRED_LABELS = [LABELS.managed, LABELS.node, LABELS.profile, LABELS.created, LABELS.sandboxId];

function check(
  id: string,
  title: string,
  source: CheckResult['source'],
  ok: boolean | CheckStatus,
  expected: string,
  actual: string,
  cis?: string,
): CheckResult {
  const status: CheckStatus = typeof ok === 'boolean' ? (ok ? 'pass' : 'fail') : ok;
  return { id, ...(cis ? { cis } : {}), title, status, source, expected, actual };
}

/**
 * Every isolation check of one sandbox: the CIS Docker Benchmark's section 5 where it applies, and agentd's
 * own profile checks. Engine facts come from inspect, kernel facts from the host's /proc; nothing is taken
 * from the runner's word except the cross-check, which can only fail a sandbox, never pass one.
 */
export function sandboxChecks(input: SandboxCheckInput): CheckResult[] {
  const { inspect, proc } = input;
  const hc = inspect.HostConfig as unknown as HostConfigView;
  const labels = inspect.Config.Labels;
  // The engine omits ExposedPorts when there are none, whatever the types say.
  const exposedPorts = (inspect.Config as { ExposedPorts?: Record<string, unknown> | null }).ExposedPorts;
  const securityOpt = hc.SecurityOpt ?? [];
  const mounts = hc.Mounts ?? [];
  const ulimits = new Map((hc.Ulimits ?? []).map((u) => [u.Name, u.Hard]));
  const seccompOpt = securityOpt.find((o) => o.startsWith('seccomp=') || o.startsWith('seccomp:'));
  const results: CheckResult[] = [];
  const add = (...args: Parameters<typeof check>): void => {
    results.push(check(...args));
  };

  add(
    'caps.dropped',
    'All capabilities dropped, none added',
    'engine',
    (hc.CapDrop ?? []).includes('ALL') && (hc.CapAdd ?? []).length === 0,
    'CapDrop [ALL], CapAdd []',
    `CapDrop ${JSON.stringify(hc.CapDrop ?? [])}, CapAdd ${JSON.stringify(hc.CapAdd ?? [])}`,
    '5.3',
  );
  add(
    'caps.effective',
    'No effective capabilities (kernel)',
    'host',
    proc ? proc.capEff === '0000000000000000' : 'fail',
    'CapEff 0000000000000000',
    proc?.capEff ?? 'process not readable',
  );
  add(
    'privileged',
    'Not privileged',
    'engine',
    hc.Privileged !== true,
    'false',
    String(hc.Privileged ?? false),
    '5.4',
  );
  const sensitive = mounts.filter((m) => SENSITIVE.test(m.Source ?? '') || !m.ReadOnly);
  add(
    'mounts.host',
    'No sensitive host directories; the socket dir read-only',
    'engine',
    sensitive.length === 0 && (hc.Binds ?? []).length === 0,
    'one read-only bind at /run/agentd',
    mounts.map((m) => `${m.Source ?? '?'}:${m.Target ?? '?'}${m.ReadOnly ? ':ro' : ':rw'}`).join(', ') ||
      'none',
    '5.5',
  );
  const sshd = input.processes.some((p) => /(^|\/)sshd(\s|$)/.test(p));
  add(
    'sshd',
    'No SSH daemon inside',
    'engine',
    !sshd,
    'no sshd process',
    sshd ? 'sshd running' : `${input.processes.length} processes, no sshd`,
    '5.6',
  );
  const ports = Object.keys(hc.PortBindings ?? {}).length + Object.keys(exposedPorts ?? {}).length;
  add(
    'ports',
    'No ports published or exposed',
    'engine',
    ports === 0 && hc.PublishAllPorts !== true,
    'none',
    ports === 0 ? 'none' : `${ports} port(s)`,
    '5.7, 5.8',
  );
  add(
    'network',
    'No network (NetworkMode none)',
    'engine',
    hc.NetworkMode === 'none',
    'none',
    hc.NetworkMode ?? 'default',
    '5.9, 5.29',
  );
  add(
    'memory',
    'Memory limited, no swap',
    'engine',
    (hc.Memory ?? 0) > 0 && hc.MemorySwap === hc.Memory,
    'Memory > 0 and MemorySwap = Memory',
    `Memory ${hc.Memory ?? 0}, MemorySwap ${hc.MemorySwap ?? 0}`,
    '5.10',
  );
  add(
    'cpu',
    'CPU limited',
    'engine',
    (hc.NanoCpus ?? 0) > 0 || (hc.CpuQuota ?? 0) > 0,
    'NanoCpus > 0',
    `NanoCpus ${hc.NanoCpus ?? 0}`,
    '5.11',
  );
  add(
    'rootfs.readonly',
    'Read-only root filesystem',
    'engine',
    hc.ReadonlyRootfs === true,
    'true',
    String(hc.ReadonlyRootfs ?? false),
    '5.12',
  );
  add(
    'rootfs.mounted-ro',
    'Root mounted read-only (kernel)',
    'host',
    proc?.rootMountOptions?.split(',').includes('ro') ?? 'fail',
    'ro',
    proc?.rootMountOptions ?? 'mountinfo not readable',
  );
  add(
    'host-interface',
    'Not bound to a host interface',
    'engine',
    hc.NetworkMode === 'none' ? 'not_applicable' : ports === 0,
    'no bindings',
    hc.NetworkMode === 'none' ? 'not applicable: no network at all' : `${ports} bindings`,
    '5.13',
  );
  const restart = hc.RestartPolicy?.Name ?? 'no';
  add(
    'restart',
    'No unbounded restarts',
    'engine',
    restart === 'no' ||
      restart === '' ||
      (restart === 'on-failure' && (hc.RestartPolicy?.MaximumRetryCount ?? 0) <= 5),
    "'no' or on-failure ≤ 5",
    restart,
    '5.14',
  );
  add(
    'ns.pid',
    'Own PID namespace',
    'engine',
    !/^(host|container:)/.test(hc.PidMode ?? ''),
    'private',
    hc.PidMode || 'private',
    '5.15',
  );
  add(
    'ns.ipc',
    'Own IPC namespace',
    'engine',
    !/^(host|container:)/.test(hc.IpcMode ?? ''),
    'private',
    hc.IpcMode || 'private',
    '5.16',
  );
  add(
    'ns.uts',
    'Own UTS namespace',
    'engine',
    !/^(host|container:)/.test(hc.UTSMode ?? ''),
    'private',
    hc.UTSMode || 'private',
    '5.20',
  );
  add(
    'ns.cgroup',
    'Own cgroup namespace',
    'engine',
    hc.CgroupnsMode === 'private',
    'private',
    hc.CgroupnsMode ?? 'engine default',
  );
  add(
    'devices',
    'No host devices',
    'engine',
    (hc.Devices ?? []).length === 0,
    'none',
    `${(hc.Devices ?? []).length}`,
    '5.17',
  );
  const ulimitsOk = ['nofile', 'nproc', 'fsize'].every((n) => ulimits.has(n)) && ulimits.get('core') === 0;
  add(
    'ulimits',
    'ulimits set (nofile, nproc, fsize; core 0)',
    'engine',
    ulimitsOk,
    'nofile, nproc, fsize, core=0',
    [...ulimits].map(([n, v]) => `${n}=${v}`).join(', ') || 'none',
    '5.18',
  );
  const shared = mounts.filter((m) => /shared/.test(m.BindOptions?.Propagation ?? ''));
  add(
    'mounts.propagation',
    'Mount propagation not shared',
    'engine',
    shared.length === 0,
    'private',
    shared.length === 0 ? 'private' : 'shared',
    '5.19',
  );
  add(
    'seccomp.profile',
    'A seccomp profile, not unconfined',
    'engine',
    seccompOpt !== undefined && !/unconfined/.test(seccompOpt),
    'seccomp=<agentd profile>',
    seccompOpt === undefined
      ? 'engine default'
      : /unconfined/.test(seccompOpt)
        ? 'unconfined'
        : 'custom profile',
    '5.21',
  );
  add(
    'seccomp.loaded',
    'Seccomp filter loaded (kernel)',
    'host',
    proc ? proc.seccomp === '2' : 'fail',
    'Seccomp 2',
    proc?.seccomp ?? 'process not readable',
  );
  if (input.profile) {
    const expected = createHash('sha256').update(input.profile.seccompJson).digest('hex');
    const actualJson = seccompOpt?.replace(/^seccomp[=:]/, '');
    let actual = 'none';
    try {
      if (actualJson)
        actual = createHash('sha256')
          .update(JSON.stringify(JSON.parse(actualJson)))
          .digest('hex');
    } catch {
      actual = 'not JSON';
    }
    add(
      'seccomp.matches-profile',
      `Seccomp is the ${input.profile.name} profile's`,
      'engine',
      actual === expected,
      expected.slice(0, 16),
      actual.slice(0, 16),
    );
  }
  add(
    'cgroup-parent',
    'Default cgroup parent',
    'engine',
    (hc.CgroupParent ?? '') === '',
    'default',
    hc.CgroupParent || 'default',
    '5.24',
  );
  add(
    'no-new-privileges',
    'no-new-privileges set',
    'engine',
    securityOpt.some((o) => /^no-new-privileges(:true)?$/.test(o)),
    'no-new-privileges:true',
    securityOpt.filter((o) => !o.startsWith('seccomp')).join(', ') || 'none',
    '5.25',
  );
  add(
    'no-new-privileges.kernel',
    'NoNewPrivs (kernel)',
    'host',
    proc ? proc.noNewPrivs === '1' : 'fail',
    'NoNewPrivs 1',
    proc?.noNewPrivs ?? 'process not readable',
  );
  add(
    'healthcheck',
    'Health check',
    'engine',
    'not_applicable',
    'liveness checked',
    'not applicable: agentd checks the runner over its call-home socket (ping job), not with an engine HEALTHCHECK',
    '5.26',
  );
  add(
    'pids',
    'PIDs limited',
    'engine',
    (hc.PidsLimit ?? 0) > 0,
    'PidsLimit > 0',
    String(hc.PidsLimit ?? 'unlimited'),
    '5.28',
  );
  add(
    'userns.mode',
    'Not sharing the host user namespace',
    'engine',
    hc.UsernsMode !== 'host',
    'not host',
    hc.UsernsMode || 'engine default (remapped)',
    '5.30',
  );
  const identityMap = proc?.uidMap?.join(' ') === '0 0 4294967295';
  add(
    'userns.remapped',
    'User namespace remapped (kernel)',
    'host',
    proc?.uidMap ? !identityMap : 'fail',
    'uid_map not 0 0 4294967295',
    proc?.uidMap?.join(' ') ?? 'not readable',
  );
  const engineSocket = mounts.some((m) =>
    /docker\.sock|containerd\.sock/.test(`${m.Source ?? ''}${m.Target ?? ''}`),
  );
  add(
    'engine-socket',
    'Docker socket not mounted',
    'engine',
    !engineSocket,
    'not mounted',
    engineSocket ? 'mounted' : 'not mounted',
    '5.31',
  );
  add(
    'user',
    'Runs as uid 1000',
    'engine',
    inspect.Config.User === '1000:1000',
    '1000:1000',
    inspect.Config.User || 'image default (root)',
  );
  const tmpfs = hc.Tmpfs ?? {};
  const sized = ['/workspace', '/tmp'].every((t) => /(^|,)size=\d+/.test(tmpfs[t] ?? ''));
  add(
    'tmpfs',
    '/workspace and /tmp are sized tmpfs (nosuid, nodev)',
    'engine',
    sized && Object.values(tmpfs).every((o) => o.includes('nosuid') && o.includes('nodev')),
    'size=, nosuid, nodev',
    JSON.stringify(tmpfs),
  );
  const apparmorRequested = securityOpt.find((o) => o.startsWith('apparmor='));
  if (!input.apparmor.enforced) {
    add(
      'apparmor',
      'AppArmor profile enforced',
      'host',
      'not_enforced',
      'agentd-sandbox (enforce)',
      `not enforced on this host: ${input.apparmor.reason}${apparmorRequested ? `; ${apparmorRequested} requested anyway` : ''}`,
    );
  } else {
    add(
      'apparmor',
      'AppArmor profile enforced',
      'host',
      proc?.apparmorLabel?.startsWith('agentd-sandbox') ?? false,
      'agentd-sandbox (enforce)',
      proc?.apparmorLabel ?? 'not readable',
    );
  }
  const missing = REQUIRED_LABELS.filter((l) => !labels[l]);
  add(
    'labels',
    'agentd labels present',
    'engine',
    missing.length === 0,
    REQUIRED_LABELS.join(', '),
    missing.length === 0 ? 'all present' : `missing ${missing.join(', ')}`,
  );
  if (input.runner === 'not_connected' || input.runner === 'unreachable') {
    add(
      'runner.cross-check',
      'The runner sees what the host sees',
      'runner',
      'not_applicable',
      'same uid, capabilities, NoNewPrivs, seccomp',
      input.runner === 'not_connected'
        ? 'not applicable: no runner is connected to agentd'
        : 'not applicable: the runner did not answer',
    );
  } else if (proc) {
    const runner = input.runner;
    const agrees =
      runner.capEff === proc.capEff &&
      runner.noNewPrivs === proc.noNewPrivs &&
      runner.seccomp === proc.seccomp &&
      runner.uid === 1000;
    add(
      'runner.cross-check',
      'The runner sees what the host sees',
      'runner',
      agrees,
      `uid 1000, CapEff ${proc.capEff ?? '?'}, NoNewPrivs ${proc.noNewPrivs ?? '?'}, Seccomp ${proc.seccomp ?? '?'}`,
      `uid ${runner.uid}, CapEff ${runner.capEff}, NoNewPrivs ${runner.noNewPrivs}, Seccomp ${runner.seccomp}`,
    );
  }
  return results;
}
