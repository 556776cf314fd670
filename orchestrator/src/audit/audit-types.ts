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
  checks: CheckResult[];
  /** No check failed. */
  passed: boolean;
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
  summary: {
    sandboxes: number;
    failing: number;
    checks: number;
    failed: number;
    notEnforced: number;
    notApplicable: number;
  };
}
