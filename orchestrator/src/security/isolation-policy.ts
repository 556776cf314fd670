import { AgentdError } from '../common/errors.js';
import type { IsolationPolicy } from '../config/lifecycle-policy.js';
import type { HostSecurityFacts } from './host-security.js';

export interface IsolationDecision {
  /** The AppArmor profile to request, or null: requesting one the kernel cannot enforce would only mislead inspect. */
  apparmorProfile: string | null;
  warnings: string[];
  /** What `required` demands and the host lacks: agentd must not start. */
  refusals: string[];
}

/** Applies `required | preferred` to what the host really has; `required` and missing → refuse, listing all. */
export function decideIsolation(
  facts: HostSecurityFacts,
  policy: IsolationPolicy,
  apparmorProfile: string,
): IsolationDecision {
  const refusals: string[] = [];
  const warnings: string[] = [];
  const apparmorUsable = facts.apparmor.enforced && facts.apparmor.profileLoaded === true;
  if (!apparmorUsable) {
    const message = `AppArmor is not enforced for sandboxes: ${facts.apparmor.reason}`;
    if (policy.apparmor === 'required') refusals.push(`${message} (AGENTD_APPARMOR=required)`);
    else warnings.push(message);
  }
  if (!facts.userns.remapped) {
    const message = `user namespaces are not remapped: ${facts.userns.reason}`;
    if (policy.userns === 'required') refusals.push(`${message} (AGENTD_USERNS=required)`);
    else warnings.push(message);
  }
  if (!facts.seccomp.engineSupports) refusals.push('the Docker engine has no seccomp support');
  return { apparmorProfile: apparmorUsable ? apparmorProfile : null, warnings, refusals };
}

/** Throws when the decision has refusals, listing all of them. */
export function assertIsolation(decision: IsolationDecision): void {
  if (decision.refusals.length > 0) {
    throw new AgentdError(
      'SANDBOX_START_FAILED',
      `host isolation does not meet the policy:\n  - ${decision.refusals.join('\n  - ')}`,
      {
        severity: 'critical',
        details: { refusals: decision.refusals },
      },
    );
  }
}
