import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeAgentRuntime } from '../support/agentcore-client.js';
import { OidcTestServer, signingKey, type SigningKey } from '../support/oidc-test-server.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

const CLIENT_ID = 'frontend-client';

/**
 * `/invocations` with the inbound auth an AgentCore runtime is configured with (a Cognito discovery URL and
 * its allowed client): the frontend's own user token, forwarded as `Authorization: Bearer`, works unchanged.
 */
describe('AgentCore Runtime contract with JWT inbound auth', () => {
  let idp: OidcTestServer;
  let key: SigningKey;
  let d: TestDaemon;
  let tenant: string;

  beforeAll(async () => {
    idp = await OidcTestServer.start();
    key = await signingKey('k1');
    idp.published = [key];
    d = await startTestDaemon({
      env: {
        AGENTD_OIDC_DISCOVERY_URL: idp.discoveryUrl,
        AGENTD_OIDC_AUDIENCES: CLIENT_ID,
        AGENTD_OIDC_TENANT_CLAIM: 'custom:tenant_id',
      },
    });
    tenant = (await d.api('POST', '/api/tenants', { name: 'agentcore-jwt' })).body.id as string;
  });
  afterAll(async () => {
    await d.destroy();
    await idp[Symbol.asyncDispose]();
  });

  const token = (claims: Record<string, unknown> = {}) =>
    idp.sign(key, {
      sub: 'user-1',
      client_id: CLIENT_ID,
      token_use: 'access',
      'custom:tenant_id': tenant,
      ...claims,
    });

  it('a user token of the allowed client runs and continues a runtime session of its tenant', async () => {
    const sessionId = `jwt-${randomUUID()}`;
    const first = await invokeAgentRuntime(d.url ?? '', {
      payload: { prompt: '@say Hello with a JWT.' },
      sessionId,
      token: await token(),
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.sessionId).toBe(sessionId);
    const start = first.events.find((e) => e.type === 'run_start') as unknown as { conversationId: string };
    const conversation = await d.api('GET', `/api/tenants/${tenant}/conversations/${start.conversationId}`);
    expect(conversation.body.sessionId).toBe(sessionId);
    const second = await invokeAgentRuntime(d.url ?? '', {
      payload: { messages: [{ role: 'user', content: 'again' }] },
      sessionId,
      token: await token(),
    });
    expect(
      (second.events.find((e) => e.type === 'run_start') as unknown as { conversationId: string })
        .conversationId,
    ).toBe(start.conversationId);
    // Another client's token, or one without a tenant, gets no run.
    const otherClient = await invokeAgentRuntime(d.url ?? '', {
      payload: { prompt: 'hi' },
      token: await token({ client_id: 'someone-else' }),
    });
    expect(otherClient.status).toBe(401);
    const noTenant = await invokeAgentRuntime(d.url ?? '', {
      payload: { prompt: 'hi' },
      token: await token({ 'custom:tenant_id': undefined }),
    });
    expect([401, 403]).toContain(noTenant.status);
  });
});
