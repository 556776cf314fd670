import { findSecretRefs, SECRET_NAME_PATTERN } from '../secrets/secret-reference.js';

/** `{host, headers}`: for HTTPS requests to `host`, agentd sets `headers` (values reference tenant secrets). */
export interface InjectionRule {
  host: string;
  headers: Record<string, string>;
}

export const INJECTION_LIMITS = { rules: 32, headersPerRule: 8, valueLength: 4096 } as const;

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const HOST_PATTERN =
  /^(\*\.)?((?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)$/;
/** Headers that frame or route the message: injecting one would let a rule break HTTP itself. */
const RESERVED = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'proxy-authenticate',
  'proxy-connection',
]);

/** Every problem of a list of injection rules, each prefixed with `path` (e.g. `/egress/inject/0/host: …`). */
export function injectionRuleIssues(rules: readonly InjectionRule[], path: string): string[] {
  const issues: string[] = [];
  if (rules.length > INJECTION_LIMITS.rules)
    issues.push(`${path}: at most ${INJECTION_LIMITS.rules} injection rules`);
  rules.forEach((rule, i) => {
    const at = `${path}/${i}`;
    if (!HOST_PATTERN.test(rule.host) || rule.host.length > 253 || /^(\*\.)?[0-9.]+$/.test(rule.host))
      issues.push(`${at}/host: "${rule.host}" is not a lower-case host name or *.name (HTTPS, any port)`);
    const names = Object.keys(rule.headers);
    if (names.length === 0) issues.push(`${at}/headers: name at least one header`);
    if (names.length > INJECTION_LIMITS.headersPerRule)
      issues.push(`${at}/headers: at most ${INJECTION_LIMITS.headersPerRule} headers`);
    const seen = new Set<string>();
    for (const name of names) {
      const value = rule.headers[name] ?? '';
      const lower = name.toLowerCase();
      if (!TOKEN.test(name)) issues.push(`${at}/headers/${name}: not an HTTP header name`);
      else if (RESERVED.has(lower)) issues.push(`${at}/headers/${name}: agentd does not inject this header`);
      if (seen.has(lower)) issues.push(`${at}/headers/${name}: named twice`);
      seen.add(lower);
      if (value.length > INJECTION_LIMITS.valueLength)
        issues.push(`${at}/headers/${name}: longer than ${INJECTION_LIMITS.valueLength} characters`);
      // eslint-disable-next-line no-control-regex -- the point is to find control characters
      if (/[\u0000-\u001f\u007f]/.test(value)) issues.push(`${at}/headers/${name}: control characters`);
      // A literal credential would sit in the policy document in plain text: values must come from secrets.
      const refs = findSecretRefs(value);
      if (refs.length === 0)
        issues.push(`${at}/headers/${name}: the value must reference a secret (\${secret:NAME})`);
      for (const ref of refs.filter((r) => !SECRET_NAME_PATTERN.test(r)))
        issues.push(`${at}/headers/${name}: "\${secret:${ref}}" is not a secret name`);
    }
  });
  return issues;
}

/** The rules that apply to `host` (already normalised: lower case, no trailing dot). */
export function rulesFor(rules: readonly InjectionRule[], host: string): InjectionRule[] {
  return rules.filter((rule) =>
    rule.host.startsWith('*.') ? host.endsWith(rule.host.slice(1)) : host === rule.host,
  );
}
