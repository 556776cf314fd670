import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { tenantWithKey } from '../api/api-client.js';
import { sse } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

/** The agent-HTTP-server session API, and clearing a conversation's history while keeping its workspace. */
describe('session API', () => {
  let d: TestDaemon;
  let tenant: { id: string; key: string };

  beforeAll(async () => {
    d = await startTestDaemon();
    tenant = await tenantWithKey(d, 'sessions');
  });
  afterAll(async () => {
    await d.destroy();
  });

  const call = (method: string, path: string, body?: unknown) => d.api(method, path, body, tenant.key);
  const query = async (message: string, sessionId?: string) => {
    const res = await call('POST', '/agent/query', {
      message,
      ...(sessionId === undefined ? {} : { session_id: sessionId }),
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.status).toBe('succeeded');
    return res;
  };

  it('creates, lists, reads and deletes sessions; another tenant sees none of them', async () => {
    const created = await call('POST', '/sessions');
    expect(created.status).toBe(201);
    expect(created.body.session_id).toMatch(/^[0-9a-f-]{36}$/);
    const named = `client-${randomId(12)}`;
    const mine = await call('POST', '/sessions', { session_id: named });
    expect(mine.status).toBe(201);
    const again = await call('POST', '/sessions', { session_id: named });
    expect(again.status).toBe(200);
    expect(again.body.conversation_id).toBe(mine.body.conversation_id);
    const list = await call('GET', '/sessions');
    expect(list.body.items.map((s: { session_id: string }) => s.session_id)).toEqual(
      expect.arrayContaining([created.body.session_id, named]),
    );
    expect((await call('GET', `/sessions/${named}`)).body.conversation_id).toBe(mine.body.conversation_id);
    const other = await tenantWithKey(d, 'sessions-other');
    expect((await d.api('GET', `/sessions/${named}`, undefined, other.key)).status).toBe(404);
    expect((await call('DELETE', `/sessions/${named}`)).status).toBe(204);
    expect((await call('GET', `/sessions/${named}`)).status).toBe(404);
  });

  it('query creates a missing session, continues it, streams it; clear drops the history but keeps the workspace and usage', async () => {
    const first = await query('hello');
    const sessionId = first.body.session_id as string;
    expect(first.headers.get('x-session-id')).toBe(sessionId);
    expect(first.body.response).toContain('hello');
    const fresh = first.body.usage.inputTokens as number;
    // The continuation carries the history: the same message costs more input.
    expect((await query('hello', sessionId)).body.usage.inputTokens).toBeGreaterThan(fresh);

    const streamed = await sse(`${d.url}/agent/query-stream`, {
      headers: { 'x-api-key': tenant.key },
      body: {
        session_id: sessionId,
        message: '@tool write_file {"path":"keep.txt","content":"kept across the clear"}\n@say written',
      },
    });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('x-session-id')).toBe(sessionId);
    expect(streamed.done).toBe(true);
    expect(streamed.events.map((e) => e.data.type)).toEqual(
      expect.arrayContaining(['run_start', 'tool_call', 'tool_result', 'final', 'usage']),
    );

    const cleared = await call('POST', `/sessions/${sessionId}/clear`);
    expect(cleared.status).toBe(200);
    expect(Date.parse(cleared.body.history_cleared_at)).toBeGreaterThan(0);
    // The next run's history is empty: exactly what a new session pays for the same message.
    expect((await query('hello', sessionId)).body.usage.inputTokens).toBe(fresh);
    // The workspace is the same.
    const read = await query('@tool read_file {"path":"keep.txt"}\n@result', sessionId);
    expect(read.body.response).toContain('kept across the clear');

    // The stored transcript and the usage stay: a clear forgets for the model, not for the records.
    const conversationId = cleared.body.conversation_id as string;
    const messages = await call('GET', `/api/tenants/${tenant.id}/conversations/${conversationId}/messages`);
    expect(messages.body.items.length).toBeGreaterThanOrEqual(8);
    const usage = await call('GET', `/agent/usage/${sessionId}`);
    expect(usage.status).toBe(200);
    expect(usage.body).toMatchObject({ session_id: sessionId, conversation_id: conversationId, runs: 5 });
    expect(usage.body.input_tokens).toBeGreaterThan(0);
    expect(Number(usage.body.cost_usd)).toBeGreaterThan(0);
  });

  it('the main API clears a conversation (audited, with X-Admin-ID as the person), and refuses with 409 during a run', async () => {
    const conversation = await call('POST', `/api/tenants/${tenant.id}/conversations`, {});
    const path = `/api/tenants/${tenant.id}/conversations/${conversation.body.id}`;
    let during: Promise<{ status: number; body: any }> | undefined;
    const run = await sse(`${d.url}${path}/stream`, {
      headers: { 'x-api-key': tenant.key },
      body: { message: '@sleep 1000\n@say slow' },
      onEvent: (e) => {
        if (e.data.type === 'run_start') during = call('POST', `${path}/clear`);
      },
    });
    expect(run.done).toBe(true);
    const busy = await during;
    expect(busy?.status).toBe(409);
    expect(busy?.body.error.code).toBe('CONVERSATION_BUSY');

    const res = await fetch(`${d.url}${path}/clear`, {
      method: 'POST',
      headers: { 'x-api-key': d.adminKey, 'x-admin-id': 'alice@example.com' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { historyClearedAt: string };
    expect(Date.parse(body.historyClearedAt)).toBeGreaterThan(0);
    const audit = await d.api('GET', '/api/audit/log?action=conversation.clear');
    const entry = audit.body.items.find(
      (e: { target: string }) => e.target === `conversation:${conversation.body.id}`,
    );
    expect(entry).toMatchObject({
      person: 'alice@example.com',
      actor: expect.stringMatching(/^bootstrap-key:/),
    });
    expect(entry.requestId).toBe(res.headers.get('x-request-id'));
  });
});
