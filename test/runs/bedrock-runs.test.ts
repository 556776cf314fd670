import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bedrockEnv, startFakeBedrock, type FakeBedrock } from '../support/fake-bedrock-server.js';
import { sse, textOf, types } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';

/** The real Bedrock SDK, through agentd's gateway, against a local server that speaks AWS event-stream framing. */
describe('runs on a Bedrock model (real SDK, local ConverseStream server)', () => {
  let bedrock: FakeBedrock;
  let d: TestDaemon;
  let tenantId: string;
  let conversationId: string;

  beforeAll(async () => {
    bedrock = await startFakeBedrock();
    d = await startTestDaemon({
      env: {
        ...bedrockEnv(bedrock),
      },
    });
    const model = await d.api('POST', '/api/models', {
      id: 'claude-test',
      name: 'Claude (test)',
      provider: 'bedrock',
      bedrockModelId: 'anthropic.claude-test-v1:0',
      inputPricePerMTok: '3',
      outputPricePerMTok: '15',
      cacheReadPricePerMTok: '0.3',
      cacheWritePricePerMTok: '3.75',
    });
    expect(model.status).toBe(201);
    tenantId = (
      await d.api('POST', '/api/tenants', {
        name: 'bedrock',
        systemPrompt: 'You are a careful agent.',
        defaultModelId: 'claude-test',
      })
    ).body.id;
    conversationId = (await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body.id;
  });
  afterAll(async () => {
    await d.destroy();
    await bedrock.close();
  });

  it('runs a multi-step tool-use conversation and prices the provider’s usage exactly', async () => {
    bedrock.script(
      [
        { thinking: 'Let me write it.' },
        { text: 'I will create the file.' },
        { toolUse: { id: 'tu_1', name: 'write_file', input: { path: 'out.txt', content: 'from bedrock' } } },
        { stop: 'tool_use' },
        { usage: { inputTokens: 1000, outputTokens: 100, cacheRead: 200, cacheWrite: 10 } },
      ],
      [
        { text: 'Done: the file is written.' },
        { stop: 'end_turn' },
        { usage: { inputTokens: 1200, outputTokens: 20 } },
      ],
    );
    const res = await sse(`${d.url}/api/tenants/${tenantId}/conversations/${conversationId}/stream`, {
      body: { message: 'Write out.txt' },
      headers: { 'x-api-key': d.adminKey },
    });
    expect(types(res)).toContain('thinking');
    expect(textOf(res)).toContain('Done: the file is written.');
    expect(res.events.find((e) => e.data.type === 'tool_result')?.data.isError).toBe(false);
    // The whole turn: the preface of the tool-using step and the answer.
    expect(res.events.at(-2)?.data).toMatchObject({
      type: 'final',
      content: 'I will create the file.\n\nDone: the file is written.',
    });
    // 2200 in × $3 + 120 out × $15 + 200 cache read × $0.3 + 10 cache write × $3.75 per million tokens.
    expect(res.events.at(-1)?.data).toMatchObject({
      type: 'usage',
      inputTokens: 2200,
      outputTokens: 120,
      cacheReadTokens: 200,
      cacheWriteTokens: 10,
      costUsdExact: '0.008497500000',
      steps: 2,
    });
    const [first, second] = bedrock.requests.slice(-2);
    expect(first?.modelId).toBe('anthropic.claude-test-v1:0');
    expect(first?.body).toMatchObject({ system: [{ text: 'You are a careful agent.' }] });
    const tools = (
      first?.body as { toolConfig: { tools: { toolSpec: { name: string } }[] } }
    ).toolConfig.tools.map((t) => t.toolSpec.name);
    expect(tools).toEqual(['bash', 'read_file', 'write_file', 'edit_file', 'list_files']);
    const messages = (second?.body as { messages: { role: string; content: Record<string, unknown>[] }[] })
      .messages;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[2]?.content[0]).toMatchObject({ toolResult: { toolUseId: 'tu_1', status: 'success' } });
    const runId = String(res.events[0]?.data.runId);
    const run = await d.api('GET', `/api/tenants/${tenantId}/conversations/${conversationId}/runs/${runId}`);
    expect(run.body.costUsd).toBe('0.008497500000');
    const usage = await d.api('GET', `/api/tenants/${tenantId}/usage?groupBy=model`);
    expect(usage.body.total.costUsd).toBe('0.008497500000');
  });

  it('reports an exception in the middle of the provider’s stream as MODEL_ERROR', async () => {
    bedrock.script([
      { text: 'Starting' },
      { exception: { type: 'modelStreamErrorException', message: 'the model fell over' } },
    ]);
    const res = await sse(`${d.url}/api/tenants/${tenantId}/conversations/${conversationId}/stream`, {
      body: { message: 'again' },
      headers: { 'x-api-key': d.adminKey },
    });
    expect(textOf(res)).toContain('Starting');
    const error = res.events.find((e) => e.data.type === 'error')?.data;
    expect(error).toMatchObject({ code: 'MODEL_ERROR' });
    expect(String(error?.message)).toContain('the model fell over');
    expect(res.done).toBe(true);
  });

  it('keeps credentials and the model endpoint out of the sandbox', async () => {
    const record = await d.registry.findByConversation(tenantId, conversationId);
    const env = await d.docker.exec.run(record?.containerId ?? '', [
      'sh',
      '-c',
      'cat /proc/1/environ /proc/self/environ | tr "\\0" "\\n"',
    ]);
    expect(env.stdout).not.toMatch(/AWS_|BEDROCK|local-test-secret/);
    expect(env.stdout).not.toContain(new URL(bedrock.url).port);
  });
});
