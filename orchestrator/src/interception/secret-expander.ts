import { expandSecretRefs } from '../secrets/secret-reference.js';
import type { SecretResolver } from '../secrets/secret-resolver.js';
import type { SecretExpander } from './injecting-interceptor.js';

/** Header values expanded through the tenant's secrets at request time (a rotated secret applies at once). */
export function secretExpander(resolver: SecretResolver): SecretExpander {
  return { expand: (value, tenantId) => expandSecretRefs(value, tenantId, resolver) };
}
