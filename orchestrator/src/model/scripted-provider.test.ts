import type { ConversationMessage } from '@agentd/sandbox-runner/protocol';
import { describe, expect, it } from 'vitest';
import type { ModelEvent } from './model-provider.js';
import { ScriptedProvider } from './scripted-provider.js';

async function collect(
  messages: ConversationMessage[],
  signal = new AbortController().signal,
): Promise<ModelEvent[]> {
  const events: ModelEvent[] = [];
  const provider = new ScriptedProvider();
  for await (const e of provider.converseStream({
    modelId: 'scripted',
    system: 'sys',
    messages,
    tools: [],
    maxOutputTokens: 100,
    signal,
  })) {
    events.push(e);
  }
  return events;
}

const user = (text: string): ConversationMessage => ({ role: 'user', content: [{ text }] });
const text = (events: ModelEvent[], type: 'text' | 'thinking' = 'text') =>
  events.map((e) => (e.type === type ? e.delta : '')).join('');

describe('ScriptedProvider', () => {
  it('says the system prompt it received on @system', async () => {
    expect(text(await collect([user('@system\n@say after')]))).toBe('sys\nafter\n');
  });

  it('echoes a message without directives, with usage', async () => {
    const events = await collect([user('hello there')]);
    expect(text(events)).toBe('You said: hello there\n');
    expect(events.filter((e) => e.type === 'text').length).toBeGreaterThan(1);
    expect(events.at(-2)).toEqual({ type: 'stop', stopReason: 'end_turn' });
    expect(events.at(-1)).toMatchObject({
      type: 'usage',
      usage: { inputTokens: expect.any(Number) as number },
    });
  });

  it('plays a multi-turn script: thinking, text, tool calls, then the result of the tools', async () => {
    const prompt = [
      '@think planning',
      '@say Writing.',
      '@tool write_file {"path":"a.txt","content":"hi"}',
      '@tool read_file {"path":"a.txt"}',
      '@say It says:',
      '@result',
    ].join('\n');
    const first = await collect([user(prompt)]);
    expect(text(first, 'thinking')).toBe('planning');
    expect(text(first)).toBe('Writing.\n');
    const tools = first.flatMap((e) => (e.type === 'tool_use' ? [[e.name, e.input]] : []));
    expect(tools).toEqual([
      ['write_file', { path: 'a.txt', content: 'hi' }],
      ['read_file', { path: 'a.txt' }],
    ]);
    expect(first).toContainEqual({ type: 'stop', stopReason: 'tool_use' });
    const second = await collect([
      user(prompt),
      { role: 'assistant', content: [{ text: 'Writing.' }] },
      {
        role: 'user',
        content: [{ toolResult: { toolUseId: 'x', content: [{ text: 'hi' }], status: 'success' } }],
      },
    ]);
    expect(text(second)).toBe('It says:\nhi\n');
    expect(second).toContainEqual({ type: 'stop', stopReason: 'end_turn' });
  });

  it('fails with MODEL_ERROR where the script says, after what came before', async () => {
    const events: ModelEvent[] = [];
    const provider = new ScriptedProvider();
    const iterate = async () => {
      for await (const e of provider.converseStream({
        modelId: 's',
        system: null,
        messages: [user('@say partial\n@error boom')],
        tools: [],
        maxOutputTokens: 10,
        signal: new AbortController().signal,
      })) {
        events.push(e);
      }
    };
    await expect(iterate()).rejects.toMatchObject({ code: 'MODEL_ERROR' });
    expect(text(events)).toBe('partial\n');
  });

  it('stops when the request is aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(collect([user('@sleep 5000\n@say never')], controller.signal)).rejects.toMatchObject({
      code: 'RUN_CANCELLED',
    });
  });
});
