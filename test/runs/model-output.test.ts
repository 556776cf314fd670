import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sse, textOf, types, withoutCpuThrottle } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

/**
 * agentd emits the model's own events (step_start, text, thinking, tool_call) from its gateway; the runner's
 * limits (default values here: none is raised) bound only what the runner originates.
 */
describe('the model’s own output is not runner abuse (real runner, scripted model)', () => {
  let d: TestDaemon;
  let tenantId: string;

  beforeAll(async () => {
    d = await startTestDaemon({ env: { AGENTD_DISCONNECT_GRACE: '0' } });
    tenantId = (await d.api('POST', '/api/tenants', { name: 'model-output' })).body.id as string;
  });
  afterAll(async () => {
    await d.destroy();
  });

  async function run(message: string) {
    const conversationId = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body
      .id as string;
    const res = await sse(`${d.url}/api/tenants/${tenantId}/conversations/${conversationId}/stream`, {
      body: { message },
      headers: { 'x-api-key': d.adminKey },
    });
    const base = `/api/tenants/${tenantId}/conversations/${conversationId}`;
    const runId = String(res.events[0]?.data.runId);
    return { res, base, runId };
  }

  it('streams 100000 words to the end: the whole text in order, in few events, and whole in the messages', async () => {
    const expected = `${'word '.repeat(100_000)}\n`;
    const { res, base, runId } = await run('@repeat 100000 word');
    expect(res.done).toBe(true);
    expect(res.events.find((e) => e.data.type === 'error')?.data).toBeUndefined();
    expect(textOf(res)).toBe(expected);
    // A busy host may throttle the runner at its CPU limit while it takes the text in.
    const t = types(withoutCpuThrottle(res));
    const texts = t.filter((x) => x === 'text').length;
    // 100000 model deltas, joined by the gateway: a handful of events, not one per token.
    expect(texts).toBeLessThan(1_000);
    expect(t).toEqual([
      'run_start',
      'allocating',
      'step_start',
      ...Array<string>(texts).fill('text'),
      'step_complete',
      'final',
      'usage',
    ]);
    // AGENTD_FINAL_MAX_CHARS (default 100000) cuts `final` and says so; the stored messages keep everything.
    const final = res.events.at(-2)?.data;
    expect(final).toMatchObject({ type: 'final', truncated: true });
    expect(final?.content).toBe(expected.slice(0, 100_000));
    expect((await d.api('GET', `${base}/runs/${runId}`)).body).toMatchObject({
      status: 'succeeded',
      steps: 1,
    });
    const messages = (await d.api('GET', `${base}/messages`)).body.items as {
      role: string;
      content: { text?: string }[];
    }[];
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(messages[1]?.content.map((b) => b.text ?? '').join('')).toBe(expected);
  });

  it('keeps each step in order: step_start, the model’s text and tool calls, tool results, step_complete', async () => {
    const { res } = await run(
      '@think first a tool\n@say before\n@tool bash {"command":"echo hi"}\n@tool list_files {}\n@say after',
    );
    expect(res.done).toBe(true);
    // Deltas are joined within a time window, so a slow machine may cut one step's text in two: the order is
    // what counts, with consecutive text (or thinking) events read as one.
    // A busy host may throttle the sandbox while `bash` starts: that warning comes before the tool results.
    const order = types(withoutCpuThrottle(res)).filter(
      (type, i, all) => !((type === 'text' || type === 'thinking') && all[i - 1] === type),
    );
    expect(order).toEqual([
      'run_start',
      'allocating',
      'step_start',
      'thinking',
      'text',
      'tool_call',
      'tool_call',
      'tool_result',
      'tool_result',
      'step_complete',
      'step_start',
      'text',
      'step_complete',
      'final',
      'usage',
    ]);
    const steps = res.events.filter((e) => e.data.type === 'step_start').map((e) => e.data.step);
    expect(steps).toEqual([1, 2]);
    const calls = res.events.filter((e) => e.data.type === 'tool_call').map((e) => e.data);
    const results = res.events.filter((e) => e.data.type === 'tool_result').map((e) => e.data);
    expect(calls.map((c) => c.name)).toEqual(['bash', 'list_files']);
    expect(calls[0]?.input).toEqual({ command: 'echo hi' });
    for (const [i, call] of calls.entries()) {
      expect(call.id).toMatch(/^tooluse_/);
      expect(call.toolUseId).toBe(call.id);
      expect(results[i]?.toolUseId).toBe(call.id);
    }
    expect(results[0]?.output).toContain('hi');
  });
});
