import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { spawnAgentd, waitReady, type AgentdProcess } from '../support/agentd-process.js';
import { createEmptyDatabase } from '../support/test-database.js';

/**
 * Credentials in URLs (browser tickets, `?token=` probes) must reach no log line, no audit record and no
 * response: a real `agentd serve` logs at debug level while recognisable secrets are sent to every kind of route.
 */
describe('query-string credentials are redacted from logs, audit records and responses', () => {
  let agentd: AgentdProcess | undefined;
  let stateDir = '';
  let dropDatabase: () => Promise<void> = () => Promise.resolve();
  const adminKey = `redaction-admin-${randomId(24)}`;

  beforeAll(async () => {
    const database = await createEmptyDatabase();
    dropDatabase = () => database.drop();
    stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-'));
    agentd = await spawnAgentd(`redact-${randomId(6)}`, {
      DATABASE_URL: database.url,
      AGENTD_AUTO_MIGRATE: 'true',
      AGENTD_STATE_DIR: stateDir,
      API_KEYS: adminKey,
      AGENTD_POOL_SIZE: '0',
      RATE_LIMIT_ENABLED: 'false',
      CORS_ORIGINS: 'https://app.example',
      LOG_LEVEL: 'debug',
    });
    await waitReady(agentd.url);
  });
  const node = (): AgentdProcess => {
    if (!agentd) throw new Error('agentd did not start');
    return agentd;
  };
  afterAll(async () => {
    await agentd?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
    await dropDatabase();
  });

  it('no log line, audit record or response body carries a ticket or token sent in a URL', async () => {
    const key = { 'x-api-key': adminKey };
    const call = async (
      method: string,
      urlPath: string,
      headers: Record<string, string> = {},
      body?: unknown,
    ) => {
      const res = await fetch(`${node().url}${urlPath}`, {
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, text: await res.text(), requestId: res.headers.get('x-request-id') ?? '' };
    };
    const tenant = JSON.parse((await call('POST', '/api/tenants', key, { name: 'redaction' })).text) as {
      id: string;
    };
    const conv = JSON.parse(
      (await call('POST', `/api/tenants/${tenant.id}/conversations`, key, { title: 'r' })).text,
    ) as { id: string };
    const base = `/api/tenants/${tenant.id}/conversations/${conv.id}`;
    const issued = JSON.parse((await call('POST', `${base}/tickets`, key)).text) as { ticket: string };

    const secrets = [`agt_${randomId(40)}`, `TOKEN-${randomId(30)}`, issued.ticket, `KEY-${randomId(30)}`];
    const [fakeTicket, token, realTicket, apiKey] = secrets as [string, string, string, string];
    const attempts: [string, string, Record<string, string>, number][] = [
      // Known routes: refused (no header), accepted (header wins), audited (tenant create).
      ['GET', `/api/tenants?ticket=${fakeTicket}`, {}, 401],
      ['GET', `/api/tenants?token=${token}`, {}, 401],
      ['GET', `/api/tenants?ticket=${realTicket}&x=1`, key, 200],
      ['POST', `/api/tenants?ticket=${fakeTicket}&token=${token}`, key, 201],
      // The one route that takes tickets: an unknown one, the wrong kind, a token.
      ['GET', `${base}/runs/run_x/events?ticket=${fakeTicket}`, {}, 401],
      ['GET', `${base}/runs/run_x/events?ticket=${realTicket}`, {}, 401],
      ['GET', `${base}/runs/run_x/events?token=${token}`, {}, 401],
      // Validation failure, unknown route, a bad escape, a preflight.
      ['GET', `${base}/runs/run_x/events?lastEventId=abc&ticket=${fakeTicket}`, key, 400],
      ['GET', `/api/nothing-here?ticket=${fakeTicket}&api_key=${apiKey}`, key, 404],
      ['GET', `/api/nothing-here?token=${token}`, {}, 401],
      ['GET', `/api/tenants?ticket=${fakeTicket}%zz`, key, 200],
      [
        'OPTIONS',
        `${base}/runs/run_x/events?ticket=${fakeTicket}`,
        { origin: 'https://app.example', 'access-control-request-method': 'GET' },
        204,
      ],
    ];
    const requestIds: string[] = [];
    for (const [method, urlPath, headers, status] of attempts) {
      const body = method === 'POST' ? { name: 'audited' } : undefined;
      const res = await call(method, urlPath, headers, body);
      expect(res.status, `${method} ${urlPath}: ${res.text}`).toBe(status);
      for (const secret of secrets) expect(res.text, `${method} ${urlPath}`).not.toContain(secret);
      requestIds.push(res.requestId);
    }
    const audit = await call('GET', '/api/audit/log?limit=200', key);
    expect(audit.text).toContain('tenant.create');
    for (const secret of secrets) expect(audit.text).not.toContain(secret);

    // Every request above was logged (so the check below has something to look at), with its URL redacted.
    await expect
      .poll(() => requestIds.every((id) => node().logs.some((line) => line.includes(`"requestId":"${id}"`))))
      .toBe(true);
    const leaks = node().logs.filter((line) => secrets.some((secret) => line.includes(secret)));
    expect(leaks).toEqual([]);
    expect(node().logs.some((line) => line.includes('ticket=[redacted]'))).toBe(true);
  });
});
