import { isAgentdError, ValidationError } from '../common/errors.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';

/** Why a tenant policy's sandbox settings cannot be used (empty when they can), as request issues. */
export function tenantPolicyIssues(
  sandboxes: SandboxManager,
): (policy: { profile?: string; limits?: Record<string, number | undefined> }) => string[] {
  return (policy) => {
    try {
      sandboxes.resolve(policy.profile, policy.limits);
      return [];
    } catch (err) {
      if (err instanceof ValidationError)
        return err.issues.map((i) => `/limits${i.startsWith('/') ? i : `: ${i}`}`);
      if (isAgentdError(err) && err.code === 'NOT_FOUND')
        return [`/profile: no sandbox profile ${policy.profile ?? ''}`];
      throw err;
    }
  };
}
