import { AgentdError } from '../common/errors.js';
import type { SecretResolver } from './secret-resolver.js';

/** A secret's name: also the NAME of a `${secret:NAME}` reference. */
export const SECRET_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

// Anything shaped like a reference, so a malformed one (bad name) is found and refused, not passed on.
const REFERENCE = /\$\{secret:([^}]*)\}/g;

/** The names referenced in `value`, in order, without duplicates. Malformed names are included as written. */
export function findSecretRefs(value: string): string[] {
  return [...new Set([...value.matchAll(REFERENCE)].map((match) => match[1] ?? ''))];
}

export function hasSecretRef(value: string): boolean {
  return findSecretRefs(value).length > 0;
}

/**
 * Replaces every `${secret:NAME}` with the tenant's secret. A missing secret is NOT_FOUND naming it; a
 * malformed name is VALIDATION_FAILED. Errors never carry a value.
 */
export async function expandSecretRefs(
  value: string,
  tenantId: string,
  resolver: SecretResolver,
): Promise<string> {
  const names = findSecretRefs(value);
  if (names.length === 0) return value;
  const bad = names.filter((name) => !SECRET_NAME_PATTERN.test(name));
  if (bad.length > 0)
    throw new AgentdError('VALIDATION_FAILED', `malformed secret reference: \${secret:${bad[0] ?? ''}}`, {
      details: { names: bad },
    });
  const resolved = new Map<string, string>();
  for (const name of names) resolved.set(name, await resolver.resolve(tenantId, name));
  // A function replacement: `$&` or `$1` inside a secret value must not be interpreted.
  return value.replace(REFERENCE, (_match, name: string) => resolved.get(name) ?? '');
}
