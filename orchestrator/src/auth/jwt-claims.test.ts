import { describe, expect, it } from 'vitest';
import { claimIncludes, principalFromClaims, readClaim } from './jwt-claims.js';

const ISSUER = 'https://idp.example/pool';

describe('JWT claim mapping', () => {
  it('reads top-level claims by their literal name, else as a dotted path', () => {
    const payload = {
      'cognito:groups': ['a'],
      'https://app.example/roles': ['r'],
      realm_access: { roles: ['admin'] },
    };
    expect(readClaim(payload, 'cognito:groups')).toEqual(['a']);
    expect(readClaim(payload, 'https://app.example/roles')).toEqual(['r']);
    expect(readClaim(payload, 'realm_access.roles')).toEqual(['admin']);
    expect(readClaim(payload, 'realm_access.missing')).toBeUndefined();
    expect(readClaim(payload, 'constructor')).toBeUndefined();
  });

  it('matches a rule against arrays, strings and space-separated scopes, nothing looser', () => {
    const payload = { roles: ['user', 'agentd-admin'], scope: 'openid agentd/admin', group: 'ops' };
    expect(claimIncludes(payload, 'roles', 'agentd-admin')).toBe(true);
    expect(claimIncludes(payload, 'roles', 'agentd')).toBe(false);
    expect(claimIncludes(payload, 'scope', 'agentd/admin')).toBe(true);
    expect(claimIncludes(payload, 'group', 'ops')).toBe(true);
    expect(claimIncludes(payload, 'group', 'op')).toBe(false);
    expect(claimIncludes({ roles: { admin: true } }, 'roles', 'admin')).toBe(false);
  });

  it('maps a Cognito token: tenant from a custom attribute, admin only through the group rule', () => {
    const mapping = {
      tenant: 'custom:tenant_id',
      user: 'sub',
      admin: [{ claim: 'cognito:groups', value: 'agentd-admins' }],
    };
    const user = { sub: 'u-1', 'custom:tenant_id': 'ten_a', 'cognito:groups': ['staff'] };
    const principal = principalFromClaims(user, ISSUER, mapping);
    expect(principal).toMatchObject({
      scope: 'tenant',
      tenantId: 'ten_a',
      credential: 'jwt',
      subject: 'u-1',
      actor: 'jwt:u-1',
    });
    expect(principal.keyId).toMatch(/^jwt:[0-9a-f]{12}:u-1$/);
    const admin = principalFromClaims({ ...user, 'cognito:groups': ['agentd-admins'] }, ISSUER, mapping);
    expect(admin).toMatchObject({ scope: 'admin', tenantId: null, keyId: principal.keyId });
  });

  it('maps a generic token (roles array, a user claim other than sub) and never grants admin without a rule', () => {
    const mapping = { tenant: 'tenant', user: 'preferred_username', admin: [] };
    const payload = { sub: 'x', preferred_username: 'alice', tenant: ['ten_b'], roles: ['admin'] };
    expect(principalFromClaims(payload, ISSUER, mapping)).toMatchObject({
      scope: 'tenant',
      tenantId: 'ten_b',
      subject: 'alice',
    });
  });

  it('keys subjects of different issuers apart', () => {
    const mapping = { tenant: 'tenant_id', user: 'sub', admin: [] };
    const payload = { sub: 'same', tenant_id: 't1' };
    expect(principalFromClaims(payload, 'https://a', mapping).keyId).not.toBe(
      principalFromClaims(payload, 'https://b', mapping).keyId,
    );
  });

  it('refuses tokens without a subject or tenant, or with a tenant that cannot be an id', () => {
    const mapping = { tenant: 'tenant_id', user: 'sub', admin: [{ claim: 'roles', value: 'admin' }] };
    const reason = (payload: Record<string, unknown>) => {
      try {
        principalFromClaims(payload, ISSUER, mapping);
        return 'accepted';
      } catch (err) {
        return (err as { code: string; details: { reason: string } }).details.reason;
      }
    };
    expect(reason({ tenant_id: 't1' })).toBe('missing_subject');
    expect(reason({ sub: 'x'.repeat(256), tenant_id: 't1' })).toBe('missing_subject');
    expect(reason({ sub: 'u' })).toBe('missing_tenant_claim');
    expect(reason({ sub: 'u', tenant_id: ['t1', 't2'] })).toBe('invalid_tenant_claim');
    expect(reason({ sub: 'u', tenant_id: '../t1' })).toBe('invalid_tenant_claim');
    expect(reason({ sub: 'u', tenant_id: 42 })).toBe('invalid_tenant_claim');
    // An admin token needs no tenant.
    expect(reason({ sub: 'u', roles: ['admin'] })).toBe('accepted');
  });
});
