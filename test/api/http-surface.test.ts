import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { errorShapeProblems, expectError, rawRequest, request, tenantWithKey } from './api-client.js';

const GENERATED_ID = /^req_[a-z2-7]{16}$/;

describe('HTTP surface in development defaults (request ids, headers, probes, docs)', () => {
  let d: TestDaemon;

  beforeAll(async () => {
    d = await startTestDaemon();
  });
  afterAll(async () => {
    await d.destroy();
  });

  it('echoes a sane X-Request-ID, generates one otherwise, on every kind of response', async () => {
    const given = 'trace-1234.abc:def_ghi-JKL';
    for (const [method, path, headers] of [
      ['GET', '/api/tenants', { 'x-api-key': d.adminKey }],
      ['GET', '/api/tenants', {}],
      ['GET', '/api/nothing-here', { 'x-api-key': d.adminKey }],
      ['GET', '/health/live', {}],
      ['POST', '/api/tenants', { 'x-api-key': d.adminKey, 'content-type': 'application/json' }],
    ] as const) {
      const echoed = await request(d, method, path, {
        headers: { ...headers, 'x-request-id': given },
        ...(method === 'POST' ? { body: '{' } : {}),
      });
      expect(echoed.headers.get('x-request-id'), `${method} ${path}`).toBe(given);
      if (echoed.status >= 400) expect(echoed.body.error.requestId).toBe(given);

      const generated = await request(d, method, path, {
        headers: { ...headers },
        ...(method === 'POST' ? { body: '{' } : {}),
      });
      expect(generated.headers.get('x-request-id'), `${method} ${path}`).toMatch(GENERATED_ID);
    }
    // Insane values are replaced, never reflected: too long, spaces, markup, a log-injection attempt.
    for (const insane of ['x'.repeat(129), 'has space', '<script>', 'a\tb', 'é']) {
      const res = await rawRequest(d, 'GET', '/health/live', [['x-request-id', insane]]);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toMatch(GENERATED_ID);
    }
    const injected = await rawRequest(d, 'GET', '/api/tenants', [['x-request-id', 'abc\x01def']]);
    expect(injected.status).toBe(400);
    expect(injected.headers.get('x-request-id')).toMatch(GENERATED_ID);
    expect(errorShapeProblems(injected.body, injected.headers.get('x-request-id'))).toEqual([]);
  });

  it('answers requests the HTTP parser rejects with the structured error too', async () => {
    const huge = await rawRequest(d, 'GET', '/api/tenants', [['x-padding', 'p'.repeat(40_000)]]);
    expect(huge.status).toBe(431);
    expect(errorShapeProblems(huge.body, huge.headers.get('x-request-id'))).toEqual([]);
    const badLine = await rawRequest(d, 'GET', '/api/ten ants/x', []);
    expect(badLine.status).toBe(400);
    expect(errorShapeProblems(badLine.body, badLine.headers.get('x-request-id'))).toEqual([]);
  });

  it('sends helmet security headers and no HSTS unless configured', async () => {
    for (const path of ['/health', '/api/tenants']) {
      const res = await request(d, 'GET', path, { headers: { 'x-api-key': d.adminKey } });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('answers no CORS origin when no origins are configured', async () => {
    const res = await request(d, 'GET', '/api/tenants', {
      headers: { 'x-api-key': d.adminKey, origin: 'https://app.example' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('GET /health lists each dependency with its status, mode and latency', async () => {
    const res = await request(d, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', ready: true, node: d.config.nodeId, shuttingDown: false });
    const byName = new Map<string, any>(res.body.dependencies.map((dep: any) => [dep.name, dep]));
    expect([...byName.keys()]).toEqual(expect.arrayContaining(['postgres', 'docker', 'redis']));
    for (const dep of byName.values()) {
      expect(['up', 'down']).toContain(dep.status);
      expect(['service', 'embedded']).toContain(dep.mode);
      expect(typeof dep.latencyMs).toBe('number');
      expect(dep.latencyMs).toBeGreaterThanOrEqual(0);
    }
    expect(byName.get('postgres')).toMatchObject({ status: 'up', mode: 'service' });
    expect(byName.get('docker')).toMatchObject({ status: 'up', mode: 'service' });
  });

  it('/health/live and /health/ready answer without a key', async () => {
    const live = await request(d, 'GET', '/health/live');
    expect(live).toMatchObject({ status: 200, body: { status: 'alive' } });
    const ready = await request(d, 'GET', '/health/ready');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('/metrics is public in development and speaks Prometheus', async () => {
    const res = await request(d, 'GET', '/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/^# HELP agentd_/m);
    expect(res.text).toMatch(/^agentd_process_cpu_user_seconds_total /m);
  });

  it('GET /docs serves the OpenAPI UI and /docs/json a spec listing every route', async () => {
    const ui = await request(d, 'GET', '/docs/static/index.html');
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/^text\/html/);
    expect(ui.text).toContain('swagger');
    const root = await fetch(`${d.url}/docs`, { redirect: 'manual' });
    expect([200, 302]).toContain(root.status);

    const spec = await request(d, 'GET', '/docs/json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    const conv = '/api/tenants/{tenantId}/conversations/{conversationId}';
    const expected: [string, string][] = [
      ['/api/tenants', 'get'],
      ['/api/tenants', 'post'],
      ['/api/tenants/{tenantId}', 'get'],
      ['/api/tenants/{tenantId}', 'put'],
      ['/api/tenants/{tenantId}', 'delete'],
      ['/api/tenants/{tenantId}/conversations', 'get'],
      ['/api/tenants/{tenantId}/conversations', 'post'],
      [conv, 'get'],
      [conv, 'delete'],
      [`${conv}/archive`, 'post'],
      [`${conv}/messages`, 'get'],
      [`${conv}/stream`, 'post'],
      [`${conv}/query`, 'post'],
      [`${conv}/runs/{runId}`, 'get'],
      [`${conv}/runs/{runId}/events`, 'get'],
      [`${conv}/runs/{runId}/cancel`, 'post'],
      ['/api/tenants/{tenantId}/usage', 'get'],
      ['/api/models', 'get'],
      ['/api/models', 'post'],
      ['/api/models/{modelId}', 'get'],
      ['/api/models/{modelId}', 'put'],
      ['/api/models/{modelId}', 'delete'],
      ['/api/keys', 'get'],
      ['/api/keys', 'post'],
      ['/api/keys/{keyId}', 'delete'],
      ['/api/audit/log', 'get'],
      ['/health', 'get'],
      ['/health/live', 'get'],
      ['/health/ready', 'get'],
      ['/metrics', 'get'],
    ];
    const missing = expected.filter(([path, method]) => spec.body.paths?.[path]?.[method] === undefined);
    expect(missing).toEqual([]);
    expect(spec.body.components.securitySchemes).toMatchObject({
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      bearer: { type: 'http', scheme: 'bearer' },
    });
  });

  it('accepts the key as X-API-Key or Authorization: Bearer, and nothing else', async () => {
    expect((await request(d, 'GET', '/api/tenants', { headers: { 'x-api-key': d.adminKey } })).status).toBe(
      200,
    );
    for (const authorization of [`Bearer ${d.adminKey}`, `bearer ${d.adminKey}`, `BEARER  ${d.adminKey}`]) {
      expect((await request(d, 'GET', '/api/tenants', { headers: { authorization } })).status).toBe(200);
    }
    for (const authorization of [
      `Basic ${Buffer.from(`admin:${d.adminKey}`).toString('base64')}`,
      d.adminKey,
      `Token ${d.adminKey}`,
      'Bearer',
      'Bearer ',
    ]) {
      expectError(
        await request(d, 'GET', '/api/tenants', { headers: { authorization } }),
        401,
        'UNAUTHENTICATED',
      );
    }
    expectError(
      await request(d, 'GET', '/api/tenants', { headers: { 'x-api-key': 'nope' } }),
      401,
      'UNAUTHENTICATED',
    );
    expectError(
      await request(d, 'GET', '/api/tenants', { headers: { 'x-api-key': 'x'.repeat(4000) } }),
      401,
      'UNAUTHENTICATED',
    );
  });
});

describe('HTTP surface with HSTS, a CORS allow-list, private metrics and a small body limit', () => {
  let d: TestDaemon;
  const allowed = 'https://app.example';

  beforeAll(async () => {
    d = await startTestDaemon({
      env: {
        HSTS_ENABLED: 'true',
        CORS_ORIGINS: `${allowed}, https://other.example`,
        METRICS_PUBLIC: 'false',
        AGENTD_BODY_LIMIT_BYTES: '4096',
      },
    });
  });
  afterAll(async () => {
    await d.destroy();
  });

  it('sends HSTS when configured', async () => {
    const res = await request(d, 'GET', '/health/live');
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('honours the CORS allow-list: allowed origins get access-control-allow-origin, others do not', async () => {
    const ok = await request(d, 'GET', '/api/tenants', {
      headers: { 'x-api-key': d.adminKey, origin: allowed },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-expose-headers')).toContain('x-request-id');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();

    const other = await request(d, 'GET', '/api/tenants', {
      headers: { 'x-api-key': d.adminKey, origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const lookalike = await request(d, 'GET', '/api/tenants', {
      headers: { 'x-api-key': d.adminKey, origin: `${allowed}.evil.example` },
    });
    expect(lookalike.headers.get('access-control-allow-origin')).toBeNull();

    const preflight = await request(d, 'OPTIONS', '/api/tenants', {
      headers: { origin: allowed, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(allowed);
    const refused = await request(d, 'OPTIONS', '/api/tenants', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('/metrics needs a key when METRICS_PUBLIC=false', async () => {
    expectError(await request(d, 'GET', '/metrics'), 401, 'UNAUTHENTICATED');
    const tenant = await tenantWithKey(d, 'metrics reader');
    for (const key of [d.adminKey, tenant.key]) {
      const res = await request(d, 'GET', '/metrics', { headers: { 'x-api-key': key } });
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/^# HELP agentd_/m);
    }
  });

  it('refuses a body over the limit with 413 and the structured error', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(8000) });
    const res = await request(d, 'POST', '/api/tenants', {
      headers: { 'x-api-key': d.adminKey, 'content-type': 'application/json' },
      body: big,
    });
    expect(res.status).toBe(413);
    expect(errorShapeProblems(res.body, res.headers.get('x-request-id'))).toEqual([]);

    const chunked = await request(d, 'POST', '/api/tenants/t/conversations/c/query', {
      headers: { 'x-api-key': d.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'y'.repeat(10_000) }),
    });
    expect(chunked.status).toBe(413);
    expect(errorShapeProblems(chunked.body, chunked.headers.get('x-request-id'))).toEqual([]);
  });
});

describe('readiness when a critical dependency fails', () => {
  it('GET /health/ready answers 503 naming the failing dependency (the database is gone)', async () => {
    await using d = await startTestDaemon();
    expect((await request(d, 'GET', '/health/ready')).status).toBe(200);
    // Drop the daemon's database under it: the next probe cannot reach it.
    const pg = await import('pg');
    const client = new pg.default.Client({
      connectionString: new URL('/postgres', d.databaseUrl).toString(),
    });
    await client.connect();
    try {
      await client.query(`DROP DATABASE "${new URL(d.databaseUrl).pathname.slice(1)}" WITH (FORCE)`);
    } finally {
      await client.end();
    }
    let ready = await request(d, 'GET', '/health/ready');
    for (let i = 0; i < 50 && ready.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await request(d, 'GET', '/health/ready');
    }
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('not ready');
    expect(ready.body.reason).toContain('postgres');
    expect(ready.body.failing.map((f: { name: string }) => f.name)).toEqual(['postgres']);
    expect(typeof ready.body.failing[0].error).toBe('string');
    const health = await request(d, 'GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('down');
    const postgres = health.body.dependencies.find((dep: { name: string }) => dep.name === 'postgres');
    expect(postgres).toMatchObject({ status: 'down' });
    expect(postgres.latencyMs).toBeGreaterThanOrEqual(0);
    // Liveness is not readiness: the process is fine.
    expect((await request(d, 'GET', '/health/live')).status).toBe(200);
  });
});
