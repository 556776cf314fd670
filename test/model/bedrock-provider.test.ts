import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConversationMessage } from '@agentd/sandbox-runner/protocol';
import { AgentdError } from '../../orchestrator/src/common/errors.js';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import {
  BedrockProvider,
  type BedrockProviderOptions,
} from '../../orchestrator/src/model/bedrock-provider.js';
import type { ModelEvent, ModelRequest, ToolSpec } from '../../orchestrator/src/model/model-provider.js';
import { startFakeBedrock, type FakeBedrock } from '../support/fake-bedrock-server.js';

const MODEL_ID = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const BASH: ToolSpec = {
  name: 'bash',
  description: 'Run a command.',
  inputSchema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
};

let bedrock: FakeBedrock;

beforeAll(async () => {
  // Fake credentials: the SDK signs every request; the fake server does not check signatures.
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDAGENTDTEST');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'agentd-test-secret');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_SESSION_TOKEN', undefined);
  vi.stubEnv('AWS_BEARER_TOKEN_BEDROCK', undefined);
  bedrock = await startFakeBedrock();
});

afterAll(async () => {
  await bedrock.close();
  vi.unstubAllEnvs();
});

function provider(options: Partial<BedrockProviderOptions> = {}): BedrockProvider & Disposable {
  const p = new BedrockProvider({
    region: 'us-east-1',
    endpoint: bedrock.url,
    logger: silentLogger(),
    ...options,
  });
  return Object.assign(p, { [Symbol.dispose]: () => p.close() });
}

function request(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return {
    modelId: MODEL_ID,
    system: 'You are a test.',
    messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
    tools: [],
    maxOutputTokens: 1024,
    signal: new AbortController().signal,
    ...overrides,
  };
}

async function collect(
  events: AsyncIterable<ModelEvent>,
): Promise<{ events: ModelEvent[]; error?: unknown }> {
  const seen: ModelEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
    return { events: seen };
  } catch (error) {
    return { events: seen, error };
  }
}

function textOf(events: ModelEvent[]): string {
  return events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
}

function lastRequestBody(): Record<string, unknown> {
  return bedrock.requests.at(-1)!.body as Record<string, unknown>;
}

