import type { ContainerCreateOptions } from 'dockerode';
import { AgentdError } from '../common/errors.js';
import type { ContainerConfigView } from './container-config-view.js';
import { HARDENING_RULES } from './hardening-rules.js';
import { viewOfCreateOptions } from './to-config-view.js';

export interface HardeningViolation {
  id: string;
  title: string;
  expected: string;
  actual: string;
}

/** Every rule of the table the settings fail (not-applicable rules never count). */
export function hardeningViolations(config: ContainerConfigView): HardeningViolation[] {
  const violations: HardeningViolation[] = [];
  for (const rule of HARDENING_RULES) {
    const { status, actual } = rule.check(config);
    if (status === 'fail')
      violations.push({ id: rule.id, title: rule.title, expected: rule.expected, actual });
  }
  return violations;
}

/**
 * Runs on the final options right before the Engine API call, so a bug anywhere upstream cannot create a
 * weaker container than the profile describes.
 */
export function assertHardened(options: ContainerCreateOptions): void {
  const violations = hardeningViolations(viewOfCreateOptions(options));
  if (violations.length > 0) {
    const lines = violations.map((v) => `${v.id}: ${v.title} (expected ${v.expected}, got ${v.actual})`);
    throw new AgentdError(
      'SANDBOX_START_FAILED',
      `refusing to create a weakened sandbox:\n  - ${lines.join('\n  - ')}`,
      {
        severity: 'critical',
        details: { violations: lines },
      },
    );
  }
}
