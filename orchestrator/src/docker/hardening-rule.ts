import type { ContainerConfigView } from './container-config-view.js';

/**
 * pass / fail on the settings; not_applicable when the control cannot apply to a sandbox (the actual text says
 * why). A settings rule never answers "not enforced": that is a host fact the audit adds itself.
 */
export interface RuleVerdict {
  status: 'pass' | 'fail' | 'not_applicable';
  actual: string;
}

/** One isolation property of a sandbox's settings, judged alike by the create-time guard and the audit. */
export interface HardeningRule {
  id: string;
  /** CIS Docker Benchmark section, where the rule comes from there. */
  cis?: string;
  title: string;
  expected: string;
  check: (config: ContainerConfigView) => RuleVerdict;
}

export function verdict(ok: boolean | 'not_applicable', actual: string): RuleVerdict {
  return { status: ok === 'not_applicable' ? ok : ok ? 'pass' : 'fail', actual };
}
