import { ValidationError } from '../common/errors.js';
import { schemaIssues } from '../common/validate.js';
import { parseDurationMs } from '../config/env-reader.js';
import {
  EGRESS_DEFAULTS,
  EgressPolicySchema,
  NO_EGRESS,
  type EgressPolicy,
  type EgressPolicyDocument,
} from '../config/egress-policy.js';
import { parseAddressRule } from '../outbound/address-rule.js';
import { injectionRuleIssues } from '../interception/injection-rule.js';
import { parseHostPattern } from '../outbound/host-pattern.js';

/** Every problem of an egress policy, each prefixed with `path` (e.g. `/egress/allow/2: …`). */
export function egressPolicyIssues(value: unknown, path: string): string[] {
  const issues = schemaIssues(EgressPolicySchema, value).map((i) => `${path}${i.replace(/^\(root\)/, '')}`);
  if (issues.length > 0) return issues;
  const doc = value as EgressPolicyDocument;
  for (const list of ['allow', 'deny'] as const) {
    (doc[list] ?? []).forEach((pattern, i) => {
      const problem = problemOf(() => parseHostPattern(pattern));
      if (problem !== undefined) issues.push(`${path}/${list}/${i}: ${problem}`);
    });
  }
  (doc.allowAddresses ?? []).forEach((rule, i) => {
    const problem = problemOf(() => parseAddressRule(rule));
    if (problem !== undefined) issues.push(`${path}/allowAddresses/${i}: ${problem}`);
  });
  issues.push(...injectionRuleIssues(doc.inject ?? [], `${path}/inject`));
  if (doc.connectTimeout !== undefined && connectTimeoutMs(doc.connectTimeout) === undefined)
    issues.push(`${path}/connectTimeout: must be 100 ms to 2 min`);
  if (doc.mode === 'allowlist' && (doc.allow ?? []).length === 0)
    issues.push(`${path}/allow: an allowlist needs at least one host pattern`);
  return issues;
}

/** The first issue a parser reports, or undefined when it accepts. */
function problemOf(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (err) {
    if (err instanceof ValidationError) return err.issues[0] ?? err.message;
    throw err;
  }
}

function connectTimeoutMs(value: string | number): number | undefined {
  const ms = typeof value === 'number' ? value : parseDurationMs(value);
  return ms !== undefined && ms >= 100 && ms <= 120_000 ? ms : undefined;
}

/** A checked document with its defaults filled in; no document means no egress. */
export function resolveEgressPolicy(doc: EgressPolicyDocument | undefined): EgressPolicy {
  if (!doc || doc.mode === 'none') return NO_EGRESS;
  return {
    mode: doc.mode,
    allow: doc.allow ?? [],
    deny: doc.deny ?? [],
    allowAddresses: doc.allowAddresses ?? [],
    inject: doc.inject ?? [],
    maxConnections: doc.maxConnections ?? EGRESS_DEFAULTS.maxConnections,
    maxBytesPerRun: doc.maxBytesPerRun ?? EGRESS_DEFAULTS.maxBytesPerRun,
    connectTimeoutMs:
      (doc.connectTimeout === undefined ? undefined : connectTimeoutMs(doc.connectTimeout)) ??
      EGRESS_DEFAULTS.connectTimeoutMs,
  };
}
