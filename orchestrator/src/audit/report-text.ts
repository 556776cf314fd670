import { COMPONENTS } from '../security/advisory-table.js';
import type { CheckStatus, PostureAudit } from './audit-types.js';

/** The words every format uses for a result. */
export const RESULT_LABEL: Record<CheckStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  not_applicable: 'n/a',
  not_enforced: 'NOT ENFORCED',
};

/** The containerd and runc versions the posture check read from the engine (the host table shows engine and kernel). */
export function componentVersions(posture: PostureAudit | undefined): [string, string][] {
  return COMPONENTS.filter((c) => c === 'containerd' || c === 'runc').map((c) => {
    const v = posture?.versions[c];
    if (!v) return [c, 'not reported by the engine'];
    return [c, v.gitCommit && v.gitCommit !== v.version ? `${v.version} (${v.gitCommit})` : v.version];
  });
}
