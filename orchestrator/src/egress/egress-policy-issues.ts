import { isAgentdError } from '../common/errors.js';
import { schemaIssues } from '../common/validate.js';
import { parseDurationMs } from '../config/env-reader.js';
import {
  EGRESS_DEFAULTS,
  EgressPolicySchema,
  NO_EGRESS,
  type EgressPolicy,
  type EgressPolicyDocument,
} from '../config/egress-policy.js';
import { injectionRuleIssues } from '../interception/injection-rule.js';
import { parseHostPattern } from '../outbound/host-pattern.js';

const ADDRESS_RULE =
  /^(?:(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?|\[([0-9a-fA-F:.]+)\](?:\/(\d{1,3}))?):(\d{1,5})$/;

/** Every problem of an egress policy, each prefixed with `path` (e.g. `/egress/allow/2: …`). */
export function egressPolicyIssues(value: unknown, path: string): string[] {
  const issues = schemaIssues(EgressPolicySchema, value).map((i) => `${path}${i.replace(/^\(root\)/, '')}`);
  if (issues.length > 0) return issues;
  const doc = value as EgressPolicyDocument;
  for (const list of ['allow', 'deny'] as const) {
    (doc[list] ?? []).forEach((pattern, i) => {
      try {
        parseHostPattern(pattern);
      } catch (err) {
        if (!isAgentdError(err)) throw err;
        issues.push(`${path}/${list}/${i}: ${err.message} (IP addresses go in allowAddresses)`);
      }
    });
  }
  (doc.allowAddresses ?? []).forEach((rule, i) => {
    if (!addressRuleValid(rule))
      issues.push(
        `${path}/allowAddresses/${i}: "${rule}" is not ip:port, ip/prefix:port or [ipv6]/prefix:port`,
      );
  });
  issues.push(...injectionRuleIssues(doc.inject ?? [], `${path}/inject`));
  if (doc.connectTimeout !== undefined && connectTimeoutMs(doc.connectTimeout) === undefined)
    issues.push(`${path}/connectTimeout: must be 100 ms to 2 min`);
  if (doc.mode === 'allowlist' && (doc.allow ?? []).length === 0)
    issues.push(`${path}/allow: an allowlist needs at least one host pattern`);
  return issues;
}

function addressRuleValid(rule: string): boolean {
  const m = ADDRESS_RULE.exec(rule);
  if (!m) return false;
  const port = Number(m[5]);
  if (port < 1 || port > 65535) return false;
  if (m[1] !== undefined) {
    if (m[1].split('.').some((octet) => Number(octet) > 255)) return false;
    return m[2] === undefined || Number(m[2]) <= 32;
  }
  return m[4] === undefined || Number(m[4]) <= 128;
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
