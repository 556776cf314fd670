import { toCreateOptions } from '../docker/container-options.js';
import { sampleSpec } from '../docker/sample-spec.fixture.js';
import { viewOfCreateOptions } from '../docker/to-config-view.js';
import { ADVISORIES } from '../security/advisories.js';
import { assessPosture } from '../security/assess-posture.js';
import type { SandboxProfile } from '../sandbox/profile.js';
import type { ProfileEvidence } from './audit-filing.js';
import type { AuditReport, SandboxAudit } from './audit-types.js';
import { postureAudit } from './posture-audit.js';
import { SAMPLE_PROC_FACTS } from './sample-proc-facts.fixture.js';
import { sandboxChecks } from './sandbox-checks.js';

/** Markup, Markdown and a line break: what a sandbox could put into a fact the audit reports. */
export const HOSTILE =
  '</td><script>alert(1)</script><img src=x onerror=alert(2)>"\'&amp;|[x](javascript:alert(3))\n# heading `tick` *b*';

const seccompJson = '{"defaultAction":"SCMP_ACT_ERRNO"}';

function sandbox(id: string, options: { weak?: boolean; hostile?: boolean } = {}): SandboxAudit {
  const create = toCreateOptions(sampleSpec({ name: `agentd-${id}`, env: {}, seccompJson }));
  if (options.weak)
    create.HostConfig = { ...create.HostConfig, ReadonlyRootfs: false, CapAdd: ['NET_ADMIN'] };
  const checks = sandboxChecks({
    config: viewOfCreateOptions(create),
    proc: { ...SAMPLE_PROC_FACTS, rootMountOptions: options.weak ? 'rw,relatime' : 'ro,relatime' },
    processes: options.hostile ? [HOSTILE] : [],
    profile: { name: 'standard', seccompJson } as SandboxProfile,
    apparmor: { enforced: false, profileLoaded: null, reason: 'apparmor is not in the LSM list' },
    runner: 'not_connected',
  }).map((c) => (options.hostile && c.id === 'rootfs.readonly' ? { ...c, actual: HOSTILE } : c));
  return {
    sandboxId: id,
    containerId: `${id}00000000`.slice(0, 12),
    name: options.hostile ? HOSTILE : `agentd-${id}`,
    node: 'node-a',
    state: 'idle',
    tenantId: 'tenant-a',
    conversationId: options.hostile ? HOSTILE : 'c1',
    profile: 'standard',
    checks,
    passed: checks.every((c) => c.status !== 'fail'),
  };
}

/** Two live sandboxes (one weakened, carrying hostile strings) on a host with an affected runc. */
export function sampleAuditReport(): AuditReport {
  const sandboxes = [sandbox('good0001'), sandbox('weak0001', { weak: true, hostile: true })];
  const posture = postureAudit(
    'preferred',
    assessPosture(ADVISORIES, {
      engine: { version: '20.10.24+dfsg1' },
      containerd: { version: '1.6.20~ds1', gitCommit: '1.6.20~ds1-1+b1' },
      runc: { version: '1.1.5+ds1', gitCommit: '1.1.5+ds1-1+deb12u1' },
      kernel: { version: '6.18.0' },
    }),
    sandboxes,
  );
  const host = {
    node: 'node-a',
    engine: {
      version: '20.10.24+dfsg1',
      apiVersion: '1.41',
      operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.18.0',
      cgroupVersion: '1',
      runtimes: ['runc', 'io.containerd.runc.v2'],
    },
    lsms: ['lockdown', 'capability', 'landlock', 'bpf'],
    checks: [
      {
        id: 'host.apparmor',
        title: 'Kernel enforces AppArmor',
        status: 'not_enforced' as const,
        source: 'host' as const,
        expected: 'apparmor in the LSM list, agentd-sandbox loaded',
        actual: 'apparmor is not in the LSM list',
      },
    ],
  };
  const all = [...host.checks, ...sandboxes.flatMap((s) => s.checks)];
  return {
    generatedAt: '2026-12-06T17:30:00.000Z',
    node: 'node-a',
    host,
    sandboxes,
    posture,
    summary: {
      sandboxes: sandboxes.length,
      failing: sandboxes.filter((s) => !s.passed).length,
      checks: all.length,
      failed: all.filter((c) => c.status === 'fail').length,
      notEnforced: all.filter((c) => c.status === 'not_enforced').length,
      notApplicable: all.filter((c) => c.status === 'not_applicable').length,
    },
  };
}

export const SAMPLE_PROFILES: ProfileEvidence[] = [
  {
    name: 'standard',
    version: 3,
    description: 'default profile',
    runtime: 'runc',
    network: 'none',
    limits: { memoryMb: 512, cpus: 1, pids: 256 },
    seccompProfile: 'deployment/seccomp/agent-sandbox.json',
    seccompSha256: 'a'.repeat(64),
    apparmorProfile: 'agentd-sandbox',
    apparmorSha256: 'b'.repeat(64),
  },
];
