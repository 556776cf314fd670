import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../orchestrator/src/docker/labels.js';
import { bedrockEnv, startFakeBedrock, type FakeBedrock } from '../support/fake-bedrock-server.js';
import { sse, textOf, types, type SseMessage } from '../support/sse-client.js';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { WsTestClient, wsUrl } from '../support/ws-client.js';

/** Simple chats: conversations of kind `chat`, run by agentd itself with no sandbox and no tools. */
describe('simple chats (scripted model and the real Bedrock SDK against a local ConverseStream server)', () => {
  let bedrock: FakeBedrock;
  let d: TestDaemon;
  let tenantId: string;

  beforeAll(async () => {
    bedrock = await startFakeBedrock();
    d = await startTestDaemon({
      env: {
        ...bedrockEnv(bedrock),
      },
    });
    expect(
      (
        await d.api('POST', '/api/models', {
          id: 'claude-chat',
          name: 'Claude (chat test)',
          provider: 'bedrock',
          bedrockModelId: 'anthropic.claude-chat-v1:0',
          inputPricePerMTok: '3',
          outputPricePerMTok: '15',
        })
      ).status,
    ).toBe(201);
    tenantId = (await d.api('POST', '/api/tenants', { name: 'chats', systemPrompt: 'Tenant prompt.' })).body
      .id as string;
  });
  afterAll(async () => {
    await d.destroy();
    await bedrock.close();
  });

  const chats = () => `/api/tenants/${tenantId}/simple-chats`;
  const chatStream = (body: Record<string, unknown>, onEvent?: (e: SseMessage) => unknown) =>
    sse(`${d.url}${chats()}/stream`, { body, headers: { 'x-api-key': d.adminKey }, onEvent });
  const containers = async () =>
    (await d.docker.containers.listManaged({ [LABELS.node]: d.config.nodeId })).length;

  it('streams a new chat without a sandbox and continues it', async () => {
    const first = await chatStream({ message: '@say Hello from a chat' });
    expect(first.status).toBe(200);
    const chatId = first.headers.get('x-chat-id') ?? '';
    expect(chatId).toMatch(/^conv_/);
    // The same events as a sandboxed run, minus `allocating` (there is nothing to allocate).
    expect(types(first)).toEqual(['run_start', 'step_start', 'text', 'step_complete', 'final', 'usage']);
    expect(first.events[0]?.data).toMatchObject({ conversationId: chatId, modelId: 'scripted' });
    expect(first.events[3]?.data).toMatchObject({ step: 1, stopReason: 'end_turn' });
    expect(first.events[4]?.data).toMatchObject({ content: 'Hello from a chat\n' });
    expect(first.events[5]?.data).toMatchObject({ steps: 1 });
    expect(first.done).toBe(true);

    const second = await chatStream({ chatId, message: 'second turn' });
    expect(second.headers.get('x-chat-id')).toBe(chatId);
    expect(textOf(second)).toBe('You said: second turn\n');

    const chat = await d.api('GET', `${chats()}/${chatId}`);
    expect(chat.status).toBe(200);
    expect(chat.body).toMatchObject({ id: chatId, kind: 'chat', workspaceEnabled: false });
    expect(chat.body.messages.map((m: { role: string }) => m.role)).toEqual([
      'user',
      'assistant',
      'user',
      'assistant',
    ]);
    const runs = await d.api(
      'GET',
      `/api/tenants/${tenantId}/conversations/${chatId}/runs/${String(second.events[0]?.data.runId)}`,
    );
    expect(runs.body).toMatchObject({ status: 'succeeded', sandboxId: null });
    // No container was created and none is registered for the chat.
    expect(await containers()).toBe(0);
    expect(await d.registry.findByConversation(tenantId, chatId)).toBeUndefined();
  });

  it('is resumed after a disconnect and cancelled mid-stream', async () => {
    let runId = '';
    const seen = await chatStream({ message: '@say started\n@sleep 600000\n@say never said' }, (event) => {
      runId = String(event.data.runId);
      return event.data.type === 'text';
    });
    const chatId = seen.headers.get('x-chat-id') ?? '';
    expect(types(seen)).toEqual(['run_start', 'step_start', 'text']);
    const base = `${d.url}/api/tenants/${tenantId}/conversations/${chatId}/runs/${runId}`;
    // The client left mid-answer; it comes back from run_start and cancels while following again.
    const resumed = await sse(`${base}/events`, {
      method: 'GET',
      headers: { 'x-api-key': d.adminKey, 'last-event-id': '1' },
      onEvent: async (event) => {
        if (event.data.type !== 'text') return false;
        const cancel = await fetch(`${base}/cancel`, {
          method: 'POST',
          headers: { 'x-api-key': d.adminKey },
        });
        expect(cancel.status).toBe(202);
        return false;
      },
    });
    expect(types(resumed)).toEqual(['step_start', 'text', 'error', 'usage']);
    expect(resumed.events[1]?.data).toMatchObject({ delta: 'started\n' });
    expect(resumed.events[2]?.data).toMatchObject({ code: 'RUN_CANCELLED' });
    expect(resumed.done).toBe(true);
    const run = await d.api('GET', `/api/tenants/${tenantId}/conversations/${chatId}/runs/${runId}`);
    expect(run.body.status).toBe('cancelled');
  });

  it('answers /query on a chat, and refuses a sandboxed conversation on chat routes', async () => {
    const created = await d.api('POST', `/api/tenants/${tenantId}/conversations`, { kind: 'chat' });
    expect(created.status).toBe(201);
    expect(created.body.kind).toBe('chat');
    const query = await d.api('POST', `/api/tenants/${tenantId}/conversations/${created.body.id}/query`, {
      message: '@say queried',
    });
    expect(query.status).toBe(200);
    expect(query.body).toMatchObject({ status: 'succeeded', final: 'queried\n' });
    const ws = await WsTestClient.open(
      wsUrl(d.url ?? '', `/api/tenants/${tenantId}/conversations/${created.body.id}/ws`),
      { headers: { 'x-api-key': d.adminKey } },
    );
    try {
      ws.send({ type: 'chat', content: '@say over a socket' });
      const turn = await ws.untilEnd();
      expect(turn.map((m) => m.type)).toEqual([
        'run_start',
        'step_start',
        'text',
        'step_complete',
        'final',
        'usage',
        'end',
      ]);
    } finally {
      await ws.close();
    }

    const sandboxed = await d.api('POST', `/api/tenants/${tenantId}/conversations`, {});
    expect(sandboxed.body.kind).toBe('conversation');
    const mismatch = await chatStream({ chatId: sandboxed.body.id, message: 'hi' });
    expect(mismatch.status).toBe(409);
    expect(mismatch.error?.error.code).toBe('CONVERSATION_KIND_MISMATCH');
    expect((await d.api('GET', `${chats()}/${sandboxed.body.id}`)).status).toBe(409);
    expect((await chatStream({ message: 'x'.repeat(200_001) })).status).toBe(400);
    expect((await chatStream({ message: 'hi', systemPrompt: 'p'.repeat(100_001) })).status).toBe(400);
    expect((await chatStream({ message: 'hi', tools: [] })).status).toBe(400);
    expect((await chatStream({ message: 'hi', modelId: 'no-such-model' })).status).toBe(400);

    const list = await d.api('GET', `${chats()}?limit=200`);
    const ids = list.body.items.map((c: { id: string }) => c.id);
    expect(ids).toContain(created.body.id);
    expect(ids).not.toContain(sandboxed.body.id);
    expect(list.body.items.every((c: { kind: string }) => c.kind === 'chat')).toBe(true);
  });

  it('archives and deletes a chat', async () => {
    const chatId = (await chatStream({ message: '@say bye' })).headers.get('x-chat-id') ?? '';
    const archived = await d.api('POST', `${chats()}/${chatId}/archive`);
    expect(archived.body).toMatchObject({ id: chatId, status: 'archived' });
    expect((await chatStream({ chatId, message: 'more' })).status).toBe(400);
    expect((await d.api('DELETE', `${chats()}/${chatId}`)).status).toBe(204);
    expect((await d.api('GET', `${chats()}/${chatId}`)).status).toBe(404);
    expect(await containers()).toBe(0);
  });

  it('sends the history, the chat’s system prompt and no tools through the real Bedrock SDK', async () => {
    bedrock.script(
      [{ text: 'Hi, I am brief.' }, { stop: 'end_turn' }, { usage: { inputTokens: 10, outputTokens: 5 } }],
      [{ text: 'Still brief.' }, { stop: 'end_turn' }, { usage: { inputTokens: 20, outputTokens: 3 } }],
    );
    const first = await chatStream({ message: 'Hello', modelId: 'claude-chat', systemPrompt: 'Be brief.' });
    const chatId = first.headers.get('x-chat-id') ?? '';
    expect(textOf(first)).toBe('Hi, I am brief.');
    const second = await chatStream({ chatId, message: 'Again' });
    expect(second.events.at(-1)?.data).toMatchObject({ inputTokens: 20, outputTokens: 3, steps: 1 });
    const [a, b] = bedrock.requests.slice(-2) as { modelId: string; body: Record<string, any> }[];
    expect(a?.modelId).toBe('anthropic.claude-chat-v1:0');
    expect(a?.body.system).toEqual([{ text: 'Be brief.' }]);
    expect(a?.body.toolConfig).toBeUndefined();
    expect(b?.body.toolConfig).toBeUndefined();
    expect(b?.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(b?.body.messages[1].content).toEqual([{ text: 'Hi, I am brief.' }]);

    // A provider that asks for a tool anyway ends the turn with a clear error; nothing runs.
    bedrock.script([
      { text: 'Let me run something.' },
      { toolUse: { id: 'tu_x', name: 'bash', input: { command: 'id' } } },
      { stop: 'tool_use' },
    ]);
    const tool = await chatStream({ chatId, message: 'Use a tool' });
    expect(types(tool)).not.toContain('tool_call');
    const error = tool.events.find((e) => e.data.type === 'error')?.data;
    expect(error).toMatchObject({ code: 'MODEL_ERROR' });
    expect(String(error?.message)).toContain('offers no tools');
    expect(tool.done).toBe(true);
    expect(await containers()).toBe(0);
  });
});
