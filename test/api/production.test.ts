import { access } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { isAgentdError } from '../../orchestrator/src/common/errors.js';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import { loadConfig } from '../../orchestrator/src/config/load-config.js';
import { createDaemon } from '../../orchestrator/src/main.js';
import { startTestDaemon } from '../support/test-daemon.js';
import { ADMIN_DATABASE_URL, databaseUrl, dropDatabase } from '../support/test-database.js';
import { expectError, request } from './api-client.js';

const UNSAFE = {
  APP_ENV: 'production',
  API_KEYS: 'short-key',
  DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:5432/agentd',
  METRICS_PUBLIC: 'true',
  CORS_ORIGINS: 'https://app.example,*',
};

/** The problems a refusal lists, one per line of its message and in its details. */
function refusal(err: unknown): string[] {
  expect(isAgentdError(err), String(err)).toBe(true);
  const issues = (err as { details?: { issues?: string[] } }).details?.issues ?? [];
  for (const issue of issues) expect((err as Error).message).toContain(issue);
  return issues;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal to start');
}

describe('production mode refuses unsafe settings, listing every problem at once', () => {
  it('the configuration names each unsafe setting', () => {
    const config = loadConfig({ ...UNSAFE, HOME: '/tmp' });
    expect(config.productionIssues).toEqual([
      expect.stringMatching(/^API_KEYS: 1 key\(s\) shorter than 16/),
      expect.stringMatching(/^DATABASE_URL: .*password/),
      expect.stringMatching(/^METRICS_PUBLIC:/),
      expect.stringMatching(/^CORS_ORIGINS: "\*"/),
      expect.stringMatching(/^AGENTD_SECRETS_KEY: production needs/),
    ]);
    const noKeys = loadConfig({ APP_ENV: 'production', HOME: '/tmp' });
    expect(noKeys.productionIssues).toEqual([
      expect.stringMatching(/^API_KEYS: production needs at least one/),
      expect.stringMatching(/^DATABASE_URL: production needs PostgreSQL/),
      expect.stringMatching(/^AGENTD_SECRETS_KEY: production needs/),
    ]);
    for (const password of ['', 'postgres', 'PASSWORD', 'changeme']) {
      const url = `postgresql://agentd${password === '' ? '' : `:${password}`}@db:5432/agentd`;
      const weak = loadConfig({
        APP_ENV: 'production',
        API_KEYS: 'k'.repeat(32),
        DATABASE_URL: url,
        AGENTD_SECRETS_KEY: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
        HOME: '/tmp',
      });
      expect(weak.productionIssues, url).toEqual([expect.stringMatching(/^DATABASE_URL:/)]);
    }
    // Development tolerates all of it.
    expect(() => loadConfig({ ...UNSAFE, APP_ENV: 'development', HOME: '/tmp' })).not.toThrow();
  });

  it('createDaemon throws one error listing every problem, host isolation refusals included', async () => {
    const config = loadConfig({
      ...process.env,
      ...UNSAFE,
      API_KEYS: '',
      AGENTD_APPARMOR: 'required',
      AGENTD_NODE_ID: `t-${randomId(8)}`,
      AGENTD_STATE_DIR: path.join('/tmp', `agentd-refused-${randomId(8)}`),
    });
    const err = await rejection(createDaemon(config, silentLogger()));
    const issues = refusal(err);
    expect((err as Error).message).toMatch(/^agentd refuses to start/);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^API_KEYS: production needs at least one/),
        expect.stringMatching(/^DATABASE_URL:/),
        expect.stringMatching(/^METRICS_PUBLIC:/),
        expect.stringMatching(/^CORS_ORIGINS:/),
        expect.stringMatching(/AppArmor/i),
      ]),
    );
    // It refused before touching anything: no state directory, no database.
    await expect(access(config.stateDir)).rejects.toThrow();
  });

  it('a real test daemon in production with unsafe settings refuses to start, naming all of them', async () => {
    const err = await rejection(
      startTestDaemon({
        env: { APP_ENV: 'production', API_KEYS: 'short-key', METRICS_PUBLIC: 'true', CORS_ORIGINS: '*' },
      }),
    );
    const issues = refusal(err);
    // The test database's URL carries the default `postgres` password.
    expect(issues).toHaveLength(4);
    expect(issues.map((i) => i.split(':')[0])).toEqual([
      'API_KEYS',
      'DATABASE_URL',
      'METRICS_PUBLIC',
      'CORS_ORIGINS',
    ]);
  });

  it('a safe production configuration starts: strong key, strong database password, private metrics, HSTS', async () => {
    const role = `agentd_prod_${randomId(8)}`;
    const password = randomId(32);
    const name = `agentd_test_${randomId(10)}`;
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${password}'`);
      await admin.query(`CREATE DATABASE "${name}" OWNER "${role}"`);
      const url = new URL(databaseUrl(name));
      url.username = role;
      url.password = password;
      const key = `prod-${randomId(40)}`;
      const d = await startTestDaemon({
        databaseUrl: url.toString(),
        env: { APP_ENV: 'production', API_KEYS: key, CORS_ORIGINS: 'https://app.example' },
      });
      try {
        expect(d.config.productionIssues).toEqual([]);
        expect(d.developmentAdminKey).toBeUndefined();
        await expect(access(path.join(d.config.stateDir, 'admin.key'))).rejects.toThrow();
        expect((await request(d, 'GET', '/health/ready')).status).toBe(200);
        expectError(await request(d, 'GET', '/metrics'), 401, 'UNAUTHENTICATED');
        expect((await request(d, 'GET', '/metrics', { headers: { 'x-api-key': key } })).status).toBe(200);
        const tenants = await request(d, 'GET', '/api/tenants', {
          headers: { authorization: `Bearer ${key}` },
        });
        expect(tenants.status).toBe(200);
        expect(tenants.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      } finally {
        await d.destroy();
      }
    } finally {
      await dropDatabase(name);
      await admin.query(`DROP ROLE IF EXISTS "${role}"`);
      await admin.end();
    }
  });
});
