import type { MitigationId } from '../security/advisory-table.js';
import type { PostureAssessment, PostureFinding } from '../security/assess-posture.js';

/**
 * pass / fail: verified. not_applicable: the control does not apply to a sandbox (the reason says why).
 * not_enforced: the host lacks the mechanism (AppArmor on a kernel without it) — reported, never as passing.
 */
export type CheckStatus = 'pass' | 'fail' | 'not_applicable' | 'not_enforced';

/** Where a fact came from: the engine's inspect, the host's /proc, or the runner inside (a cross-check only). */
export type CheckSource = 'engine' | 'host' | 'runner';

export interface CheckResult {
  id: string;
  /** CIS Docker Benchmark section, where the check comes from there. */
  cis?: string;
  title: string;
  status: CheckStatus;
  source: CheckSource;
  expected: string;
  actual: string;
}

export interface SandboxAudit {
  sandboxId: string;
  containerId: string;
  name: string;
  node: string;
  /** Registry state, or `unregistered` for a labelled container the registry does not know. */
  state: string;
  tenantId: string | null;
  conversationId: string | null;
  profile: string | null;
  /**
   * The egress a run in this sandbox gets now (the tenant's policy, else its profile's): `none` means no way out at
   * all; with `allowlist` the sandbox still has only `lo` and every connection goes through agentd.
   */
  egress?: SandboxEgressView;
  checks: CheckResult[];
  /** No check failed. */
  passed: boolean;
}

export interface SandboxEgressView {
  mode: 'none' | 'allowlist';
  /** Where the policy comes from: the tenant's override, the profile's in the lifecycle policy, or neither. */
  source: 'tenant' | 'profile' | 'default';
  allow: string[];
  deny: string[];
  allowAddresses: string[];
  maxConnections: number;
  maxBytesPerRun: number;
}

export interface HostAudit {
  node: string;
  engine: {
    version: string;
    apiVersion: string;
    operatingSystem: string;
    kernel: string;
    cgroupVersion: string;
    runtimes: string[];
  };
  lsms: string[] | null;
  checks: CheckResult[];
}

export interface AuditReport {
  generatedAt: string;
  node: string;
  host: HostAudit;
  sandboxes: SandboxAudit[];
  /** Known vulnerabilities of the runtime under the sandboxes, with the mitigations present for each. */
  posture?: PostureAudit;
  summary: {
    sandboxes: number;
    failing: number;
    checks: number;
    failed: number;
    notEnforced: number;
    notApplicable: number;
  };
}

/** Whether a mitigation holds on every live sandbox of this node, read from the audit's own checks. */
export interface MitigationState {
  id: MitigationId;
  /** null: not verifiable now (no live sandbox to read it from). */
  present: boolean | null;
  evidence: string;
}

export interface PostureAuditFinding extends PostureFinding {
  mitigationsPresent: MitigationState[];
}

export interface PostureAudit {
  mode: string;
  tableVersion: number;
  tableReviewed: string;
  versions: PostureAssessment['versions'];
  findings: PostureAuditFinding[];
  unverified: string[];
}
