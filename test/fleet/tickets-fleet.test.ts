import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentdError } from '../../orchestrator/src/common/errors.js';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { sse } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { REDIS_URL } from './fleet-harness.js';

/** Two nodes sharing PostgreSQL and Redis: a ticket issued on one works (once, where single-use) on the other. */
describe('tickets across two nodes (Redis)', () => {
  const prefix = `agentd-tickets-${randomId(8)}:`;
  let a: TestDaemon;
  let b: TestDaemon;
  let tenantId = '';
  let conversationId = '';

  beforeAll(async () => {
    const env = { REDIS_URL, AGENTD_REDIS_PREFIX: prefix, AGENTD_DISCONNECT_GRACE: '1s' };
    a = await startTestDaemon({ env });
    b = await startTestDaemon({ env, databaseUrl: a.databaseUrl });
    tenantId = (await a.api('POST', '/api/tenants', { name: 'fleet-tickets' })).body.id;
    conversationId = (await a.api('POST', `/api/tenants/${tenantId}/conversations`, { title: 't' })).body.id;
  });
  afterAll(async () => {
    await b.destroy();
    await a.destroy();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  const base = () => `/api/tenants/${tenantId}/conversations/${conversationId}`;
  const upgrade = (node: TestDaemon, ticket: string) =>
    node
      .authenticate(
        {
          headers: {},
          url: `${base()}/ws?ticket=${ticket}`,
          params: { tenantId, conversationId },
        },
        'conversation',
      )
      .then(
        (principal) => principal.ticket?.kind,
        (err: unknown) => (err as AgentdError).details?.reason,
      );

  it('a conversation ticket from node A is consumed on node B, and then on neither; revocation reaches both', async () => {
    const issued = await a.api('POST', `${base()}/tickets`, {});
    expect(issued.status).toBe(201);
    expect(await upgrade(b, issued.body.ticket)).toBe('conversation');
    expect(await upgrade(a, issued.body.ticket)).toBe('ticket_used');
    expect(await upgrade(b, issued.body.ticket)).toBe('ticket_used');

    const revoked = await b.api('POST', `${base()}/tickets`, {});
    expect(
      (await a.api('DELETE', `/api/tenants/${tenantId}/tickets/${revoked.body.id as string}`)).status,
    ).toBe(204);
    expect(await upgrade(b, revoked.body.ticket)).toBe('ticket_unknown');
  });

  it('a run ticket from node A opens the run’s events on node B', async () => {
    let runId = '';
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = sse(`${a.url}${base()}/stream`, {
      body: { message: '@sleep 800\n@say across nodes' },
      headers: { 'x-api-key': a.adminKey },
      onEvent: (e) => {
        runId = String(e.data.runId);
        started();
      },
    });
    await running;
    const issued = await a.api('POST', `${base()}/runs/${runId}/tickets`, {});
    expect(issued.status).toBe(201);
    const onB = await sse(`${b.url}${base()}/runs/${runId}/events?ticket=${issued.body.ticket as string}`, {
      method: 'GET',
    });
    expect(onB.status).toBe(200);
    expect(onB.done).toBe(true);
    expect(onB.events.map((e) => e.data.type)).toContain('final');
    expect((await first).done).toBe(true);
  });
});
