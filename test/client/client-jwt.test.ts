import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentdClient } from '../../client/src/index.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

const SECRET = 'client-test-secret-of-at-least-32-bytes!';
const ISSUER = 'https://idp.client.test';

/** The client with a JWT from the platform's identity provider, fetched fresh for every request. */
describe('@agentd/client with a token function (HS256 JWT)', () => {
  let d: TestDaemon;
  let tenantId: string;

  beforeAll(async () => {
    d = await startTestDaemon({
      env: {
        AGENTD_JWT_SECRET: SECRET,
        AGENTD_OIDC_ISSUER: ISSUER,
        AGENTD_OIDC_AUDIENCES: 'agentd',
        AGENTD_OIDC_TENANT_CLAIM: 'org',
        AGENTD_OIDC_USER_CLAIM: 'preferred_username',
      },
    });
    tenantId = (await d.api('POST', '/api/tenants', { name: 'client-jwt' })).body.id as string;
  });
  afterAll(async () => {
    await d.destroy();
  });

  it('calls, streams and opens a WebSocket (?token=) with a fresh token each time', async () => {
    let issued = 0;
    const token = (): Promise<string> => {
      issued += 1;
      return new SignJWT({ iss: ISSUER, aud: 'agentd', org: tenantId, preferred_username: 'alice' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .setExpirationTime('2m')
        .sign(new TextEncoder().encode(SECRET));
    };
    const client = new AgentdClient({ baseUrl: d.url ?? '', token });
    const conversation = await client.conversations.create(tenantId, { modelId: 'scripted' });
    expect(conversation.tenantId).toBe(tenantId);

    const stream = client.runs.stream(tenantId, conversation.id, '@say Signed in.');
    expect(await stream.finalText()).toContain('Signed in.');

    const socket = await client.sockets.conversation(tenantId, conversation.id);
    const types: string[] = [];
    for await (const message of socket.chat('@say Over a socket.')) types.push(message.type);
    socket.close();
    expect(types.at(-1)).toBe('end');
    // One token per request: the create, the stream, the socket's ?token= (no ticket was bought).
    expect(issued).toBe(3);
    await expect(
      new AgentdClient({ baseUrl: d.url ?? '', token: 'a.b.c' }).models.list(),
    ).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
      status: 401,
    });
  });
});
