import { createHash } from 'node:crypto';
import type { ContainerConfigView } from '../docker/container-config-view.js';
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

/** What the audit knows about one sandbox beyond its settings. */
export interface SandboxFacts {
  config: ContainerConfigView;
  proc: ProcFacts | undefined;
  processes: string[];
  profile: SandboxProfile | undefined;
  apparmor: AppArmorFacts;
  runner: RunnerView | RunnerAbsence;
}

/** Why the runner's view is missing: a frozen (idle, paused) sandbox's runner cannot answer by design. */
export type RunnerAbsence = 'unreachable' | 'not_connected' | 'frozen';

export function check(
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

/*
 * Facts the settings cannot show: read from the host's /proc for the container's init, from `docker top`,
 * and from the runner (a cross-check that can only fail a sandbox, never pass one). A process that cannot be
 * read fails its check: never a PASS on missing evidence.
 */

export const capsEffective = ({ proc }: SandboxFacts): CheckResult =>
  check(
    'caps.effective',
    'No effective capabilities (kernel)',
    'host',
    proc ? proc.capEff === '0000000000000000' : 'fail',
    'CapEff 0000000000000000',
    proc?.capEff ?? 'process not readable',
  );

export const noSshd = ({ processes }: SandboxFacts): CheckResult => {
  const sshd = processes.some((p) => /(^|\/)sshd(\s|$)/.test(p));
  return check(
    'sshd',
    'No SSH daemon inside',
    'engine',
    !sshd,
    'no sshd process',
    sshd ? 'sshd running' : `${processes.length} processes, no sshd`,
    '5.6',
  );
};

export const rootMountedReadonly = ({ proc }: SandboxFacts): CheckResult =>
  check(
    'rootfs.mounted-ro',
    'Root mounted read-only (kernel)',
    'host',
    proc?.rootMountOptions?.split(',').includes('ro') ?? 'fail',
    'ro',
    proc?.rootMountOptions ?? 'mountinfo not readable',
  );

export const seccompLoaded = ({ proc }: SandboxFacts): CheckResult =>
  check(
    'seccomp.loaded',
    'Seccomp filter loaded (kernel)',
    'host',
    proc ? proc.seccomp === '2' : 'fail',
    'Seccomp 2',
    proc?.seccomp ?? 'process not readable',
  );

/** Only when the sandbox's profile is known: the engine must hold exactly that profile's filter. */
export const seccompMatchesProfile = ({ config, profile }: SandboxFacts): CheckResult[] => {
  if (!profile) return [];
  const expected = createHash('sha256').update(profile.seccompJson).digest('hex');
  const option = config.securityOpt.find((o) => o.startsWith('seccomp=') || o.startsWith('seccomp:'));
  const actualJson = option?.replace(/^seccomp[=:]/, '');
  let actual = 'none';
  try {
    if (actualJson)
      actual = createHash('sha256')
        .update(JSON.stringify(JSON.parse(actualJson)))
        .digest('hex');
  } catch {
    actual = 'not JSON';
  }
  return [
    check(
      'seccomp.matches-profile',
      `Seccomp is the ${profile.name} profile's`,
      'engine',
      actual === expected,
      expected.slice(0, 16),
      actual.slice(0, 16),
    ),
  ];
};

export const noNewPrivsLoaded = ({ proc }: SandboxFacts): CheckResult =>
  check(
    'no-new-privileges.kernel',
    'NoNewPrivs (kernel)',
    'host',
    proc ? proc.noNewPrivs === '1' : 'fail',
    'NoNewPrivs 1',
    proc?.noNewPrivs ?? 'process not readable',
  );

export const usernsRemapped = ({ proc }: SandboxFacts): CheckResult => {
  const identityMap = proc?.uidMap?.join(' ') === '0 0 4294967295';
  return check(
    'userns.remapped',
    'User namespace remapped (kernel)',
    'host',
    proc?.uidMap ? !identityMap : 'fail',
    'uid_map not 0 0 4294967295',
    proc?.uidMap?.join(' ') ?? 'not readable',
  );
};

/** Docker accepts an AppArmor option on a kernel without AppArmor and ignores it: say so, never pass it. */
export const apparmorEnforced = ({ config, proc, apparmor }: SandboxFacts): CheckResult => {
  if (!apparmor.enforced) {
    const requested = config.securityOpt.find((o) => o.startsWith('apparmor='));
    return check(
      'apparmor',
      'AppArmor profile enforced',
      'host',
      'not_enforced',
      'agentd-sandbox (enforce)',
      `not enforced on this host: ${apparmor.reason}${requested ? `; ${requested} requested anyway` : ''}`,
    );
  }
  return check(
    'apparmor',
    'AppArmor profile enforced',
    'host',
    proc?.apparmorLabel?.startsWith('agentd-sandbox') ?? false,
    'agentd-sandbox (enforce)',
    proc?.apparmorLabel ?? 'not readable',
  );
};

export const runnerAgrees = ({ proc, runner }: SandboxFacts): CheckResult[] => {
  const title = 'The runner sees what the host sees';
  if (runner === 'not_connected' || runner === 'unreachable' || runner === 'frozen') {
    return [
      check(
        'runner.cross-check',
        title,
        'runner',
        'not_applicable',
        'same uid, capabilities, NoNewPrivs, seccomp',
        {
          not_connected: 'not applicable: no runner is connected to agentd',
          unreachable: 'not applicable: the runner did not answer',
          frozen: 'not applicable: frozen (idle sandbox, processes paused)',
        }[runner],
      ),
    ];
  }
  if (!proc) return [];
  const agrees =
    runner.capEff === proc.capEff &&
    runner.noNewPrivs === proc.noNewPrivs &&
    runner.seccomp === proc.seccomp &&
    runner.uid === 1000;
  return [
    check(
      'runner.cross-check',
      title,
      'runner',
      agrees,
      `uid 1000, CapEff ${proc.capEff ?? '?'}, NoNewPrivs ${proc.noNewPrivs ?? '?'}, Seccomp ${proc.seccomp ?? '?'}`,
      `uid ${runner.uid}, CapEff ${runner.capEff}, NoNewPrivs ${runner.noNewPrivs}, Seccomp ${runner.seccomp}`,
    ),
  ];
};
