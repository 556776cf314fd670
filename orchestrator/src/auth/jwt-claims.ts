import { createHash } from 'node:crypto';
import type { Principal } from './principal.js';
import { unauthenticated } from './jwt-errors.js';

/** How a verified token's claims become a principal (AGENTD_OIDC_*_CLAIM). */
export interface ClaimMapping {
  tenant: string;
  user: string;
  admin: readonly { claim: string; value: string }[];
}

/** agentd's own id shape: a tenant claim that cannot be an id is refused rather than looked up. */
const TENANT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_SUBJECT_LENGTH = 255;

/**
 * A claim by name; a name that is not a top-level claim is read as a dotted path, so `cognito:groups` and
 * `https://example.com/roles` (names with `:` or `.`) work as they are, and so does Keycloak's `realm_access.roles`.
 */
export function readClaim(payload: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let value: unknown = payload;
  for (const part of name.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Whether a claim equals the value or lists it (an array such as groups or roles, or a space-separated `scope`). */
export function claimIncludes(payload: Record<string, unknown>, name: string, value: string): boolean {
  const claim = readClaim(payload, name);
  if (Array.isArray(claim)) return claim.includes(value);
  if (typeof claim === 'string') return claim === value || claim.split(' ').includes(value);
  return false;
}

/**
 * A verified token's principal. Admin rights come only from an explicit rule; any other token must name its
 * tenant (by agentd tenant id: names are not unique) and acts as a tenant-scoped key of that tenant.
 */
export function principalFromClaims(
  payload: Record<string, unknown>,
  issuer: string,
  mapping: ClaimMapping,
): Principal {
  const subject = singleString(readClaim(payload, mapping.user));
  if (subject === undefined || subject.length > MAX_SUBJECT_LENGTH)
    throw unauthenticated('missing_subject', `the token has no usable "${mapping.user}" claim`);
  // One issuer is configured today; its hash keeps subjects of another issuer apart if that changes.
  const issuerHash = createHash('sha256').update(issuer, 'utf8').digest('hex').slice(0, 12);
  const identity = {
    keyId: `jwt:${issuerHash}:${subject}`,
    credential: 'jwt' as const,
    subject,
    actor: `jwt:${subject}`,
  };
  if (mapping.admin.some((rule) => claimIncludes(payload, rule.claim, rule.value))) {
    return { scope: 'admin', tenantId: null, ...identity };
  }
  const tenant = readClaim(payload, mapping.tenant);
  if (tenant === undefined || tenant === null)
    throw unauthenticated('missing_tenant_claim', `the token has no "${mapping.tenant}" claim`);
  const tenantId = singleString(tenant);
  if (tenantId === undefined || !TENANT_ID.test(tenantId))
    throw unauthenticated(
      'invalid_tenant_claim',
      `the "${mapping.tenant}" claim must be one agentd tenant id`,
    );
  return { scope: 'tenant', tenantId, ...identity };
}

/** A string, or an array holding exactly one (claims copied from a multi-valued attribute). */
function singleString(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string' && value[0] !== '')
    return value[0];
  return undefined;
}
