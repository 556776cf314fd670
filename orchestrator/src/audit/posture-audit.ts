import type { MitigationId } from '../security/advisory-table.js';
import type { PostureAssessment } from '../security/assess-posture.js';
import type { MitigationState, PostureAudit, SandboxAudit } from './audit-types.js';

type Reader = (sandboxes: readonly SandboxAudit[]) => MitigationState;

/** uid_map triples (inside, outside, count): host root is unmapped when no range covers host uid 0. */
function hostRootUnmapped(uidMap: string): boolean {
  const fields = uidMap.trim().split(/\s+/).map(Number);
  if (fields.length === 0 || fields.length % 3 !== 0 || fields.some((n) => !Number.isFinite(n))) return false;
  for (let i = 0; i < fields.length; i += 3) {
    const outside = fields[i + 1] ?? 0;
    const count = fields[i + 2] ?? 0;
    if (outside <= 0 && 0 < outside + count) return false;
  }
  return true;
}

function fromChecks(id: MitigationId, checkIds: string[], holds?: (actual: string) => boolean): Reader {
  return (sandboxes) => {
    if (sandboxes.length === 0)
      return { id, present: null, evidence: 'not verifiable: no live sandbox on this node to read it from' };
    const failing: string[] = [];
    const seen = new Set<string>();
    for (const sandbox of sandboxes) {
      for (const checkId of checkIds) {
        const check = sandbox.checks.find((c) => c.id === checkId);
        const ok = check !== undefined && check.status === 'pass' && (holds?.(check.actual) ?? true);
        if (!ok) failing.push(`${sandbox.sandboxId}: ${checkId} ${check ? check.actual : 'missing'}`);
        else seen.add(`${checkId} ${check.actual}`);
      }
    }
    return failing.length > 0
      ? { id, present: false, evidence: failing.join('; ') }
      : { id, present: true, evidence: `${sandboxes.length} sandbox(es): ${[...seen].join('; ')}` };
  };
}

const READERS: Record<MitigationId, Reader> = {
  'userns-host-root-unmapped': fromChecks('userns-host-root-unmapped', ['userns.remapped'], hostRootUnmapped),
  'readonly-rootfs': fromChecks('readonly-rootfs', ['rootfs.readonly', 'rootfs.mounted-ro']),
  'fresh-tmpfs': fromChecks('fresh-tmpfs', ['tmpfs']),
  'no-shared-volumes': fromChecks('no-shared-volumes', ['mounts.host']),
};

/** Each finding with the state of the mitigations that matter for it, on this node's live sandboxes. */
export function postureAudit(
  mode: string,
  assessment: PostureAssessment,
  sandboxes: readonly SandboxAudit[],
): PostureAudit {
  return {
    mode,
    tableVersion: assessment.tableVersion,
    tableReviewed: assessment.tableReviewed,
    versions: assessment.versions,
    findings: assessment.findings.map((finding) => ({
      ...finding,
      mitigationsPresent: finding.mitigations.map((m) => READERS[m](sandboxes)),
    })),
    unverified: assessment.unverified,
  };
}
