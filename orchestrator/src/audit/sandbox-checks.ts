import { HARDENING_RULES } from '../docker/hardening-rules.js';
import type { CheckResult } from './audit-types.js';
import {
  apparmorEnforced,
  capsEffective,
  noNewPrivsLoaded,
  noSshd,
  rootMountedReadonly,
  runnerAgrees,
  seccompLoaded,
  seccompMatchesProfile,
  usernsRemapped,
  type SandboxFacts,
} from './kernel-checks.js';

export type { RunnerView, SandboxFacts } from './kernel-checks.js';

/** Facts that verify a rule from the other side, reported right after that rule. */
const FOLLOWING: Readonly<Record<string, (facts: SandboxFacts) => CheckResult[]>> = {
  'caps.dropped': (f) => [capsEffective(f)],
  'mounts.host': (f) => [noSshd(f)],
  'rootfs.readonly': (f) => [rootMountedReadonly(f)],
  'seccomp.profile': (f) => [seccompLoaded(f), ...seccompMatchesProfile(f)],
  'no-new-privileges': (f) => [noNewPrivsLoaded(f)],
  'userns.mode': (f) => [usernsRemapped(f)],
  tmpfs: (f) => [apparmorEnforced(f)],
};

/**
 * Every isolation check of one sandbox: each rule of the hardening table (the same the create-time guard
 * enforces) on the engine's settings, each followed by what the host kernel shows for it, then the runner's
 * cross-check. Nothing is taken from the runner's word alone.
 */
export function sandboxChecks(facts: SandboxFacts): CheckResult[] {
  const results: CheckResult[] = [];
  for (const rule of HARDENING_RULES) {
    const { status, actual } = rule.check(facts.config);
    results.push({
      id: rule.id,
      ...(rule.cis ? { cis: rule.cis } : {}),
      title: rule.title,
      status,
      source: 'engine',
      expected: rule.expected,
      actual,
    });
    results.push(...(FOLLOWING[rule.id]?.(facts) ?? []));
  }
  results.push(...runnerAgrees(facts));
  return results;
}
