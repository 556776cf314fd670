import { describe, expect, it } from 'vitest';
import type { ContentBlock } from '@agentd/sandbox-runner/protocol';
import { toBedrockContentBlock, toBedrockTool, toConverseStreamInput } from './to-converse-stream-input.js';

const base = {
  modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0',
  system: null,
  messages: [],
  tools: [],
  maxOutputTokens: 4096,
};

describe('toConverseStreamInput', () => {
  it('omits system and toolConfig when there are none', () => {
    expect(toConverseStreamInput(base)).toEqual({
      modelId: base.modelId,
      messages: [],
      inferenceConfig: { maxTokens: 4096 },
    });
    expect(toConverseStreamInput({ ...base, system: '' })).not.toHaveProperty('system');
  });

  it('sends the system prompt as one text block and tools as toolSpecs', () => {
    const inputSchema = { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] };
    const input = toConverseStreamInput({
      ...base,
      system: 'Be brief.',
      tools: [{ name: 'read_file', description: 'Read a file.', inputSchema }],
    });

    expect(input.system).toEqual([{ text: 'Be brief.' }]);
    expect(input.toolConfig).toEqual({
      tools: [
        { toolSpec: { name: 'read_file', description: 'Read a file.', inputSchema: { json: inputSchema } } },
      ],
    });
  });

  it('maps every kind of content block of a conversation', () => {
    const input = toConverseStreamInput({
      ...base,
      messages: [
        { role: 'user', content: [{ text: 'List files' }] },
        {
          role: 'assistant',
          content: [
            { reasoningContent: { reasoningText: { text: 'I should run ls.', signature: 'sig' } } },
            { toolUse: { toolUseId: 't1', name: 'bash', input: { command: 'ls' } } },
          ],
        },
        {
          role: 'user',
          content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'a.txt' }], status: 'success' } }],
        },
      ],
    });

    expect(input.messages).toEqual([
      { role: 'user', content: [{ text: 'List files' }] },
      {
        role: 'assistant',
        content: [
          { reasoningContent: { reasoningText: { text: 'I should run ls.', signature: 'sig' } } },
          { toolUse: { toolUseId: 't1', name: 'bash', input: { command: 'ls' } } },
        ],
      },
      {
        role: 'user',
        content: [{ toolResult: { toolUseId: 't1', content: [{ text: 'a.txt' }], status: 'success' } }],
      },
    ]);
  });
});

describe('toBedrockContentBlock', () => {
  it('copies only the fields Converse defines', () => {
    const smuggled = {
      toolResult: {
        toolUseId: 't1',
        content: [{ text: 'out', json: { x: 1 } }],
        status: 'error',
        extra: 'dropped',
      },
      cachePoint: { type: 'default' },
    } as unknown as ContentBlock;

    expect(toBedrockContentBlock(smuggled)).toEqual({
      toolResult: { toolUseId: 't1', content: [{ text: 'out' }], status: 'error' },
    });
  });

  it('leaves out a missing reasoning signature', () => {
    expect(toBedrockContentBlock({ reasoningContent: { reasoningText: { text: 'hmm' } } })).toEqual({
      reasoningContent: { reasoningText: { text: 'hmm' } },
    });
  });
});

describe('toBedrockTool', () => {
  it('wraps the JSON schema as inputSchema.json', () => {
    expect(
      toBedrockTool({ name: 'list_files', description: 'List.', inputSchema: { type: 'object' } }),
    ).toEqual({
      toolSpec: { name: 'list_files', description: 'List.', inputSchema: { json: { type: 'object' } } },
    });
  });
});
