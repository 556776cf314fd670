import { createPublicKey } from 'node:crypto';
import { exportSPKI, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectError, request, type HttpResult } from '../api/api-client.js';
import { OidcTestServer, signingKey, type SigningKey } from '../support/oidc-test-server.js';
import { sse } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { WsTestClient, wsUrl } from '../support/ws-client.js';

const CLIENT_ID = 'agentd-frontend';
/** Short enough to wait for, long enough that a burst of requests fits inside it on a loaded machine. */
const COOLDOWN_MS = 3_000;

/** Waits until `at` (epoch ms) has passed: the bound a configured cooldown sets, nothing more. */
async function until(at: number): Promise<void> {
  const wait = at - Date.now() + 20;
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/**
 * JWT bearer tokens from an OIDC provider (a real discovery document and JWKS on 127.0.0.1, keys made with
 * jose) against a real daemon, configured the way a Cognito user pool is used: tenant in a custom attribute,
 * admins by group, access tokens naming their client in `client_id`.
 */
describe('OIDC bearer tokens (Cognito-style claims)', () => {
  let idp: OidcTestServer;
  let d: TestDaemon;
  let keyA: SigningKey;
  let tenant: string;
  let otherTenant: string;
  let conversation: string;
  const opened: WsTestClient[] = [];

  beforeAll(async () => {
    idp = await OidcTestServer.start();
    keyA = await signingKey('key-a');
    idp.published = [keyA];
    d = await startTestDaemon({
      env: {
        AGENTD_OIDC_DISCOVERY_URL: idp.discoveryUrl,
        AGENTD_OIDC_AUDIENCES: `other-client,${CLIENT_ID}`,
        AGENTD_OIDC_TENANT_CLAIM: 'custom:tenant_id',
        AGENTD_OIDC_ADMIN_CLAIM: 'cognito:groups=agentd-admins',
        AGENTD_OIDC_JWKS_COOLDOWN: `${COOLDOWN_MS}ms`,
        // One run per subject and hour: the second run of a subject is refused, another subject's is not.
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_REQUESTS: '1',
        RATE_LIMIT_PERIOD: '1h',
      },
    });
    tenant = (await d.api('POST', '/api/tenants', { name: 'oidc-a' })).body.id as string;
    otherTenant = (await d.api('POST', '/api/tenants', { name: 'oidc-b' })).body.id as string;
    conversation = (await d.api('POST', `/api/tenants/${tenant}/conversations`, { title: 'jwt' })).body
      .id as string;
  });
  afterEach(() => {
    for (const ws of opened.splice(0)) ws.socket.terminate();
    // A test that failed midway must not leave the provider down for the next one.
    idp.discoveryStatus = 200;
    idp.jwksStatus = 200;
  });
  afterAll(async () => {
    await d.destroy();
    await idp[Symbol.asyncDispose]();
  });

  /** A Cognito access token: `client_id`, no `aud`, the tenant in a custom attribute. */
  const accessToken = (sub: string, claims: Record<string, unknown> = {}, key = keyA) =>
    idp.sign(key, {
      sub,
      client_id: CLIENT_ID,
      token_use: 'access',
      'custom:tenant_id': tenant,
      ...claims,
    });
  const get = (path: string, token: string): Promise<HttpResult> =>
    request(d, 'GET', path, { headers: { authorization: `Bearer ${token}` } });
  const conversations = (token: string, t = tenant) => get(`/api/tenants/${t}/conversations`, token);
  const expectRefused = (res: HttpResult, reason: string, token?: string) => {
    expectError(res, 401, 'UNAUTHENTICATED');
    expect(res.body.error.details.reason, res.text).toBe(reason);
    // The token is never echoed back.
    if (token !== undefined) expect(res.text).not.toContain(token.split('.')[2] || token.split('.')[1]);
  };

  it('the provider down (discovery 500) is 503 DEPENDENCY_UNAVAILABLE, backs off, and recovers', async () => {
    idp.discoveryStatus = 500;
    const token = await accessToken('u-first');
    const down = await conversations(token);
    expectError(down, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(down.body.error.recoverable).toBe(true);
    const failedAt = Date.now();
    // Within the backoff nobody sends the provider another request.
    const asked = idp.fetches.discovery;
    expectError(await conversations(token), 503, 'DEPENDENCY_UNAVAILABLE');
    expect(idp.fetches.discovery).toBe(asked);
    idp.discoveryStatus = 200;
    await until(failedAt + COOLDOWN_MS);
    expect((await conversations(token)).status).toBe(200);
    expect(idp.fetches).toEqual({ discovery: asked + 1, jwks: 1 });
  });

  it('accepts access tokens (client_id) and ID tokens (aud) on REST; the tenant claim scopes them', async () => {
    expect((await conversations(await accessToken('u-rest'))).status).toBe(200);
    const idToken = await idp.sign(keyA, { sub: 'u-rest', aud: CLIENT_ID, 'custom:tenant_id': tenant });
    const list = await conversations(idToken);
    expect(list.status).toBe(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain(conversation);
    // Only its own tenant: another is "not found", admin routes are forbidden.
    expectError(await conversations(idToken, otherTenant), 404, 'NOT_FOUND');
    expectError(await get('/api/tenants', idToken), 403, 'FORBIDDEN');
    // X-API-Key carries a JWT as well as Authorization does.
    const viaKeyHeader = await request(d, 'GET', `/api/tenants/${tenant}/conversations`, {
      headers: { 'x-api-key': idToken },
    });
    expect(viaKeyHeader.status).toBe(200);
  });

  it('accepts a long token (over 4 KiB of claims), far beyond an API key’s 512 characters', async () => {
    const token = await accessToken('u-long', { profile: { bio: 'x'.repeat(4500) } });
    expect(token.length).toBeGreaterThan(6000);
    expect((await conversations(token)).status).toBe(200);
  });

  it('admin rights only through the configured claim rule', async () => {
    const admin = await idp.sign(keyA, {
      sub: 'ops-1',
      client_id: CLIENT_ID,
      'cognito:groups': ['agentd-admins'],
    });
    expect((await get('/api/tenants', admin)).status).toBe(200);
    const created = await fetch(`${d.url}/api/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'made-by-jwt' }),
    });
    expect(created.status).toBe(201);
    const tenantId = ((await created.json()) as { id: string }).id;
    // The audit log names the subject and the kind of credential, and holds no part of the token.
    const log = await d.api('GET', `/api/audit/log?action=tenant.create`);
    const entry = log.body.items.find((e: { target: string }) => e.target.includes(tenantId));
    expect(entry, JSON.stringify(log.body)).toMatchObject({
      actor: 'jwt:ops-1',
      details: { credential: 'jwt' },
    });
    expect(JSON.stringify(log.body)).not.toContain(admin.split('.')[2]);
    // Another group, or an admin-looking claim the rule does not name, is no admin: without a tenant, refused.
    for (const claims of [{ 'cognito:groups': ['staff'] }, { roles: ['agentd-admins'] }, { admin: true }]) {
      const token = await idp.sign(keyA, { sub: 'not-admin', client_id: CLIENT_ID, ...claims });
      expectRefused(await get('/api/tenants', token), 'missing_tenant_claim', token);
    }
  });

  it('refuses every bad token with 401 and its reason', async () => {
    const now = Math.floor(Date.now() / 1000);
    const stranger = await signingKey('key-a');
    const cases: [string, string][] = [
      ['token_expired', await accessToken('u', { iat: now - 7200, exp: now - 3600 })],
      ['token_not_yet_valid', await accessToken('u', { nbf: now + 3600 })],
      ['wrong_audience', await accessToken('u', { client_id: 'someone-else' })],
      ['wrong_audience', await idp.sign(keyA, { sub: 'u', aud: 'someone-else', 'custom:tenant_id': tenant })],
      ['wrong_issuer', await accessToken('u', { iss: 'https://evil.example/pool' })],
      ['unknown_kid', await accessToken('u', {}, { ...keyA, kid: 'never-published' })],
      // Same kid, another private key: a forged signature.
      ['bad_signature', await accessToken('u', {}, stranger)],
      ['missing_tenant_claim', await accessToken('u', { 'custom:tenant_id': undefined })],
      ['missing_subject', await accessToken('', {})],
      ['missing_expiry', await accessToken('u', { exp: undefined })],
    ];
    // A valid token with its payload swapped for another tenant's: the signature no longer matches.
    const [head, , sig] = (await accessToken('u')).split('.');
    const payload = Buffer.from(
      JSON.stringify({ sub: 'u', client_id: CLIENT_ID, 'custom:tenant_id': otherTenant, exp: now + 600 }),
    ).toString('base64url');
    cases.push(['bad_signature', `${head}.${payload}.${sig}`]);
    // `alg: none`.
    const none = (h: object) => Buffer.from(JSON.stringify(h)).toString('base64url');
    cases.push(['alg_not_allowed', `${none({ alg: 'none' })}.${payload}.`]);
    // HS/RS confusion: HMAC with the provider's public key (which anyone can fetch) as the secret.
    const pem = await exportSPKI(keyA.publicKey);
    const confused = await new SignJWT({ sub: 'u', client_id: CLIENT_ID, 'custom:tenant_id': tenant })
      .setProtectedHeader({ alg: 'HS256', kid: keyA.kid })
      .setIssuer(idp.issuer)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode(pem));
    expect(createPublicKey(pem).asymmetricKeyType).toBe('rsa');
    cases.push(['alg_not_allowed', confused]);
    cases.push(['token_malformed', 'eyJ.eyJ.sig']);
    for (const [reason, token] of cases) {
      const res = await conversations(token);
      expect(res.body?.error?.details?.reason, `${reason}: ${res.text}`).toBe(reason);
      expectRefused(res, reason, token);
    }
    // Anything that is neither a key nor a JWT is refused by shape, never tried as either.
    expectRefused(await conversations('two.segments'), 'credential_format');
  });

  it('streams a run over SSE with a token; rate limits key on the subject, not the tenant', async () => {
    const path = `/api/tenants/${tenant}/conversations/${conversation}`;
    const first = await sse(`${d.url}${path}/stream`, {
      body: { message: '@say hello' },
      headers: { authorization: `Bearer ${await accessToken('u-rate-1')}` },
    });
    expect(first.status).toBe(200);
    expect(first.done).toBe(true);
    expect(first.events.map((e) => e.data.type)).toContain('final');
    // The same subject again (a fresh token): its one run per hour is spent.
    const again = await sse(`${d.url}${path}/stream`, {
      body: { message: '@say again' },
      headers: { authorization: `Bearer ${await accessToken('u-rate-1')}` },
    });
    expect([again.status, again.error?.error.code]).toEqual([429, 'RATE_LIMITED']);
    // Another subject of the same tenant has its own bucket.
    const other = await fetch(`${d.url}${path}/query`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await accessToken('u-rate-2')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ message: '@say other' }),
    });
    expect(other.status).toBe(200);
  });

  it('takes ?token= on a WebSocket upgrade only, and closes 4001 on a bad one without echoing it', async () => {
    // Its own conversation: the previous test's run may still be finishing on the shared one.
    const own = await d.api('POST', `/api/tenants/${tenant}/conversations`, { title: 'ws' });
    const wsPath = `/api/tenants/${tenant}/conversations/${own.body.id as string}/ws`;
    const token = await accessToken('u-ws');
    const ws = await WsTestClient.open(wsUrl(d.url ?? '', `${wsPath}?token=${token}`));
    opened.push(ws);
    ws.send({ type: 'ping' });
    expect((await ws.next()).type).toBe('pong');
    ws.send({ type: 'chat', content: '@say over ws' });
    expect((await ws.untilEnd()).at(-1)).toMatchObject({ type: 'end', status: 'succeeded' });
    await ws.close();

    const expired = await accessToken('u-ws', { exp: Math.floor(Date.now() / 1000) - 3600 });
    const refused = await WsTestClient.open(wsUrl(d.url ?? '', `${wsPath}?token=${expired}`));
    opened.push(refused);
    const closed = await refused.closed;
    expect(closed.code).toBe(4001);
    expect(closed.reason).not.toContain(expired.split('.')[2]);
    // The same route without an upgrade, and every other route, refuse a token in the URL.
    for (const path of [wsPath, `/api/tenants/${tenant}/conversations`]) {
      const res = await request(d, 'GET', `${path}?token=${token}`);
      expectRefused(res, 'url_credential_not_accepted', token);
    }
    // An API key is never taken from ?token=, not even on an upgrade.
    const keyInUrl = await WsTestClient.open(wsUrl(d.url ?? '', `${wsPath}?token=${d.adminKey}`));
    opened.push(keyInUrl);
    expect((await keyInUrl.closed).code).toBe(4001);
  });

  it('picks up a rotated key after one refresh; unknown kids cannot make it fetch more often', async () => {
    const keyB = await signingKey('key-b');
    idp.published = [keyA, keyB];
    // Let the cooldown of any earlier fetch pass, then a burst of made-up kids: at most one refresh.
    await until((idp.jwksFetchedAt.at(-1) ?? 0) + COOLDOWN_MS);
    const before = idp.fetches.jwks;
    for (let i = 0; i < 10; i++) {
      const forged = await accessToken('u-rot', {}, { ...keyA, kid: `made-up-${i}` });
      expectRefused(await conversations(forged), 'unknown_kid');
    }
    expect(idp.fetches.jwks).toBe(before + 1);
    // That refresh brought key-b: its tokens work without another fetch.
    expect((await conversations(await accessToken('u-rot', {}, keyB))).status).toBe(200);
    expect(idp.fetches.jwks).toBe(before + 1);

    // The provider rotates again; the new kid is accepted after exactly one refresh once the cooldown is over.
    const keyC = await signingKey('key-c');
    idp.published = [keyB, keyC];
    const tokenC = await accessToken('u-rot', {}, keyC);
    expectRefused(await conversations(tokenC), 'unknown_kid');
    expect(idp.fetches.jwks).toBe(before + 1);
    await until((idp.jwksFetchedAt.at(-1) ?? 0) + COOLDOWN_MS);
    expect((await conversations(tokenC)).status).toBe(200);
    expect(idp.fetches.jwks).toBe(before + 2);
  });

  it('the JWKS endpoint down: a refresh fails with 503 (never 401, 500 or an accepted token)', async () => {
    idp.jwksStatus = 500;
    await until((idp.jwksFetchedAt.at(-1) ?? 0) + COOLDOWN_MS);
    const keyD = await signingKey('key-d');
    const before = idp.fetches.jwks;
    const res = await conversations(await accessToken('u-down', {}, keyD));
    expectError(res, 503, 'DEPENDENCY_UNAVAILABLE');
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(idp.fetches.jwks).toBe(before + 1);
    // Within the backoff a second unknown kid gets 503 at once, without asking the provider again.
    expectError(await conversations(await accessToken('u-down', {}, keyD)), 503, 'DEPENDENCY_UNAVAILABLE');
    expect(idp.fetches.jwks).toBe(before + 1);
    // A WebSocket upgrade hears the same: closed 1011 with the reason, not a bare "internal error".
    const own = await d.api('POST', `/api/tenants/${tenant}/conversations`, { title: 'ws-down' });
    const wsPath = `/api/tenants/${tenant}/conversations/${own.body.id as string}/ws`;
    const ws = await WsTestClient.open(
      wsUrl(d.url ?? '', `${wsPath}?token=${await accessToken('u-down', {}, keyD)}`),
    );
    opened.push(ws);
    expect(await ws.closed).toEqual({ code: 1011, reason: expect.stringMatching(/identity provider/) });
    // Keys already cached (the last rotation's) still verify.
    const cached = idp.published.at(-1) as SigningKey;
    expect((await conversations(await accessToken('u-down', {}, cached))).status).toBe(200);
    idp.jwksStatus = 200;
  });
});
