import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sse, types } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

/** The run API's promises to a client: ids early, whole answers, named tools, refusals that say why. */
describe('run API (real engine, scripted model)', () => {
  let d: TestDaemon;
  let tenantId: string;

  beforeAll(async () => {
    d = await startTestDaemon({ env: { AGENTD_DISCONNECT_GRACE: '0', AGENTD_FINAL_MAX_CHARS: '200' } });
    const tenant = await d.api('POST', '/api/tenants', { name: 'run-api' });
    tenantId = tenant.body.id;
  });
  afterAll(async () => {
    await d.destroy();
  });

  async function conversation(tenant = tenantId): Promise<string> {
    const res = await d.api('POST', `/api/tenants/${tenant}/conversations`, {});
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  const path = (conversationId: string, tail: string, tenant = tenantId) =>
    `/api/tenants/${tenant}/conversations/${conversationId}/${tail}`;

  function stream(conversationId: string, message: string, tenant = tenantId) {
    return sse(`${d.url}${path(conversationId, 'stream', tenant)}`, {
      body: { message },
      headers: { 'x-api-key': d.adminKey },
    });
  }

  it('sends allocating right after run_start, naming where the sandbox comes from', async () => {
    const id = await conversation();
    const cold = await stream(id, '@say one');
    expect(types(cold).slice(0, 2)).toEqual(['run_start', 'allocating']);
    expect(cold.events[1]?.data).toMatchObject({ type: 'allocating', source: 'cold', seq: 2 });
    const reuse = await stream(id, '@say two');
    expect(reuse.events[1]?.data).toMatchObject({ type: 'allocating', source: 'reuse' });
  });

  it('answers before the sandbox is ready: one that cannot start fails inside the stream', async () => {
    // The engine refuses more CPUs than the host has, so the container never starts.
    const tenant = await d.api('POST', '/api/tenants', {
      name: 'unstartable',
      policy: { limits: { nanoCpus: 60_000_000_000 } },
    });
    const res = await stream(await conversation(tenant.body.id), '@say never', tenant.body.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-run-id')).toMatch(/^run_/);
    expect(types(res).slice(0, 2)).toEqual(['run_start', 'allocating']);
    expect(res.events.find((e) => e.data.type === 'error')?.data).toMatchObject({
      code: 'SANDBOX_START_FAILED',
      recoverable: true,
    });
    expect(types(res).at(-1)).toBe('usage');
    expect(res.done).toBe(true);
    const runId = String(res.events[0]?.data.runId);
    const conversationId = String(res.events[0]?.data.conversationId);
    const run = await d.api('GET', path(conversationId, `runs/${runId}`, tenant.body.id));
    expect(run.body).toMatchObject({ status: 'failed', errorCode: 'SANDBOX_START_FAILED' });
    // Nothing of the failed start is left behind.
    expect(await d.registry.findByConversation(tenant.body.id, conversationId)).toBeUndefined();
  });

  it('puts the whole turn in final, names tools in results, and gives each step its usage', async () => {
    const id = await conversation();
    const res = await stream(id, '@say Let me look.\n@tool bash {"command":"echo hi"}\n@say Done looking.');
    const final = res.events.find((e) => e.data.type === 'final')?.data;
    expect(final?.content).toBe('Let me look.\n\nDone looking.\n');
    expect(final?.truncated).toBeUndefined();
    expect(res.events.find((e) => e.data.type === 'tool_result')?.data).toMatchObject({ name: 'bash' });
    const steps = res.events.filter((e) => e.data.type === 'step_complete').map((e) => e.data);
    expect(steps.map((s) => s.stopReason)).toEqual(['tool_use', 'end_turn']);
    for (const step of steps)
      expect((step.usage as { outputTokens: number }).outputTokens).toBeGreaterThan(0);
  });

  it('cuts final at AGENTD_FINAL_MAX_CHARS and says so; the messages keep everything', async () => {
    const id = await conversation();
    const query = await d.api('POST', path(id, 'query'), { message: '@repeat 100 abcdefghij' });
    expect(query.body).toMatchObject({ status: 'succeeded', truncated: true });
    expect(query.body.final).toHaveLength(200);
    const messages = await d.api('GET', path(id, 'messages'));
    const stored = JSON.stringify(messages.body.items.at(-1).content);
    expect(stored.length).toBeGreaterThan(1000);
  });

  it('sends X-Run-ID before the answer; a cancelled query answers 200 with its status', async () => {
    const id = await conversation();
    const res = await fetch(`${d.url}${path(id, 'query')}`, {
      method: 'POST',
      headers: { 'x-api-key': d.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ message: '@tool bash {"command":"sleep 60"}\n@say never' }),
    });
    // The headers arrived while the run still runs: its id is enough to cancel it.
    expect(res.status).toBe(200);
    const runId = res.headers.get('x-run-id') ?? '';
    expect(runId).toMatch(/^run_/);
    await expect
      .poll(async () => (await d.api('GET', path(id, `runs/${runId}`))).body.status)
      .toBe('running');
    const cancel = await d.api('POST', path(id, `runs/${runId}/cancel`));
    expect(cancel.status).toBe(202);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ runId, status: 'cancelled', final: null, truncated: false });
    expect(body.usage).toMatchObject({ type: 'usage' });
    expect(body.error).toMatchObject({ code: 'RUN_CANCELLED' });
  });

  it('answers a failed query 200 with the error, after its headers', async () => {
    const id = await conversation();
    const query = await d.api('POST', path(id, 'query'), { message: '@error upstream exploded' });
    expect(query.status).toBe(200);
    expect(query.body).toMatchObject({ status: 'failed', final: null, error: { code: 'MODEL_ERROR' } });
  });

  it('names the active run in a 409', async () => {
    const id = await conversation();
    let runId = '';
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = sse(`${d.url}${path(id, 'stream')}`, {
      body: { message: '@sleep 1500\n@say slow' },
      headers: { 'x-api-key': d.adminKey },
      onEvent: (e) => {
        runId = String(e.data.runId);
        started();
      },
    });
    await running;
    const second = await d.api('POST', path(id, 'query'), { message: 'hello' });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'CONVERSATION_BUSY', details: { runId } });
    expect(second.body.error.message).toContain(runId);
    expect((await first).done).toBe(true);
  });
});
