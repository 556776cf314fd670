import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fleet } from './fleet-harness.js';

const run = promisify(execFile);
const SCRIPTS = new URL('../../scripts/', import.meta.url).pathname;

/** Redis and PostgreSQL go away and come back: agentd answers 503 naming them meanwhile, then recovers alone. */
describe('dependency failures', () => {
  const fleet = new Fleet({ AGENTD_LOCK_TTL: '3s', AGENTD_HEARTBEAT_TTL: '3s' });
  let tenantId = '';

  beforeAll(async () => {
    await fleet.setUp();
    await fleet.start('deps');
    tenantId = (await fleet.api('deps', 'POST', '/api/tenants', { name: 'deps' })).body.id;
  });
  afterAll(async () => {
    // Whatever happened, leave the services running for the suites after this one.
    await run('bash', [`${SCRIPTS}ensure-docker.sh`]);
    await run('bash', [`${SCRIPTS}ensure-redis.sh`]);
    await run('bash', [`${SCRIPTS}ensure-postgres.sh`]);
    await fleet.tearDown();
  });

  const conversation = async (): Promise<string> =>
    (await fleet.api('deps', 'POST', `/api/tenants/${tenantId}/conversations`, {})).body.id as string;
  const ready = async (): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${fleet.node('deps').url}/health/ready`);
    return { status: res.status, body: await res.json() };
  };

  it('Redis restarts mid-run: the run ends cleanly, new runs get 503 while it is down, all recover', async () => {
    const busy = await conversation();
    const inFlight = fleet
      .api('deps', 'POST', `/api/tenants/${tenantId}/conversations/${busy}/query`, {
        message: '@say a\n@sleep 2500\n@say b',
      })
      .catch((err: unknown) => ({ status: 0, body: String(err) }));
    // Redis goes away once the run holds its sandbox (its model call then sleeps 2.5 s).
    await expect
      .poll(async () =>
        (await fleet.api('deps', 'GET', '/api/admin/sandboxes')).body.items?.some(
          (s: { conversationId: string; state: string }) => s.conversationId === busy && s.state === 'busy',
        ),
      )
      .toBe(true);
    await run('redis-cli', ['-h', '127.0.0.1', 'shutdown', 'nosave']).catch(() => undefined);
    await expect.poll(async () => (await ready()).status, { timeout: 10_000 }).toBe(503);
    expect(JSON.stringify((await ready()).body)).toContain('redis');
    const refused = await fleet.api(
      'deps',
      'POST',
      `/api/tenants/${tenantId}/conversations/${await conversation()}/query`,
      { message: 'x' },
    );
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
    // The run that straddles the outage ends while Redis is still down, with a structured error (its 200
    // and X-Run-ID went out when it started).
    const straddled = await inFlight;
    expect(straddled.status).toBe(200);
    expect(straddled.body).toMatchObject({ status: 'failed', error: { code: 'DEPENDENCY_UNAVAILABLE' } });
    await run('bash', [`${SCRIPTS}ensure-redis.sh`]);
    await expect.poll(async () => (await ready()).status, { timeout: 15_000 }).toBe(200);
    const after = await fleet.api(
      'deps',
      'POST',
      `/api/tenants/${tenantId}/conversations/${await conversation()}/query`,
      { message: 'after' },
    );
    expect(after.status).toBe(200);
  });

  it('PostgreSQL stops: 503 naming it, then recovery without a restart', async () => {
    const id = await conversation();
    const version = (await run('bash', ['-c', 'ls /etc/postgresql | sort -n | tail -1'])).stdout.trim();
    await run('pg_ctlcluster', [version, 'main', 'stop', '-m', 'fast']);
    try {
      await expect.poll(async () => (await ready()).status, { timeout: 10_000 }).toBe(503);
      expect(JSON.stringify((await ready()).body)).toContain('postgres');
      const refused = await fleet.api('deps', 'POST', `/api/tenants/${tenantId}/conversations/${id}/query`, {
        message: 'x',
      });
      expect(refused.status).toBe(503);
      expect(refused.body.error.code).toBe('DEPENDENCY_UNAVAILABLE');
    } finally {
      await run('bash', [`${SCRIPTS}ensure-postgres.sh`]);
    }
    await expect.poll(async () => (await ready()).status, { timeout: 15_000 }).toBe(200);
    const after = await fleet.api('deps', 'POST', `/api/tenants/${tenantId}/conversations/${id}/query`, {
      message: 'after',
    });
    expect(after.status).toBe(200);
  });

  it('the Docker engine restarts: agentd notices, reconnects, and the next run works', async () => {
    const id = await conversation();
    expect(
      (
        await fleet.api('deps', 'POST', `/api/tenants/${tenantId}/conversations/${id}/query`, {
          message: 'before',
        })
      ).status,
    ).toBe(200);
    const pid = (await run('bash', ['-c', 'pgrep -x dockerd | head -1'])).stdout.trim();
    expect(pid).not.toBe('');
    await run('kill', ['-TERM', pid]);
    await expect.poll(async () => (await ready()).status, { timeout: 20_000, interval: 200 }).toBe(503);
    expect(JSON.stringify((await ready()).body)).toContain('docker');
    await run('bash', [`${SCRIPTS}ensure-docker.sh`]);
    await expect.poll(async () => (await ready()).status, { timeout: 30_000 }).toBe(200);
    // Whether the sandbox survived (live-restore) or was lost and is recreated, the conversation runs again.
    const after = await fleet.api('deps', 'POST', `/api/tenants/${tenantId}/conversations/${id}/query`, {
      message: 'after',
    });
    expect(after.status).toBe(200);
    expect(fleet.node('deps').logs.some((l) => l.includes('Docker events stream ended; reconnecting'))).toBe(
      true,
    );
  });
});
