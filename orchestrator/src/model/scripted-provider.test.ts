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

  it('streams word by word: each delta a word and the spaces after it, every character once', async () => {
    const events = await collect([user('@say  two  words\tand a tab\n@repeat 3 again')]);
    const deltas = events.flatMap((e) => (e.type === 'text' ? [e.delta] : []));
    expect(deltas).toEqual(['two  ', 'words\t', 'and ', 'a ', 'tab\n', 'again ', 'again ', 'again \n']);
  });

  it('splits at exactly what `\\s` matches, Unicode spaces included', async () => {
    const codes = Array.from({ length: 0x10000 }, (_, code) => code);
    const spaces = codes.filter((code) => /\s/.test(String.fromCharCode(code)));
    // Each space between two letters, and the code units on either side of each range, which are not spaces.
    const near = [0x08, 0x0e, 0x9f, 0xa1, 0x1fff, 0x200b, 0x180e, 0x2027, 0x202a, 0xfefe];
    const prompt = [...spaces, ...near].map((code) => `w${String.fromCharCode(code)}`).join('');
    const echoed = `You said: ${prompt}\n`;
    const events = await collect([user(prompt)]);
    const deltas = events.flatMap((e) => (e.type === 'text' ? [e.delta] : []));
    expect(deltas).toEqual(echoed.match(/\S+\s*|\s+/g));
    expect(deltas.length).toBeGreaterThan(spaces.length);
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
