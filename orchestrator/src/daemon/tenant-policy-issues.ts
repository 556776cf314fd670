import { isAgentdError, ValidationError } from '../common/errors.js';
import { egressPolicyIssues } from '../egress/egress-policy-issues.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';

/** Why a tenant policy's sandbox settings cannot be used (empty when they can), as request issues. */
export function tenantPolicyIssues(
  sandboxes: SandboxManager,
): (policy: { profile?: string; limits?: Record<string, number | undefined>; egress?: unknown }) => string[] {
  return (policy) => {
    const egress = policy.egress === undefined ? [] : egressPolicyIssues(policy.egress, '/egress');
    try {
      sandboxes.resolve(policy.profile, policy.limits);
      return egress;
    } catch (err) {
      if (err instanceof ValidationError)
        return [...egress, ...err.issues.map((i) => `/limits${i.startsWith('/') ? i : `: ${i}`}`)];
      if (isAgentdError(err) && err.code === 'NOT_FOUND')
        return [...egress, `/profile: no sandbox profile ${policy.profile ?? ''}`];
      throw err;
    }
  };
}
