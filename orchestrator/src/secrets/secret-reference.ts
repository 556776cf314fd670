import { AgentdError } from '../common/errors.js';
import type { SecretResolver } from './secret-resolver.js';

// Placeholder of the secrets foundation (same exports); replaced when it merges.
const SECRET_REF = /\$\{secret:([A-Za-z0-9_.-]{1,128})\}/g;

export function findSecretRefs(value: string): string[] {
  return [...value.matchAll(SECRET_REF)].map((m) => m[1] ?? '');
}

export function hasSecretRef(value: string): boolean {
  return findSecretRefs(value).length > 0;
}

export async function expandSecretRefs(
  value: string,
  tenantId: string,
  resolver: SecretResolver,
): Promise<string> {
  const names = [...new Set(findSecretRefs(value))];
  const values = new Map<string, string>();
  for (const name of names) {
    const secret = await resolver.resolve(tenantId, name).catch((err: unknown) => {
      throw new AgentdError('VALIDATION_FAILED', `secret ${name} cannot be resolved`, { cause: err });
    });
    values.set(name, secret);
  }
  return value.replace(SECRET_REF, (_m, name: string) => values.get(name) ?? '');
}
