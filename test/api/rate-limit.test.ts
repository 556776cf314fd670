import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { expectError, request, tenantWithKey } from './api-client.js';

const LIMIT = 3;
const limited = {
  RATE_LIMIT_ENABLED: 'true',
  RATE_LIMIT_REQUESTS: String(LIMIT),
  RATE_LIMIT_PERIOD: '60s',
};

/** POSTs to an execution endpoint; a conversation that does not exist is a cheap request the limiter still counts. */
function execute(d: TestDaemon, key: string, path: string, kind: 'query' | 'stream') {
  return request(d, 'POST', `${path}/${kind}`, {
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ message: '@say hi' }),
  });
}

function expectRateLimited(res: Awaited<ReturnType<typeof request>>): void {
  expectError(res, 429, 'RATE_LIMITED');
  expect(res.body.error.recoverable).toBe(true);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(60);
  expect(res.headers.get('x-ratelimit-limit')).toBe(String(LIMIT));
  expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
}

describe('rate limiting of execution endpoints per API key (in-process store)', () => {
  let d: TestDaemon;
  let tenant: { id: string; key: string };
  let other: { key: string };
  let conversation: string;
  // Two admin keys that share their first characters (operators name keys alike).
  const admin1 = `ops-admin-${randomId(24)}`;
  const admin2 = `ops-admin-${randomId(24)}`;

  beforeAll(async () => {
    d = await startTestDaemon({ env: { ...limited, API_KEYS: `${admin1},${admin2}` } });
    d.adminKey = admin1;
    tenant = await tenantWithKey(d, 'limited');
    const second = await d.api(
      'POST',
      '/api/keys',
      { name: 'second', scope: 'tenant', tenantId: tenant.id },
      admin1,
    );
    other = { key: second.body.key };
    conversation = (await d.api('POST', `/api/tenants/${tenant.id}/conversations`, {}, admin1)).body.id;
  });
  afterAll(async () => {
    await d.destroy();
  });

  it('allows RATE_LIMIT_REQUESTS per period across /stream and /query, then 429 with Retry-After', async () => {
    const real = `/api/tenants/${tenant.id}/conversations/${conversation}`;
    const missing = `/api/tenants/${tenant.id}/conversations/no-such-conversation`;
    const first = await execute(d, tenant.key, real, 'query');
    expect(first.status, first.text).toBe(200);
    expect(first.headers.get('x-ratelimit-remaining')).toBe(String(LIMIT - 1));
    expect((await execute(d, tenant.key, missing, 'stream')).status).toBe(404);
    expect((await execute(d, tenant.key, missing, 'query')).status).toBe(404);

    expectRateLimited(await execute(d, tenant.key, real, 'query'));
    expectRateLimited(await execute(d, tenant.key, real, 'stream'));
    // Refused requests started nothing.
    const messages = await d.api('GET', `${real}/messages`, undefined, admin1);
    expect(messages.body.items.filter((m: { role: string }) => m.role === 'user')).toHaveLength(1);
  });

  it('counts each key on its own and leaves other routes alone', async () => {
    const missing = `/api/tenants/${tenant.id}/conversations/no-such-conversation`;
    expect((await execute(d, other.key, missing, 'query')).status).toBe(404);
    expect((await execute(d, admin2, missing, 'stream')).status).toBe(404);
    expectRateLimited(await execute(d, tenant.key, missing, 'query'));
    for (let i = 0; i < LIMIT + 2; i++) {
      expect(
        (await d.api('GET', `/api/tenants/${tenant.id}/conversations`, undefined, tenant.key)).status,
      ).toBe(200);
    }
  });

  it('gives bootstrap keys that share a prefix separate budgets and separate audit actors', async () => {
    const missing = `/api/tenants/${tenant.id}/conversations/no-such-conversation`;
    for (let i = 0; i < LIMIT; i++) expect((await execute(d, admin1, missing, 'query')).status).toBe(404);
    expectRateLimited(await execute(d, admin1, missing, 'query'));
    expect((await execute(d, admin2, missing, 'query')).status).toBe(404);

    await d.api('POST', '/api/tenants', { name: 'by admin 2' }, admin2);
    const log = await d.api('GET', '/api/audit/log?action=tenant.create&limit=200', undefined, admin2);
    const actors = new Set(log.body.items.map((e: { actor: string }) => e.actor));
    expect(actors.size).toBe(2);
    for (const actor of actors) {
      expect(actor).toMatch(/^bootstrap-key:[0-9a-f]{12}$/);
      expect(actor).not.toContain('ops-admin');
    }
  });
});

/**
 * REDIS-BACKED LIMITER (REDIS_URL set): the limit is shared by every node, so two daemons on one Redis and
 * one database count a key's requests together.
 */
describe('rate limiting with REDIS_URL=redis://127.0.0.1:6379: one budget across nodes', () => {
  let d1: TestDaemon | undefined;
  let d2: TestDaemon | undefined;
  let tenantId: string;
  // A fresh admin key per run: its counter lives in Redis for the whole period.
  const sharedKey = `rl-${randomId(32)}`;

  beforeAll(async () => {
    const env = { ...limited, REDIS_URL: 'redis://127.0.0.1:6379', API_KEYS: sharedKey };
    d1 = await startTestDaemon({ env });
    d2 = await startTestDaemon({ env, databaseUrl: d1.databaseUrl });
    tenantId = (await d1.api('POST', '/api/tenants', { name: 'cluster' }, sharedKey)).body.id;
  });
  afterAll(async () => {
    await d2?.destroy();
    await d1?.destroy();
  });

  it('reports Redis as a service in /health on both nodes', async () => {
    for (const d of [d1!, d2!]) {
      const health = await request(d, 'GET', '/health');
      const redis = health.body.dependencies.find((dep: { name: string }) => dep.name === 'redis');
      expect(redis).toMatchObject({ status: 'up', mode: 'service' });
    }
  });

  it('counts one key’s requests on both nodes against one limit', async () => {
    const missing = `/api/tenants/${tenantId}/conversations/no-such-conversation`;
    expect((await execute(d1!, sharedKey, missing, 'query')).status).toBe(404);
    expect((await execute(d2!, sharedKey, missing, 'query')).status).toBe(404);
    expect((await execute(d1!, sharedKey, missing, 'stream')).status).toBe(404);
    expectRateLimited(await execute(d2!, sharedKey, missing, 'query'));
    expectRateLimited(await execute(d1!, sharedKey, missing, 'stream'));
  });
});