describe('BedrockProvider against a local ConverseStream server', () => {
  it('streams a text turn and its usage over HTTP/2', async () => {
    using model = provider();
    bedrock.script([
      { text: 'Hello, world' },
      { stop: 'end_turn' },
      { usage: { inputTokens: 12, outputTokens: 3, cacheRead: 5, cacheWrite: 7 } },
    ]);
    const { events, error } = await collect(model.converseStream(request()));

    expect(error).toBeUndefined();
    expect(events.filter((e) => e.type === 'text').length).toBeGreaterThan(1);
    expect(textOf(events)).toBe('Hello, world');
    expect(events.slice(-2)).toEqual([
      { type: 'stop', stopReason: 'end_turn' },
      {
        type: 'usage',
        usage: { inputTokens: 12, outputTokens: 3, cacheReadTokens: 5, cacheWriteTokens: 7 },
      },
    ]);
    const sent = bedrock.requests.at(-1)!;
    expect(sent).toMatchObject({ method: 'POST', modelId: MODEL_ID, httpVersion: '2.0' });
    expect(sent.path).toBe(`/model/${encodeURIComponent(MODEL_ID)}/converse-stream`);
    expect(sent.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDAGENTDTEST\/\d+\/us-east-1\/bedrock\//,
    );
    expect(sent.body).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
      system: [{ text: 'You are a test.' }],
      inferenceConfig: { maxTokens: 1024 },
    });
  });

  it('streams thinking deltas and the reasoning signature', async () => {
    using model = provider();
    bedrock.script([
      { thinking: 'Let me think.', signature: 'sig-123' },
      { text: 'Done.' },
      { stop: 'end_turn' },
      { usage: { inputTokens: 1, outputTokens: 2 } },
    ]);
    const { events, error } = await collect(model.converseStream(request()));

    expect(error).toBeUndefined();
    const thinking = events.filter((e) => e.type === 'thinking');
    expect(thinking.map((e) => e.delta).join('')).toBe('Let me think.');
    expect(thinking.at(-1)).toEqual({ type: 'thinking', delta: '', signature: 'sig-123' });
    expect(textOf(events)).toBe('Done.');
    expect(events.at(-1)).toEqual({
      type: 'usage',
      usage: { inputTokens: 1, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it('runs a tool-use conversation over two calls', async () => {
    using model = provider();
    const listInput = { command: 'ls -la /workspace' };
    const catInput = { command: 'cat "a b.txt" | head -n 2', note: 'ünïcödé ✓' };
    bedrock.script(
      [
        { text: 'Let me look.' },
        { toolUse: { id: 'tooluse_1', name: 'bash', input: listInput } },
        { toolUse: { id: 'tooluse_2', name: 'bash', input: catInput } },
        { stop: 'tool_use' },
        { usage: { inputTokens: 100, outputTokens: 40 } },
      ],
      [
        { text: 'There are two files.' },
        { stop: 'end_turn' },
        { usage: { inputTokens: 180, outputTokens: 8 } },
      ],
    );

    const user: ConversationMessage = { role: 'user', content: [{ text: 'What is in my workspace?' }] };
    const first = await collect(model.converseStream(request({ messages: [user], tools: [BASH] })));
    expect(first.error).toBeUndefined();
    expect(first.events.filter((e) => e.type !== 'text')).toEqual([
      { type: 'tool_use', toolUseId: 'tooluse_1', name: 'bash', input: listInput },
      { type: 'tool_use', toolUseId: 'tooluse_2', name: 'bash', input: catInput },
      { type: 'stop', stopReason: 'tool_use' },
      {
        type: 'usage',
        usage: { inputTokens: 100, outputTokens: 40, cacheReadTokens: 0, cacheWriteTokens: 0 },
      },
    ]);
    expect(textOf(first.events)).toBe('Let me look.');

    const history: ConversationMessage[] = [
      user,
      {
        role: 'assistant',
        content: [
          { text: 'Let me look.' },
          { toolUse: { toolUseId: 'tooluse_1', name: 'bash', input: listInput } },
          { toolUse: { toolUseId: 'tooluse_2', name: 'bash', input: catInput } },
        ],
      },
      {
        role: 'user',
        content: [
          {
            toolResult: { toolUseId: 'tooluse_1', content: [{ text: 'a b.txt\nc.txt' }], status: 'success' },
          },
          { toolResult: { toolUseId: 'tooluse_2', content: [{ text: 'no such file' }], status: 'error' } },
        ],
      },
    ];
    const second = await collect(model.converseStream(request({ messages: history, tools: [BASH] })));
    expect(second.error).toBeUndefined();
    expect(textOf(second.events)).toBe('There are two files.');
    expect(second.events.find((e) => e.type === 'stop')).toEqual({ type: 'stop', stopReason: 'end_turn' });

    expect(bedrock.requests.at(-1)!.body).toEqual({
      messages: history,
      system: [{ text: 'You are a test.' }],
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: 'bash',
              description: BASH.description,
              inputSchema: { json: BASH.inputSchema },
            },
          },
        ],
      },
      inferenceConfig: { maxTokens: 1024 },
    });
  });

  it('yields the text before an in-stream exception, then rejects with MODEL_ERROR', async () => {
    using model = provider();
    bedrock.script([
      { text: 'Partial answer' },
      { exception: { type: 'modelStreamErrorException', message: 'The model crashed.' } },
    ]);
    const { events, error } = await collect(model.converseStream(request()));

    expect(textOf(events)).toBe('Partial answer');
    expect(error).toBeInstanceOf(AgentdError);
    expect(error).toMatchObject({
      code: 'MODEL_ERROR',
      recoverable: false,
      details: { provider: 'bedrock', awsCode: 'ModelStreamErrorException' },
    });
    expect((error as Error).message).toContain('The model crashed.');
  });

  it('marks an in-stream throttling exception recoverable', async () => {
    using model = provider();
    bedrock.script([{ text: 'a' }, { exception: { type: 'throttlingException', message: 'Slow down.' } }]);
    const { error } = await collect(model.converseStream(request()));

    expect(error).toMatchObject({
      code: 'MODEL_ERROR',
      recoverable: true,
      details: { awsCode: 'ThrottlingException' },
    });
  });

  it('maps a 400 "input is too long" to CONTEXT_EXHAUSTED', async () => {
    using model = provider({ maxAttempts: 1 });
    bedrock.script([
      {
        httpError: {
          status: 400,
          type: 'ValidationException',
          message: 'Input is too long for requested model.',
        },
      },
    ]);
    const { events, error } = await collect(model.converseStream(request()));

    expect(events).toEqual([]);
    expect(error).toMatchObject({
      code: 'CONTEXT_EXHAUSTED',
      details: { provider: 'bedrock', awsCode: 'ValidationException', httpStatus: 400 },
    });
  });

  it('maps another validation error to MODEL_ERROR, not recoverable', async () => {
    using model = provider({ maxAttempts: 1 });
    bedrock.script([
      { httpError: { status: 400, type: 'ValidationException', message: 'messages: blank text' } },
    ]);
    const { error } = await collect(model.converseStream(request()));

    expect(error).toMatchObject({
      code: 'MODEL_ERROR',
      recoverable: false,
      details: { awsCode: 'ValidationException' },
    });
  });

  it('maps a 429 to a recoverable MODEL_ERROR when retries are exhausted', async () => {
    using model = provider({ maxAttempts: 1 });
    const before = bedrock.requests.length;
    bedrock.script([
      { httpError: { status: 429, type: 'ThrottlingException', message: 'Too many requests.' } },
    ]);
    const { error } = await collect(model.converseStream(request()));

    expect(error).toMatchObject({
      code: 'MODEL_ERROR',
      recoverable: true,
      details: { provider: 'bedrock', awsCode: 'ThrottlingException', httpStatus: 429 },
    });
    expect(bedrock.requests.length - before).toBe(1);
  });

  it('lets the SDK retry a throttled call that then streams', async () => {
    using model = provider({ maxAttempts: 2 });
    const before = bedrock.requests.length;
    bedrock.script(
      [{ httpError: { status: 429, type: 'ThrottlingException', message: 'Too many requests.' } }],
      [{ text: 'Second time lucky.' }, { stop: 'end_turn' }, { usage: { inputTokens: 3, outputTokens: 4 } }],
    );
    const { events, error } = await collect(model.converseStream(request()));

    expect(error).toBeUndefined();
    expect(textOf(events)).toBe('Second time lucky.');
    expect(bedrock.requests.length - before).toBe(2);
  });

  it('ends promptly with RUN_CANCELLED when the signal aborts mid-stream', async () => {
    using model = provider();
    bedrock.script([
      { text: 'Working on it' },
      { delayMs: 60_000 },
      { text: 'never sent' },
      { stop: 'end_turn' },
    ]);
    const controller = new AbortController();
    const seen: ModelEvent[] = [];
    let abortedAt = 0;
    const run = (async () => {
      for await (const event of model.converseStream(request({ signal: controller.signal }))) {
        seen.push(event);
        if (textOf(seen) === 'Working on it') {
          abortedAt = Date.now();
          setTimeout(() => controller.abort(new Error('user cancelled')), 50);
        }
      }
    })();

    await expect(run).rejects.toMatchObject({ code: 'RUN_CANCELLED' });
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    expect(textOf(seen)).toBe('Working on it');
  });

  it('rejects with RUN_CANCELLED without calling Bedrock when the signal already fired', async () => {
    using model = provider();
    const before = bedrock.requests.length;
    const { error } = await collect(model.converseStream(request({ signal: AbortSignal.abort() })));

    expect(error).toMatchObject({ code: 'RUN_CANCELLED' });
    expect(bedrock.requests.length).toBe(before);
  });

  it('serves an HTTP/1.1 client on the same port', async () => {
    using model = provider({ requestHandler: new NodeHttpHandler() });
    bedrock.script([
      { text: 'Over HTTP/1.1' },
      { stop: 'max_tokens' },
      { usage: { inputTokens: 2, outputTokens: 5 } },
    ]);
    const { events, error } = await collect(model.converseStream(request()));

    expect(error).toBeUndefined();
    expect(textOf(events)).toBe('Over HTTP/1.1');
    expect(events.find((e) => e.type === 'stop')).toEqual({ type: 'stop', stopReason: 'max_tokens' });
    expect(bedrock.requests.at(-1)).toMatchObject({ httpVersion: '1.1', modelId: MODEL_ID });
    expect(lastRequestBody()).toMatchObject({ system: [{ text: 'You are a test.' }] });
  });
});
