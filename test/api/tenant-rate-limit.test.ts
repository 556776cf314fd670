import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { expectError, request, tenantWithKey } from './api-client.js';

/** The tenant's own budget, far below the deployment's, so only the override can refuse. */
const TENANT_LIMIT = 2;
const DEPLOYMENT_LIMIT = 50;

function query(d: TestDaemon, tenant: { id: string; key: string }) {
  // A conversation that does not exist: a cheap request the limiter still counts (404 when let through).
  return request(d, 'POST', `/api/tenants/${tenant.id}/conversations/no-such-conversation/query`, {
    headers: { 'x-api-key': tenant.key, 'content-type': 'application/json' },
    body: JSON.stringify({ message: '@say hi' }),
  });
}

describe('a tenant policy’s rateLimitPerPeriod', () => {
  let d: TestDaemon;
  let limited: { id: string; key: string };
  let unlimited: { id: string; key: string };

  beforeAll(async () => {
    d = await startTestDaemon({
      env: {
        RATE_LIMIT_ENABLED: 'true',
        RATE_LIMIT_REQUESTS: String(DEPLOYMENT_LIMIT),
        // The shortest period the configuration accepts, so the test sees a window end.
        RATE_LIMIT_PERIOD: '1s',
      },
    });
    limited = await tenantWithKey(d, 'own-budget', { policy: { rateLimitPerPeriod: TENANT_LIMIT } });
    unlimited = await tenantWithKey(d, 'deployment-budget');
  });
  afterAll(async () => {
    await d.destroy();
  });

  it('refuses the tenant past its own budget with 429 and Retry-After, then lets it in once the window ends', async () => {
    // The window may roll over mid-burst; the burst that counts is the one that ends refused.
    await expect
      .poll(async () => {
        const answers: number[] = [];
        for (let i = 0; i <= TENANT_LIMIT; i++) answers.push((await query(d, limited)).status);
        return answers;
      })
      .toEqual([...Array<number>(TENANT_LIMIT).fill(404), 429]);
    const refused = await query(d, limited);
    expectError(refused, 429, 'RATE_LIMITED');
    expect(refused.headers.get('x-ratelimit-limit')).toBe(String(TENANT_LIMIT));
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another tenant on the deployment's budget is not affected.
    for (let i = 0; i <= TENANT_LIMIT * 2; i++) expect((await query(d, unlimited)).status).toBe(404);
    // The window resets: polled (each try counts), not slept.
    await expect.poll(async () => (await query(d, limited)).status, { timeout: 5_000 }).toBe(404);
  });
});
