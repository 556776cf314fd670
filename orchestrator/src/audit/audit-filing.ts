import { createHash } from 'node:crypto';
import type { AuditReport, CheckResult, CheckStatus } from './audit-types.js';

/** What a reviewer needs of one hardening profile: its settings and the digests of the files it applies. */
export interface ProfileEvidence {
  name: string;
  version: number;
  description: string;
  runtime: string;
  network: string;
  limits: unknown;
  seccompProfile: string;
  seccompSha256: string;
  apparmorProfile: string;
  apparmorSha256: string;
}

export type ResultCounts = Record<CheckStatus, number>;

export interface SignOff {
  reviewer: string | null;
  role: string | null;
  decision: (typeof SIGN_OFF_DECISIONS)[number] | null;
  exceptions: string | null;
  date: string | null;
  signature: string | null;
}

export const SIGN_OFF_DECISIONS = ['accepted', 'accepted with exceptions', 'rejected'] as const;

/**
 * The audit as a document to file: the evidence (the live audit and the profiles), counts by result, the
 * SHA-256 of the evidence (so a signed copy can be tied to the exact data) and an empty sign-off.
 */
export interface AuditFiling {
  title: string;
  generatedAt: string;
  node: string;
  agentdVersion: string;
  counts: {
    all: ResultCounts;
    host: ResultCounts;
    sandboxes: { total: number; passing: number; failing: number };
    profiles: number;
    postureFindings: number;
    postureUnverified: number;
  };
  /** sha256 of `JSON.stringify({ report, profiles })`, the two fields below as served in the JSON format. */
  evidenceSha256: string;
  signOff: SignOff;
  report: AuditReport;
  profiles: ProfileEvidence[];
}

export function countResults(checks: readonly CheckResult[]): ResultCounts {
  const counts: ResultCounts = { pass: 0, fail: 0, not_enforced: 0, not_applicable: 0 };
  for (const c of checks) counts[c.status] += 1;
  return counts;
}

export function buildAuditFiling(
  report: AuditReport,
  profiles: readonly ProfileEvidence[],
  agentdVersion: string,
): AuditFiling {
  const evidence = {
    report,
    profiles: profiles.map((p) => ({
      name: p.name,
      version: p.version,
      description: p.description,
      runtime: p.runtime,
      network: p.network,
      limits: p.limits,
      seccompProfile: p.seccompProfile,
      seccompSha256: p.seccompSha256,
      apparmorProfile: p.apparmorProfile,
      apparmorSha256: p.apparmorSha256,
    })),
  };
  const passing = report.sandboxes.filter((s) => s.passed).length;
  return {
    title: `agentd isolation audit — node ${report.node}`,
    generatedAt: report.generatedAt,
    node: report.node,
    agentdVersion,
    counts: {
      all: countResults([...report.host.checks, ...report.sandboxes.flatMap((s) => s.checks)]),
      host: countResults(report.host.checks),
      sandboxes: { total: report.sandboxes.length, passing, failing: report.sandboxes.length - passing },
      profiles: evidence.profiles.length,
      postureFindings: report.posture?.findings.length ?? 0,
      postureUnverified: report.posture?.unverified.length ?? 0,
    },
    evidenceSha256: createHash('sha256').update(JSON.stringify(evidence)).digest('hex'),
    signOff: { reviewer: null, role: null, decision: null, exceptions: null, date: null, signature: null },
    ...evidence,
  };
}
