import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAgentdError } from '../../orchestrator/src/common/errors.js';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import { loadConfig } from '../../orchestrator/src/config/load-config.js';
import { createDaemon } from '../../orchestrator/src/main.js';
import { tenantWithKey } from '../api/api-client.js';
import { startTestDaemon } from '../support/test-daemon.js';

/** Settings as the multi-tenant seed documents them, and the identity headers it sends. */
describe('seed settings and identity headers', () => {
  it('production refuses the seed’s default database password together with every other problem, and warns about Redis without one', async () => {
    const env = {
      ...process.env,
      APP_ENV: 'production',
      API_KEYS: 'short',
      DATABASE_URL: 'postgresql://aiagent:aiagent_password@127.0.0.1:5432/aiagent',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_PASSWORD: '',
      METRICS_PUBLIC: 'true',
      LOG_LEVEL: 'INFO',
      AGENTD_NODE_ID: `t-${randomId(8)}`,
      AGENTD_STATE_DIR: path.join('/tmp', `agentd-refused-${randomId(8)}`),
    };
    const config = loadConfig(env);
    expect(config.productionWarnings).toEqual([expect.stringMatching(/^REDIS_URL: .*without a password/)]);
    let refusal: unknown;
    try {
      await createDaemon(config, silentLogger());
    } catch (err) {
      refusal = err;
    }
    expect(isAgentdError(refusal), String(refusal)).toBe(true);
    const issues = (refusal as { details: { issues: string[] } }).details.issues;
    expect(issues.map((i) => i.split(':')[0])).toEqual(
      expect.arrayContaining(['API_KEYS', 'DATABASE_URL', 'METRICS_PUBLIC']),
    );
    for (const issue of issues) expect((refusal as Error).message).toContain(issue);
    // The password itself is never echoed.
    expect((refusal as Error).message).not.toContain('aiagent_password');
  });

  it('LOG_LEVEL=INFO starts; X-Admin-ID is recorded (sanitised, bounded) next to the key; a contradicting X-Tenant-ID is 403', async () => {
    await using d = await startTestDaemon({ env: { LOG_LEVEL: 'INFO' } });
    expect(d.config.log.level).toBe('info');

    const create = (adminId: string) =>
      fetch(`${d.url}/api/tenants`, {
        method: 'POST',
        headers: { 'x-api-key': d.adminKey, 'content-type': 'application/json', 'x-admin-id': adminId },
        body: JSON.stringify({ name: `t-${randomId(6)}` }),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as { id: string } }));
    const plain = await create('admin-789');
    const hostile = await create(`eve "admin" ${'x'.repeat(300)}`);
    expect([plain.status, hostile.status]).toEqual([201, 201]);
    const audit = await d.api('GET', '/api/audit/log?action=tenant.create');
    const person = (id: string) =>
      audit.body.items.find((e: { target: string }) => e.target.endsWith(id)) as {
        person: string | null;
        actor: string;
      };
    expect(person(plain.body.id)).toMatchObject({
      person: 'admin-789',
      actor: expect.stringMatching(/^bootstrap-key:/),
    });
    expect(person(hostile.body.id).person).toMatch(/^eveadminx+$/);
    expect(person(hostile.body.id).person).toHaveLength(128);

    const mine = await tenantWithKey(d, 'mine');
    const other = await tenantWithKey(d, 'other');
    const list = (tenantHeader: string) =>
      fetch(`${d.url}/api/tenants/${mine.id}/conversations`, {
        headers: { 'x-api-key': mine.key, 'x-tenant-id': tenantHeader },
      });
    expect((await list(mine.id)).status).toBe(200);
    const refused = await list(other.id);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    // The same holds on the routes without a tenant in the path.
    const sessions = await fetch(`${d.url}/sessions`, {
      headers: { 'x-api-key': mine.key, 'x-tenant-id': other.id },
    });
    expect(sessions.status).toBe(403);
    // An admin key names its tenant with the header.
    const asAdmin = await fetch(`${d.url}/sessions`, {
      headers: { 'x-api-key': d.adminKey, 'x-tenant-id': mine.id },
    });
    expect(asAdmin.status).toBe(200);
  });
});
