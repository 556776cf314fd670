import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { expectError, request, tenantWithKey } from './api-client.js';

interface Operation {
  method: string;
  path: string;
}

/** No key needed: health, the API description, metrics (in development) and AgentCore's `/ping`. */
const PUBLIC = /^\/(health|docs|metrics|ping)(\/|$)/;
/** Routes any valid key may call (the model catalogue); every other non-tenant /api route is admin-only. */
const AUTHENTICATED = new Set(['GET /api/models', 'GET /api/models/{modelId}']);

describe('tenant isolation and authentication on every route', () => {
  let d: TestDaemon;
  let operations: Operation[];
  const secret = `s3cr3t-${Date.now()}`;
  const a = { id: '', key: '', keyId: '', conversationId: '', runId: '' };
  const b = { id: '', key: '', keyId: '', conversationId: '' };

  function fill(path: string, ids: Record<string, string>): string {
    return path.replace(
      /\{([^}]+)\}/g,
      (_, name: string) => ids[name] ?? (name === 'modelId' ? 'scripted' : 'x'),
    );
  }

  /** A body that passes validation where the route takes one, so the tenant check is what answers. */
  function bodyFor(op: Operation): unknown {
    if (op.method === 'GET' || op.method === 'DELETE') return undefined;
    if (/\/(stream|query)$/.test(op.path)) return { message: `@say intruder ${secret}` };
    if (op.path.endsWith('/conversations')) return { title: 'intruder' };
    if (op.path === '/api/tenants/{tenantId}') return { name: 'pwned' };
    return {};
  }

  async function call(
    op: Operation,
    path: string,
    key: string | undefined,
    extra: Record<string, string> = {},
  ) {
    const body = bodyFor(op);
    return request(d, op.method, path, {
      headers: {
        ...(key === undefined ? {} : { 'x-api-key': key }),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...extra,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  beforeAll(async () => {
    d = await startTestDaemon();
    Object.assign(a, await tenantWithKey(d, `tenant-A-${secret}`, { systemPrompt: `prompt-${secret}` }));
    Object.assign(b, await tenantWithKey(d, 'tenant-B'));
    const conversation = await d.api(
      'POST',
      `/api/tenants/${a.id}/conversations`,
      { title: `title-${secret}`, userId: `user-${secret}` },
      a.key,
    );
    expect(conversation.status).toBe(201);
    a.conversationId = conversation.body.id;
    const run = await d.api(
      'POST',
      `/api/tenants/${a.id}/conversations/${a.conversationId}/query`,
      { message: `@say final-${secret}` },
      a.key,
    );
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.final).toContain(`final-${secret}`);
    a.runId = run.body.runId;
    b.conversationId = (await d.api('POST', `/api/tenants/${b.id}/conversations`, {}, b.key)).body.id;

    const spec = await request(d, 'GET', '/docs/json');
    expect(spec.status).toBe(200);
    operations = Object.entries(spec.body.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, methods]) =>
        Object.keys(methods)
          .filter((m) => ['get', 'post', 'put', 'delete', 'patch'].includes(m))
          .map((m) => ({ method: m.toUpperCase(), path })),
    );
  });
  afterAll(async () => {
    await d.destroy();
  });

  it('enumerates the routes from the live OpenAPI spec', () => {
    const names = operations.map((op) => `${op.method} ${op.path}`);
    const conv = '/api/tenants/{tenantId}/conversations/{conversationId}';
    expect(names).toEqual(
      expect.arrayContaining([
        'GET /api/tenants/{tenantId}',
        'POST /api/tenants/{tenantId}/conversations',
        `DELETE ${conv}`,
        `POST ${conv}/stream`,
        `POST ${conv}/query`,
        `GET ${conv}/runs/{runId}/events`,
        `POST ${conv}/runs/{runId}/cancel`,
        'GET /api/tenants/{tenantId}/usage',
        'DELETE /api/keys/{keyId}',
      ]),
    );
    expect(operations.filter((op) => op.path.includes('{tenantId}')).length).toBeGreaterThanOrEqual(15);
  });

  it("every tenant-scoped route answers B's key on A's resources with 404 and leaks nothing", async () => {
    const tenantOps = operations.filter((op) => op.path.includes('{tenantId}'));
    const results: string[] = [];
    for (const op of tenantOps) {
      // Admin-only routes under a tenant path (PUT/DELETE of the tenant) refuse A's own key the same way.
      // Probed with a body no route accepts, so nothing is created.
      const own = await request(
        d,
        op.method,
        fill(op.path, { tenantId: a.id, conversationId: 'nope', runId: 'nope' }),
        {
          headers: { 'x-api-key': a.key, 'content-type': 'application/json' },
          ...(bodyFor(op) === undefined ? {} : { body: '{"probe":true}' }),
        },
      );
      const adminOnly = own.status === 403;
      const attempts = [
        fill(op.path, { tenantId: a.id, conversationId: a.conversationId, runId: a.runId }),
        // B's own tenant in the path, A's conversation and run below it.
        fill(op.path, { tenantId: b.id, conversationId: a.conversationId, runId: a.runId }),
      ];
      for (const path of attempts) {
        // With B's own tenant in the path only the resources below it can be A's.
        if (path.includes(b.id) && (adminOnly || !op.path.includes('{conversationId}'))) continue;
        for (const spoof of [{}, { 'x-tenant-id': a.id }] as Record<string, string>[]) {
          const res = await call(op, path, b.key, spoof);
          // An X-Tenant-ID that contradicts B's own tenant is refused outright (403, whatever its value, so it
          // tells nothing about A); a route that answers before the credential is read still says 404.
          const spoofed = spoof['x-tenant-id'] !== undefined;
          const expected = adminOnly || (spoofed && res.status === 403) ? 403 : 404;
          if (res.status !== expected) results.push(`${op.method} ${path}: ${res.status} ${res.text}`);
          else expectError(res, expected, expected === 403 ? 'FORBIDDEN' : 'NOT_FOUND');
          if (res.text.includes(secret)) results.push(`${op.method} ${path} leaked: ${res.text}`);
        }
      }
    }
    expect(results).toEqual([]);

    // Nothing B tried changed A.
    const tenant = await d.api('GET', `/api/tenants/${a.id}`, undefined, a.key);
    expect(tenant.body.name).toBe(`tenant-A-${secret}`);
    const conversation = await d.api(
      'GET',
      `/api/tenants/${a.id}/conversations/${a.conversationId}`,
      undefined,
      a.key,
    );
    expect(conversation.body).toMatchObject({ status: 'active', title: `title-${secret}` });
    const conversations = await d.api('GET', `/api/tenants/${a.id}/conversations`, undefined, a.key);
    expect(conversations.body.items).toHaveLength(1);
    const messages = await d.api(
      'GET',
      `/api/tenants/${a.id}/conversations/${a.conversationId}/messages`,
      undefined,
      a.key,
    );
    expect(JSON.stringify(messages.body)).not.toContain('intruder');
    const run = await d.api(
      'GET',
      `/api/tenants/${a.id}/conversations/${a.conversationId}/runs/${a.runId}`,
      undefined,
      a.key,
    );
    expect(run.body.status).toBe('succeeded');
  });

  it("A's key reads A's resources (the 404s above are isolation, not broken routes)", async () => {
    const base = `/api/tenants/${a.id}`;
    for (const path of [
      base,
      `${base}/conversations`,
      `${base}/conversations/${a.conversationId}`,
      `${base}/conversations/${a.conversationId}/messages`,
      `${base}/conversations/${a.conversationId}/runs/${a.runId}`,
      `${base}/usage`,
    ]) {
      const res = await d.api('GET', path, undefined, a.key);
      expect(res.status, path).toBe(200);
    }
  });

  it("B's lists and usage never include A's data", async () => {
    const list = await d.api('GET', `/api/tenants/${b.id}/conversations?limit=200`, undefined, b.key);
    expect(list.body.items.map((c: { id: string }) => c.id)).toEqual([b.conversationId]);
    const usage = await d.api('GET', `/api/tenants/${b.id}/usage?groupBy=conversation`, undefined, b.key);
    expect(usage.status).toBe(200);
    expect(usage.body.total.runs).toBe(0);
    expect(JSON.stringify(usage.body)).not.toContain(a.conversationId);
    const models = await d.api('GET', '/api/models', undefined, b.key);
    expect(models.status).toBe(200);
  });

  it('admin-only routes answer a tenant key with 403; the model catalogue is open to any key', async () => {
    const failures: string[] = [];
    for (const op of operations.filter((o) => !o.path.includes('{tenantId}') && o.path.startsWith('/api/'))) {
      const res = await call(op, fill(op.path, { keyId: a.keyId }), b.key);
      const expected = AUTHENTICATED.has(`${op.method} ${op.path}`) ? 200 : 403;
      if (res.status !== expected) failures.push(`${op.method} ${op.path}: ${res.status} ${res.text}`);
      else if (expected === 403) expectError(res, 403, 'FORBIDDEN');
    }
    expect(failures).toEqual([]);
    // A's key was not revoked by B's attempt.
    expect((await d.api('GET', `/api/tenants/${a.id}`, undefined, a.key)).status).toBe(200);
  });

  it('no key, a bad key, a malformed Authorization or a revoked key: 401 on every non-public route', async () => {
    const revoked = await tenantWithKey(d, 'revoked');
    expect((await d.api('DELETE', `/api/keys/${revoked.keyId}`)).status).toBe(200);
    const failures: string[] = [];
    for (const op of operations.filter((o) => !PUBLIC.test(o.path))) {
      const path = fill(op.path, { tenantId: a.id, conversationId: a.conversationId, runId: a.runId });
      for (const headers of [
        {},
        { 'x-api-key': 'agd_not-a-real-key' },
        { 'x-api-key': a.key.slice(0, -1) },
        { authorization: `Basic ${a.key}` },
        { authorization: 'Bearer ' },
        { 'x-api-key': revoked.key },
        { authorization: `Bearer ${revoked.key}` },
      ] as Record<string, string>[]) {
        const body = bodyFor(op);
        const res = await request(d, op.method, path, {
          headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        if (res.status !== 401)
          failures.push(`${op.method} ${path} ${JSON.stringify(headers)}: ${res.status}`);
        else expectError(res, 401, 'UNAUTHENTICATED');
        if (res.text.includes(secret)) failures.push(`${op.method} ${path} leaked: ${res.text}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
