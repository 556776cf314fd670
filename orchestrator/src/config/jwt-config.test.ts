import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';

const issues = (env: Record<string, string>): string[] => {
  try {
    loadConfig({ HOME: '/home/x', ...env });
    return [];
  } catch (err) {
    return (err as { issues: string[] }).issues;
  }
};

describe('JWT configuration', () => {
  it('is off unless a discovery URL or a secret is set', () => {
    expect(loadConfig({ HOME: '/home/x' }).auth.jwt).toBeUndefined();
  });

  it('reads an OIDC provider with its audiences, claim mapping and admin rules', () => {
    const { jwt } = loadConfig({
      HOME: '/home/x',
      AGENTD_OIDC_DISCOVERY_URL:
        'https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/openid-configuration',
      AGENTD_OIDC_AUDIENCES: 'client-a, client-b',
      AGENTD_OIDC_TENANT_CLAIM: 'custom:tenant_id',
      AGENTD_OIDC_ADMIN_CLAIM: 'cognito:groups=agentd-admins,realm_access.roles=admin',
      AGENTD_OIDC_JWKS_COOLDOWN: '5s',
    }).auth;
    expect(jwt).toEqual({
      keys: {
        kind: 'oidc',
        discoveryUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/openid-configuration',
        refreshCooldownMs: 5_000,
        cacheMaxAgeMs: 600_000,
        timeoutMs: 5_000,
      },
      issuer: undefined,
      audiences: ['client-a', 'client-b'],
      claims: {
        tenant: 'custom:tenant_id',
        user: 'sub',
        admin: [
          { claim: 'cognito:groups', value: 'agentd-admins' },
          { claim: 'realm_access.roles', value: 'admin' },
        ],
      },
      clockToleranceSec: 30,
    });
  });

  it('lists every problem: both modes, no audience, a short secret, a malformed admin rule', () => {
    expect(issues({ AGENTD_OIDC_DISCOVERY_URL: 'https://x/', AGENTD_JWT_SECRET: 'y'.repeat(32) })).toEqual([
      expect.stringMatching(/^AGENTD_OIDC_DISCOVERY_URL\/AGENTD_JWT_SECRET/),
    ]);
    expect(issues({ AGENTD_OIDC_DISCOVERY_URL: 'ftp://x/', AGENTD_OIDC_ADMIN_CLAIM: 'groups' })).toEqual([
      expect.stringMatching(/^AGENTD_OIDC_ADMIN_CLAIM/),
      expect.stringMatching(/^AGENTD_OIDC_DISCOVERY_URL: must be/),
      expect.stringMatching(/^AGENTD_OIDC_AUDIENCES: required/),
    ]);
    expect(issues({ AGENTD_JWT_SECRET: 'short' })).toEqual([expect.stringMatching(/^AGENTD_JWT_SECRET/)]);
    expect(loadConfig({ HOME: '/h', AGENTD_JWT_SECRET: 's'.repeat(32) }).auth.jwt?.keys).toEqual({
      kind: 'secret',
      secret: 's'.repeat(32),
    });
  });

  it('refuses a cleartext discovery URL in production', () => {
    const env = { HOME: '/h', AGENTD_OIDC_AUDIENCES: 'c', API_KEYS: 'k'.repeat(20) };
    const issues = (url: string, appEnv: string) =>
      loadConfig({ ...env, AGENTD_OIDC_DISCOVERY_URL: url, APP_ENV: appEnv }).productionIssues.filter((i) =>
        i.startsWith('AGENTD_OIDC'),
      );
    expect(issues('http://idp.internal/.well-known/openid-configuration', 'production')).toHaveLength(1);
    expect(issues('https://idp.example/.well-known/openid-configuration', 'production')).toEqual([]);
  });
});
