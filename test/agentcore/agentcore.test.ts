import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantWithKey } from '../api/api-client.js';
import { invokeAgentRuntime, SESSION_HEADER, type Invocation } from '../support/agentcore-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { WsTestClient, wsUrl } from '../support/ws-client.js';

/** The AgentCore Runtime service contract on a self-hosted agentd, driven as InvokeAgentRuntime sends it. */
describe('AgentCore Runtime contract', () => {
  let a: TestDaemon;
  let tenant: { id: string; key: string };

  beforeAll(async () => {
    a = await startTestDaemon({ env: { AGENTD_AGENTCORE_PORT: '0' } });
    tenant = await tenantWithKey(a, 'agentcore');
  });
  afterAll(async () => {
    await a.destroy();
  });

  const types = (r: Invocation) => r.events.map((e) => e.type);
  /** The stream's first event of a type (the test fails when there is none). */
  const eventOf = (r: Invocation, type: string): Record<string, any> => {
    const event = r.events.find((e) => e.type === type);
    if (!event) throw new Error(`no ${type} event in ${JSON.stringify(types(r))}`);
    return event;
  };
  const usageOf = (r: Invocation) => eventOf(r, 'usage') as { inputTokens: number };
  const conversationOf = (r: Invocation) =>
    (eventOf(r, 'run_start') as { conversationId: string }).conversationId;

  it('{prompt} without a session opens one, returns its id in the header, and streams the run events', async () => {
    const r = await invokeAgentRuntime(a.url ?? '', {
      payload: { prompt: '@say Hello there.' },
      token: tenant.key,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.contentType).toMatch(/^text\/event-stream/);
    expect(r.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(types(r)).toEqual(expect.arrayContaining(['run_start', 'text', 'final', 'usage']));
    expect(types(r).indexOf('final')).toBeLessThan(types(r).indexOf('usage'));
    // The same framing as the run stream: `id:` is the event's sequence number, the stream ends with `: done`.
    for (const e of r.events) expect(e.id).toBe(String(e.seq));
    expect(r.comments.at(-1)).toBe('done');
    const final = eventOf(r, 'final') as { content: string };
    expect(final.content).toContain('Hello there.');
    // The session is a conversation of the caller's tenant, stored.
    const session = await a.api('GET', `/sessions/${r.sessionId}`, undefined, tenant.key);
    expect(session.status).toBe(200);
    expect(session.body.conversation_id).toBe(conversationOf(r));
  });

  it('the same session header continues the conversation with its history; {messages} uses the last user message', async () => {
    const sessionId = `ac-${randomUUID()}`; // AgentCore session ids are at least 33 characters
    const first = await invokeAgentRuntime(a.url ?? '', {
      payload: { prompt: 'remember the word kumquat' },
      sessionId,
      token: tenant.key,
    });
    expect(first.status).toBe(200);
    expect(first.sessionId).toBe(sessionId);
    const again = await invokeAgentRuntime(a.url ?? '', {
      payload: {
        messages: [
          { role: 'user', content: 'ignored: agentd keeps the history itself' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: [{ text: 'what was ' }, { text: 'the word?' }] },
        ],
      },
      sessionId,
      token: tenant.key,
    });
    expect(again.status).toBe(200);
    expect(again.sessionId).toBe(sessionId);
    expect(conversationOf(again)).toBe(conversationOf(first));
    expect((eventOf(again, 'final') as { content: string }).content).toContain('what was the word?');
    // The model saw the earlier turn: the same question in a fresh session costs fewer input tokens.
    const fresh = await invokeAgentRuntime(a.url ?? '', {
      payload: { prompt: 'what was the word?' },
      token: tenant.key,
    });
    expect(conversationOf(fresh)).not.toBe(conversationOf(first));
    expect(usageOf(again).inputTokens).toBeGreaterThan(usageOf(fresh).inputTokens);
    const messages = await a.api(
      'GET',
      `/api/tenants/${tenant.id}/conversations/${conversationOf(first)}/messages`,
      undefined,
      tenant.key,
    );
    expect(messages.body.items.map((m: { role: string }) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
  });

  it('the mapping is stored: another node continues the session in the same conversation', async () => {
    const sessionId = `ac-${randomUUID()}`;
    const first = await invokeAgentRuntime(a.url ?? '', {
      payload: { prompt: 'hello' },
      sessionId,
      token: tenant.key,
    });
    await using b = await startTestDaemon({ databaseUrl: a.databaseUrl });
    const there = await invokeAgentRuntime(b.url ?? '', {
      payload: { prompt: 'hello again' },
      sessionId,
      token: tenant.key,
    });
    expect(there.status).toBe(200);
    expect(conversationOf(there)).toBe(conversationOf(first));
  });

  it('needs a tenant: an admin key without X-Tenant-ID, or a contradicting X-Tenant-ID, is refused with 403', async () => {
    const admin = await invokeAgentRuntime(a.url ?? '', { payload: { prompt: 'hi' }, token: a.adminKey });
    expect(admin.status).toBe(403);
    expect(admin.body.error.code).toBe('FORBIDDEN');
    expect(admin.body.error.message).toMatch(/X-Tenant-ID/);
    const other = await tenantWithKey(a, 'agentcore-other');
    const forged = await invokeAgentRuntime(a.url ?? '', {
      payload: { prompt: 'hi' },
      token: tenant.key,
      headers: { 'x-tenant-id': other.id },
    });
    expect(forged.status).toBe(403);
    const anonymous = await fetch(`${a.url}/invocations`, { method: 'POST', body: '{"prompt":"hi"}' });
    expect(anonymous.status).toBe(401);
    const empty = await invokeAgentRuntime(a.url ?? '', {
      payload: { messages: [{ role: 'assistant', content: 'no user turn' }] },
      token: tenant.key,
    });
    expect(empty.status).toBe(400);
  });

  it('/ping is HealthyBusy while this node runs work and Healthy again after', async () => {
    const ping = async () => {
      const res = await fetch(`${a.url}/ping`);
      expect(res.status).toBe(200);
      return (await res.json()) as { status: string; time_of_last_update: number; service: string };
    };
    const idle = await ping();
    expect(idle).toMatchObject({ status: 'Healthy', service: 'agentd', version: expect.any(String) });
    expect(Number.isInteger(idle.time_of_last_update)).toBe(true);
    let busy: ReturnType<typeof ping> | undefined;
    await invokeAgentRuntime(a.url ?? '', {
      payload: { prompt: '@sleep 1500\n@say done' },
      token: tenant.key,
      onEvent: (e) => {
        if (e.type === 'run_start') busy = ping();
      },
    });
    expect((await busy)?.status).toBe('HealthyBusy');
    await a.runs.whenIdle();
    expect((await ping()).status).toBe('Healthy');
  });

  it('/ws chats in the runtime session named by its header; /invocations then continues the same conversation', async () => {
    const sessionId = `ac-${randomUUID()}`;
    const ws = await WsTestClient.open(wsUrl(a.url ?? '', '/ws'), {
      headers: { 'x-api-key': tenant.key, [SESSION_HEADER]: sessionId },
    });
    ws.send({ type: 'chat', content: '@say over the socket' });
    const run = await ws.untilEnd();
    const start = run.find((m) => m.type === 'run_start') as { conversationId: string } | undefined;
    expect(start).toBeDefined();
    ws.socket.terminate();
    const next = await invokeAgentRuntime(a.url ?? '', {
      payload: { prompt: 'and over HTTP' },
      sessionId,
      token: tenant.key,
    });
    expect(conversationOf(next)).toBe(start?.conversationId);
  });

  it('the AgentCore port serves only /invocations, /ping and /ws', async () => {
    const port = a.agentCoreUrl ?? '';
    expect(port).not.toBe('');
    expect((await fetch(`${port}/ping`)).status).toBe(200);
    for (const path of ['/api/tenants', '/health', '/docs/json', '/metrics', '/sessions', '/api/keys']) {
      const res = await fetch(`${port}${path}`, { headers: { 'x-api-key': a.adminKey } });
      expect(res.status, path).toBe(404);
    }
    const r = await invokeAgentRuntime(port, { payload: { prompt: '@say via 8080' }, token: tenant.key });
    expect(r.status).toBe(200);
    expect(types(r)).toContain('final');
    // The main port still serves everything.
    expect((await a.api('GET', '/api/tenants')).status).toBe(200);
  });
});
