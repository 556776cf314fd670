import { describe, expect, it } from 'vitest';
import type { ApiKeyAuth } from './api-key-auth.js';
import { CredentialAuth, routeCredential } from './credential-auth.js';
import type { JwtAuth } from './jwt-auth.js';
import type { Principal } from './principal.js';

const BOOTSTRAP = 'bootstrap.key.value';
const isBootstrap = (key: string) => key === BOOTSTRAP;

describe('credential routing', () => {
  it('sends keys to the key check, three segments to the JWT check, and nothing else anywhere', () => {
    expect(routeCredential('agd_abc', isBootstrap)).toBe('key');
    // A bootstrap key is a key whatever its shape, even one that looks like a JWT.
    expect(routeCredential(BOOTSTRAP, isBootstrap)).toBe('key');
    expect(routeCredential('agd_a.b.c', isBootstrap)).toBe('key');
    expect(routeCredential('eyJh.eyJz.sig', isBootstrap)).toBe('jwt');
    // `alg: none` has an empty signature: still a JWT, refused by the JWT check by name.
    expect(routeCredential('eyJh.eyJz.', isBootstrap)).toBe('jwt');
    for (const other of ['some-key', 'a.b', 'a.b.c.d', 'a..c', 'a.b.c=', ' a.b.c', 'AGD_x'])
      expect(routeCredential(other, isBootstrap), other).toBe('unknown');
  });

  it('never retries a failed credential with the other check', async () => {
    const calls: string[] = [];
    const keys = {
      isBootstrapKey: isBootstrap,
      authenticate: (k: string) => {
        calls.push(`key:${k}`);
        return Promise.reject(new Error('bad key'));
      },
    } as unknown as ApiKeyAuth;
    const jwt = {
      authenticate: (t: string) => {
        calls.push(`jwt:${t}`);
        return Promise.reject(new Error('bad jwt'));
      },
    } as unknown as JwtAuth;
    const auth = new CredentialAuth(keys, jwt);
    await expect(auth.authenticate('agd_x')).rejects.toThrow('bad key');
    await expect(auth.authenticate('a.b.c')).rejects.toThrow('bad jwt');
    await expect(auth.authenticate('neither')).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      details: { reason: 'credential_format' },
    });
    await expect(auth.authenticate(undefined)).rejects.toMatchObject({
      details: { reason: 'credential_missing' },
    });
    expect(calls).toEqual(['key:agd_x', 'jwt:a.b.c']);
  });

  it('takes only a JWT from ?token=, and refuses JWTs when none is configured', async () => {
    const principal = { scope: 'admin' } as Principal;
    const keys = { isBootstrapKey: isBootstrap } as unknown as ApiKeyAuth;
    const jwt = { authenticate: () => Promise.resolve(principal) } as unknown as JwtAuth;
    const auth = new CredentialAuth(keys, jwt);
    await expect(auth.authenticateUrlToken('a.b.c')).resolves.toBe(principal);
    for (const key of ['agd_x', 'plain-admin-key'])
      await expect(auth.authenticateUrlToken(key)).rejects.toMatchObject({
        details: { reason: 'token_not_jwt' },
      });
    await expect(new CredentialAuth(keys, undefined).authenticate('a.b.c')).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      details: { reason: 'jwt_not_configured' },
    });
  });
});
