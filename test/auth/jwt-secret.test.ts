import { generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { expectError, request, type HttpResult } from '../api/api-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { WsTestClient, wsUrl } from '../support/ws-client.js';

const ISSUER = 'https://auth.example.com/';
const SECRET = `hs256-${randomId(40)}`;

/**
 * HS256 tokens from the platform's own issuer, with generic claims (a `roles` array, Keycloak's nested
 * `realm_access.roles`, the tenant in `org`, the user in `preferred_username`), against a real daemon.
 */
describe('HS256 bearer tokens (generic claims)', () => {
  let d: TestDaemon;
  let tenant: string;
  let conversation: string;
  const opened: WsTestClient[] = [];

  beforeAll(async () => {
    d = await startTestDaemon({
      env: {
        AGENTD_JWT_SECRET: SECRET,
        AGENTD_OIDC_ISSUER: ISSUER,
        AGENTD_OIDC_AUDIENCES: 'agentd',
        AGENTD_OIDC_TENANT_CLAIM: 'org',
        AGENTD_OIDC_USER_CLAIM: 'preferred_username',
        AGENTD_OIDC_ADMIN_CLAIM: 'roles=agentd-admin,realm_access.roles=agentd-admin',
        WS_MAX_CONNECTIONS_PER_PRINCIPAL: '1',
      },
    });
    tenant = (await d.api('POST', '/api/tenants', { name: 'hs-a' })).body.id as string;
    conversation = (await d.api('POST', `/api/tenants/${tenant}/conversations`, {})).body.id as string;
  });
  afterEach(() => {
    for (const ws of opened.splice(0)) ws.socket.terminate();
  });
  afterAll(async () => {
    await d.destroy();
  });

  const sign = (claims: JWTPayload, secret = SECRET) =>
    new SignJWT({ iss: ISSUER, aud: ['account', 'agentd'], org: tenant, ...claims })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(secret));
  const get = (path: string, token: string): Promise<HttpResult> =>
    request(d, 'GET', path, { headers: { authorization: `Bearer ${token}` } });
  const reason = async (token: string) =>
    (await get(`/api/tenants/${tenant}/conversations`, token)).body?.error?.details?.reason as string;

  it('maps the tenant and user claims; admin through a roles array or Keycloak’s realm roles only', async () => {
    const user = await sign({ sub: 'id-1', preferred_username: 'alice', roles: ['user'] });
    expect((await get(`/api/tenants/${tenant}/conversations`, user)).status).toBe(200);
    expectError(await get('/api/tenants', user), 403, 'FORBIDDEN');
    for (const claims of [{ roles: ['agentd-admin'] }, { realm_access: { roles: ['agentd-admin'] } }]) {
      const admin = await sign({ preferred_username: 'root', org: undefined, ...claims });
      expect((await get('/api/tenants', admin)).status, JSON.stringify(claims)).toBe(200);
    }
    // The role under another claim than the rules name grants nothing.
    const elsewhere = await sign({ preferred_username: 'eve', org: undefined, groups: ['agentd-admin'] });
    expect(await reason(elsewhere)).toBe('missing_tenant_claim');
    // No user claim: refused, even with a `sub`.
    expect(await reason(await sign({ sub: 'id-2' }))).toBe('missing_subject');
  });

  it('checks the secret, the algorithm, the issuer and the audience', async () => {
    expect(await reason(await sign({ preferred_username: 'a' }, `${SECRET}x`))).toBe('bad_signature');
    expect(await reason(await sign({ preferred_username: 'a', iss: 'https://other.example/' }))).toBe(
      'wrong_issuer',
    );
    expect(await reason(await sign({ preferred_username: 'a', aud: 'account' }))).toBe('wrong_audience');
    const { privateKey } = await generateKeyPair('RS256');
    const rs = await new SignJWT({ iss: ISSUER, aud: 'agentd', org: tenant, preferred_username: 'a' })
      .setProtectedHeader({ alg: 'RS256' })
      .setExpirationTime('10m')
      .sign(privateKey);
    expect(await reason(rs)).toBe('alg_not_allowed');
  });

  it('caps WebSocket connections per subject: one user’s cap does not close another’s', async () => {
    const path = `/api/tenants/${tenant}/conversations/${conversation}/ws`;
    const open = async (user: string) => {
      const token = await sign({ preferred_username: user });
      const ws = await WsTestClient.open(wsUrl(d.url ?? '', `${path}?token=${token}`));
      opened.push(ws);
      return ws;
    };
    const first = await open('alice');
    first.send({ type: 'ping' });
    expect((await first.next()).type).toBe('pong');
    const second = await open('alice');
    expect(await second.closed).toMatchObject({ code: 1008 });
    const other = await open('bob');
    other.send({ type: 'ping' });
    expect((await other.next()).type).toBe('pong');
  });

  it('a JWT user issues a browser ticket that acts as that user', async () => {
    const token = await sign({ preferred_username: 'carol' });
    const issued = await fetch(`${d.url}/api/tenants/${tenant}/conversations/${conversation}/tickets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(issued.status).toBe(201);
    const { ticket } = (await issued.json()) as { ticket: string };
    const principal = await d.authenticate(
      {
        headers: {},
        url: `/api/tenants/${tenant}/conversations/${conversation}/ws?ticket=${ticket}`,
        params: { tenantId: tenant, conversationId: conversation },
      },
      'conversation',
    );
    expect(principal).toMatchObject({
      scope: 'tenant',
      tenantId: tenant,
      credential: 'ticket',
      keyId: expect.stringMatching(/^jwt:[0-9a-f]{12}:carol$/),
      actor: expect.stringContaining('(by jwt:carol)'),
    });
  });
});
