import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAgentdError } from '../../orchestrator/src/common/errors.js';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { spawnAgentd, type AgentdProcess } from '../support/agentd-process.js';
import { createEmptyDatabase } from '../support/test-database.js';
import { startTestDaemon } from '../support/test-daemon.js';

interface Reply {
  status: number;
  text: string;
  body: any;
}

/**
 * Tenant secrets end to end against a real `agentd serve` (its JSON log lines captured): values go in and
 * never come out, not in a response, an error, the audit log or a log line.
 */
describe('tenant secrets API', () => {
  let agentd: AgentdProcess;
  let stateDir: string;
  let database: Awaited<ReturnType<typeof createEmptyDatabase>>;
  const adminKey = `admin-${randomId(24)}`;
  const replies: string[] = [];
  const values: string[] = [];
  const secretValue = (): string => {
    const value = `sv-${randomId(20)}`;
    values.push(value);
    return value;
  };

  const call = async (method: string, url: string, body?: unknown, key = adminKey): Promise<Reply> => {
    const res = await fetch(`${agentd.url}${url}`, {
      method,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    replies.push(text);
    return { status: res.status, text, body: text === '' ? null : JSON.parse(text) };
  };

  beforeAll(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-secrets-'));
    database = await createEmptyDatabase();
    agentd = await spawnAgentd(`secrets-${randomId(6)}`, {
      DATABASE_URL: database.url,
      AGENTD_AUTO_MIGRATE: 'true',
      API_KEYS: adminKey,
      AGENTD_STATE_DIR: stateDir,
      AGENTD_POOL_SIZE: '0',
      AGENTD_SECRETS_MAX_PER_TENANT: '3',
      RATE_LIMIT_ENABLED: 'false',
    });
  });

  afterAll(async () => {
    await agentd.stop();
    await database.drop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('stores versions, lists metadata, keeps tenants apart, audits, and never gives a value back', async () => {
    const a = (await call('POST', '/api/tenants', { name: 'secrets-a' })).body.id as string;
    const b = (await call('POST', '/api/tenants', { name: 'secrets-b' })).body.id as string;
    const key = await call('POST', '/api/keys', { name: 'a key', scope: 'tenant', tenantId: a });
    const tenantKey = key.body.key as string;

    const created = await call('PUT', `/api/tenants/${a}/secrets/GITHUB_TOKEN`, { value: secretValue() });
    expect(created.status, created.text).toBe(201);
    expect(created.body).toEqual({
      name: 'GITHUB_TOKEN',
      version: 1,
      keyId: 'test',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    // The tenant's own key may write; a new value is the next version.
    const updated = await call(
      'PUT',
      `/api/tenants/${a}/secrets/GITHUB_TOKEN`,
      { value: secretValue() },
      tenantKey,
    );
    expect([updated.status, updated.body.version]).toEqual([200, 2]);
    expect(
      (await call('PUT', `/api/tenants/${a}/secrets/db.password`, { value: secretValue() })).status,
    ).toBe(201);

    const list = await call('GET', `/api/tenants/${a}/secrets`, undefined, tenantKey);
    expect(list.status).toBe(200);
    expect(list.body.items.map((s: { name: string; version: number }) => [s.name, s.version])).toEqual([
      ['GITHUB_TOKEN', 2],
      ['db.password', 1],
    ]);
    expect(
      (await call('GET', `/api/tenants/${a}/secrets/GITHUB_TOKEN`, undefined, tenantKey)).body,
    ).toMatchObject({
      name: 'GITHUB_TOKEN',
      version: 2,
    });

    // Another tenant's key sees nothing of it and cannot write there.
    expect((await call('GET', `/api/tenants/${b}/secrets`)).body.items).toEqual([]);
    expect((await call('GET', `/api/tenants/${b}/secrets/GITHUB_TOKEN`)).status).toBe(404);
    const foreign = await call('PUT', `/api/tenants/${b}/secrets/X`, { value: secretValue() }, tenantKey);
    expect([403, 404]).toContain(foreign.status);
    expect((await call('GET', `/api/tenants/no-such-tenant/secrets`)).status).toBe(404);

    // Bad input: refused with a reason, the value never echoed.
    expect((await call('PUT', `/api/tenants/${a}/secrets/bad%20name`, { value: secretValue() })).status).toBe(
      400,
    );
    const huge = `${secretValue()}${'x'.repeat(64 * 1024)}`;
    const tooBig = await call('PUT', `/api/tenants/${a}/secrets/BIG`, { value: huge });
    expect([tooBig.status, tooBig.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await call('PUT', `/api/tenants/${a}/secrets/N`, { value: 42 })).status).toBe(400);
    const extra = await call('PUT', `/api/tenants/${a}/secrets/N`, {
      value: secretValue(),
      echo: secretValue(),
    });
    expect(extra.status).toBe(400);
    // A multi-byte value within 64 Ki characters but over 64 KiB is refused by the byte limit.
    const wide = await call('PUT', `/api/tenants/${a}/secrets/WIDE`, {
      value: `${secretValue()}${'é'.repeat(40_000)}`,
    });
    expect([wide.status, wide.text]).toEqual([400, expect.stringMatching(/at most 65536/)]);

    // The per-tenant cap (3 here) counts names, not versions.
    expect((await call('PUT', `/api/tenants/${a}/secrets/third`, { value: secretValue() })).status).toBe(201);
    const capped = await call('PUT', `/api/tenants/${a}/secrets/fourth`, { value: secretValue() });
    expect([capped.status, capped.text]).toEqual([400, expect.stringMatching(/already has 3 secrets/)]);
    expect((await call('PUT', `/api/tenants/${a}/secrets/third`, { value: secretValue() })).status).toBe(200);

    const removed = await call('DELETE', `/api/tenants/${a}/secrets/third`, undefined, tenantKey);
    expect([removed.status, removed.body.version]).toEqual([200, 2]);
    expect((await call('GET', `/api/tenants/${a}/secrets/third`)).status).toBe(404);
    expect((await call('DELETE', `/api/tenants/${a}/secrets/third`)).status).toBe(404);

    // Rotation is the admin's; with one key everything is already under it.
    expect((await call('POST', '/api/admin/secrets/rotate', undefined, tenantKey)).status).toBe(403);
    expect((await call('POST', '/api/admin/secrets/rotate')).body).toEqual({
      keyId: 'test',
      resealed: 0,
      failed: [],
    });

    const audit = await call('GET', '/api/audit/log?limit=200');
    const actions = audit.body.items
      .filter((e: { action: string }) => e.action.startsWith('secret.'))
      .map((e: { action: string; target: string; details: { version?: number } }) => [
        e.action,
        e.target,
        e.details.version,
      ]);
    expect(actions).toEqual(
      expect.arrayContaining([
        ['secret.create', `secret:${a}/GITHUB_TOKEN`, 1],
        ['secret.update', `secret:${a}/GITHUB_TOKEN`, 2],
        ['secret.delete', `secret:${a}/third`, 2],
        ['secret.rotate', 'secrets:test', undefined],
      ]),
    );
    // The log was captured (request lines and audit lines are there) and holds no value either.
    expect(agentd.logs.some((line) => line.includes('"secret.update"'))).toBe(true);
    expect(agentd.logs.some((line) => line.includes('/secrets/GITHUB_TOKEN'))).toBe(true);
    const everything = [...replies, ...agentd.logs].join('\n');
    expect(values.length).toBeGreaterThan(10);
    for (const value of values) expect(everything, value).not.toContain(value);
  });
});

async function refusal(start: Promise<unknown>): Promise<Error> {
  const err = await start.then(
    () => new Error('expected a refusal to start'),
    (e: unknown) => e as Error,
  );
  expect(isAgentdError(err), String(err)).toBe(true);
  return err;
}

describe('the secrets key at start', () => {
  it('production and Redis (several nodes) refuse to start without AGENTD_SECRETS_KEY', async () => {
    const production = await refusal(
      startTestDaemon({
        start: false,
        env: { APP_ENV: 'production', API_KEYS: `prod-${randomId(40)}`, AGENTD_SECRETS_KEY: '' },
      }),
    );
    expect((production as { details?: { issues?: string[] } }).details?.issues).toContainEqual(
      expect.stringMatching(/^AGENTD_SECRETS_KEY: production needs an explicit secrets key/),
    );
    const redis = await refusal(
      startTestDaemon({ start: false, env: { REDIS_URL: 'redis://127.0.0.1:6379', AGENTD_SECRETS_KEY: '' } }),
    );
    expect(redis.message).toMatch(/AGENTD_SECRETS_KEY is required when REDIS_URL is set/);
  });

  it('development generates a 0600 key once, reuses it across restarts, and rotation moves secrets to a new key', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-seckey-'));
    const database = await createEmptyDatabase();
    const node = { stateDir, databaseUrl: database.url };
    try {
      const first = await startTestDaemon({ ...node, env: { AGENTD_SECRETS_KEY: '' } });
      const file = path.join(stateDir, 'secrets.key');
      const keyText = (await readFile(file, 'utf8')).trim();
      let tenant: string;
      try {
        expect((await stat(file)).mode & 0o777).toBe(0o600);
        tenant = (await first.api('POST', '/api/tenants', { name: 'dev-key' })).body.id as string;
        const put = await first.api('PUT', `/api/tenants/${tenant}/secrets/TOKEN`, { value: 'dev-value' });
        expect(put.body.keyId).toBe(keyText.split(':')[0]);
        // The daemon's outbound guard never reaches its own listener or database, whatever a rule allows.
        const loopback = ['127.0.0.0/8', '::1/128', '0.0.0.0/8'];
        for (const port of [
          Number(new URL(first.url ?? '').port),
          Number(new URL(database.url).port || 5432),
        ]) {
          for (const host of ['127.0.0.1', 'localhost', '0.0.0.0']) {
            const denied = await first.outbound.check({ host, port, allowAddresses: loopback }).then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(denied, `${host}:${port}`).toMatchObject({
              code: 'EGRESS_DENIED',
              details: { reason: 'protected_endpoint' },
            });
          }
        }
      } finally {
        await first.close();
      }

      const second = await startTestDaemon({ ...node, start: false, env: { AGENTD_SECRETS_KEY: '' } });
      try {
        expect((await readFile(file, 'utf8')).trim()).toBe(keyText);
        await expect(second.secrets.resolve(tenant, 'TOKEN')).resolves.toBe('dev-value');
      } finally {
        await second.close();
      }

      // A new current key, the development key kept as an older one: rotation re-seals under the new key.
      const next = `k2:${Buffer.alloc(32, 9).toString('base64')}`;
      const third = await startTestDaemon({ ...node, env: { AGENTD_SECRETS_KEY: `${next},${keyText}` } });
      try {
        const rotated = await third.api('POST', '/api/admin/secrets/rotate');
        expect(rotated.body).toEqual({ keyId: 'k2', resealed: 1, failed: [] });
        expect((await third.api('GET', `/api/tenants/${tenant}/secrets/TOKEN`)).body).toMatchObject({
          keyId: 'k2',
          version: 1,
        });
      } finally {
        await third.close();
      }

      const onlyNew = await startTestDaemon({ ...node, start: false, env: { AGENTD_SECRETS_KEY: next } });
      try {
        await expect(onlyNew.secrets.resolve(tenant, 'TOKEN')).resolves.toBe('dev-value');
      } finally {
        await onlyNew.close();
      }
      const unrelated = `k9:${Buffer.alloc(32, 1).toString('base64')}`;
      const lost = await startTestDaemon({ ...node, start: false, env: { AGENTD_SECRETS_KEY: unrelated } });
      try {
        await expect(lost.secrets.resolve(tenant, 'TOKEN')).rejects.toMatchObject({
          code: 'SECRET_KEY_UNKNOWN',
        });
      } finally {
        await lost.close();
      }
    } finally {
      await database.drop();
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
