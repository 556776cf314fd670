import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { ModelStreamErrorException } from '@aws-sdk/client-bedrock-runtime';
import { describe, expect, it, vi } from 'vitest';
import { AgentdError } from '../common/errors.js';
import { silentLogger } from '../common/logger.js';
import { ConverseStreamMapper } from './converse-stream-mapper.js';
import type { ModelEvent } from './model-provider.js';

function mapAll(
  events: ConverseStreamOutput[],
  mapper = new ConverseStreamMapper(silentLogger()),
): ModelEvent[] {
  return events.flatMap((event) => mapper.map(event));
}

const start = (index: number, toolUseId: string, name: string): ConverseStreamOutput => ({
  contentBlockStart: { contentBlockIndex: index, start: { toolUse: { toolUseId, name } } },
});
const input = (index: number, fragment: string): ConverseStreamOutput => ({
  contentBlockDelta: { contentBlockIndex: index, delta: { toolUse: { input: fragment } } },
});
const stop = (index: number): ConverseStreamOutput => ({ contentBlockStop: { contentBlockIndex: index } });

describe('ConverseStreamMapper', () => {
  it('passes text and thinking deltas through and carries the signature on an empty thinking delta', () => {
    expect(
      mapAll([
        { messageStart: { role: 'assistant' } },
        { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Hmm' } } } },
        { contentBlockDelta: { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'sig' } } } },
        {
          contentBlockDelta: {
            contentBlockIndex: 0,
            delta: { reasoningContent: { redactedContent: new Uint8Array(2) } },
          },
        },
        stop(0),
        { contentBlockDelta: { contentBlockIndex: 1, delta: { text: 'Hi' } } },
        stop(1),
      ]),
    ).toEqual([
      { type: 'thinking', delta: 'Hmm' },
      { type: 'thinking', delta: '', signature: 'sig' },
      { type: 'text', delta: 'Hi' },
    ]);
  });

  it('assembles tool-use input per content block and emits it at the block stop', () => {
    expect(
      mapAll([
        start(1, 't1', 'bash'),
        input(1, '{"comm'),
        start(2, 't2', 'list_files'),
        input(1, 'and":"ls"}'),
        stop(1),
        stop(2),
      ]),
    ).toEqual([
      { type: 'tool_use', toolUseId: 't1', name: 'bash', input: { command: 'ls' } },
      { type: 'tool_use', toolUseId: 't2', name: 'list_files', input: {} },
    ]);
  });

  it('rejects invalid tool-use JSON with MODEL_ERROR', () => {
    const mapper = new ConverseStreamMapper(silentLogger());
    mapAll([start(0, 't1', 'bash'), input(0, '{"command": ')], mapper);

    const error = catchError(() => mapper.map(stop(0)));
    expect(error).toBeInstanceOf(AgentdError);
    expect(error).toMatchObject({ code: 'MODEL_ERROR', details: { provider: 'bedrock' } });
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it('rejects tool-use input for a block that started no tool use', () => {
    expect(() => mapAll([input(3, '{}')])).toThrow(/content block 3/);
  });

  it.each([
    ['end_turn', 'end_turn'],
    ['tool_use', 'tool_use'],
    ['max_tokens', 'max_tokens'],
    ['stop_sequence', 'stop_sequence'],
    ['content_filtered', 'content_filtered'],
    ['guardrail_intervened', 'guardrail_intervened'],
    ['model_context_window_exceeded', 'max_tokens'],
  ])('maps stop reason %s to %s', (reason, expected) => {
    expect(mapAll([{ messageStop: { stopReason: reason as never } }])).toEqual([
      { type: 'stop', stopReason: expected },
    ]);
  });

  it('fails the call on a malformed-output stop reason', () => {
    const error = catchError(() => mapAll([{ messageStop: { stopReason: 'malformed_tool_use' } }]));
    expect(error).toMatchObject({
      code: 'MODEL_ERROR',
      recoverable: true,
      details: { stopReason: 'malformed_tool_use' },
    });
  });

  it('treats an unknown stop reason as end_turn and warns', () => {
    const logger = silentLogger();
    const warn = vi.spyOn(logger, 'warn');
    expect(
      mapAll([{ messageStop: { stopReason: 'brand_new' as never } }], new ConverseStreamMapper(logger)),
    ).toEqual([{ type: 'stop', stopReason: 'end_turn' }]);
    expect(warn).toHaveBeenCalledWith({ stopReason: 'brand_new' }, expect.any(String));
  });

  it('reports usage, with absent cache counts as zero', () => {
    expect(
      mapAll([
        {
          metadata: {
            usage: { inputTokens: 10, outputTokens: 20, totalTokens: 30, cacheWriteInputTokens: 4 },
            metrics: { latencyMs: 5 },
          },
        },
      ]),
    ).toEqual([
      {
        type: 'usage',
        usage: { inputTokens: 10, outputTokens: 20, cacheReadTokens: 0, cacheWriteTokens: 4 },
      },
    ]);
  });

  it('throws an exception that arrives as a stream member', () => {
    const exception = new ModelStreamErrorException({ message: 'boom', $metadata: {} });
    expect(() => mapAll([{ modelStreamErrorException: exception }])).toThrow(exception);
  });

  it('refuses to finish a stream that was cut short', () => {
    const open = new ConverseStreamMapper(silentLogger());
    mapAll([start(0, 't1', 'bash'), input(0, '{}')], open);
    expect(() => open.finish()).toThrow(/inside a tool use/);

    const unstopped = new ConverseStreamMapper(silentLogger());
    mapAll([{ contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Hi' } } }], unstopped);
    expect(() => unstopped.finish()).toThrow(/without a stop reason/);

    const complete = new ConverseStreamMapper(silentLogger());
    mapAll([{ messageStop: { stopReason: 'end_turn' } }], complete);
    expect(() => complete.finish()).not.toThrow();
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}
