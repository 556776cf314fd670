import type { ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import type { StopReason } from '@agentd/sandbox-runner/protocol';
import { AgentdError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { ModelEvent } from './model-provider.js';

const STOP_REASONS: Readonly<Record<string, StopReason>> = {
  end_turn: 'end_turn',
  tool_use: 'tool_use',
  max_tokens: 'max_tokens',
  stop_sequence: 'stop_sequence',
  content_filtered: 'content_filtered',
  guardrail_intervened: 'guardrail_intervened',
  // The answer was cut off because the context filled up: to the caller that is a truncated answer.
  model_context_window_exceeded: 'max_tokens',
};
/** The model produced something unusable: a fault of this call, not a way for a turn to end. */
const FAILED_STOP_REASONS = new Set(['malformed_model_output', 'malformed_tool_use']);

interface PendingToolUse {
  toolUseId: string;
  name: string;
  input: string;
}

/**
 * Turns one ConverseStream's events into ModelEvents (one mapper per stream). Text and thinking deltas pass
 * through; a reasoning signature becomes a thinking event with an empty delta and the signature; tool-use
 * input fragments are collected per content block and emitted as one `tool_use` at the block's stop.
 * Redacted reasoning has no place in our messages and is dropped.
 */
export class ConverseStreamMapper {
  readonly #logger: Logger;
  readonly #toolUses = new Map<number, PendingToolUse>();
  #stopped = false;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  map(event: ConverseStreamOutput): ModelEvent[] {
    if (event.contentBlockStart !== undefined) {
      const { contentBlockIndex, start } = event.contentBlockStart;
      const toolUse = start?.toolUse;
      if (toolUse?.toolUseId === undefined || toolUse.name === undefined) return [];
      this.#toolUses.set(contentBlockIndex ?? 0, {
        toolUseId: toolUse.toolUseId,
        name: toolUse.name,
        input: '',
      });
      return [];
    }
    if (event.contentBlockDelta !== undefined) return this.#delta(event.contentBlockDelta);
    if (event.contentBlockStop !== undefined)
      return this.#blockStop(event.contentBlockStop.contentBlockIndex ?? 0);
    if (event.messageStop !== undefined)
      return [{ type: 'stop', stopReason: this.#stopReason(event.messageStop.stopReason) }];
    if (event.metadata !== undefined) {
      const usage = event.metadata.usage;
      if (usage === undefined) return [];
      return [
        {
          type: 'usage',
          usage: {
            inputTokens: usage.inputTokens ?? 0,
            outputTokens: usage.outputTokens ?? 0,
            cacheReadTokens: usage.cacheReadInputTokens ?? 0,
            cacheWriteTokens: usage.cacheWriteInputTokens ?? 0,
          },
        },
      ];
    }
    const exception =
      event.internalServerException ??
      event.modelStreamErrorException ??
      event.validationException ??
      event.throttlingException ??
      event.serviceUnavailableException;
    if (exception !== undefined) throw exception;
    return [];
  }

  /** Call when the stream ended: a stream cut short must not pass for a finished answer. */
  finish(): void {
    if (this.#toolUses.size > 0) throw modelError('the stream ended inside a tool use');
    if (!this.#stopped) throw modelError('the stream ended without a stop reason');
  }

  #delta(event: NonNullable<ConverseStreamOutput['contentBlockDelta']>): ModelEvent[] {
    const { delta } = event;
    if (delta?.text !== undefined) return [{ type: 'text', delta: delta.text }];
    const reasoning = delta?.reasoningContent;
    if (reasoning?.text !== undefined) return [{ type: 'thinking', delta: reasoning.text }];
    if (reasoning?.signature !== undefined)
      return [{ type: 'thinking', delta: '', signature: reasoning.signature }];
    const fragment = delta?.toolUse?.input;
    if (fragment !== undefined) {
      const index = event.contentBlockIndex ?? 0;
      const pending = this.#toolUses.get(index);
      if (pending === undefined)
        throw modelError(`tool-use input for content block ${index}, which started no tool use`);
      pending.input += fragment;
    }
    return [];
  }

  #blockStop(index: number): ModelEvent[] {
    const pending = this.#toolUses.get(index);
    if (pending === undefined) return [];
    this.#toolUses.delete(index);
    let input: unknown;
    try {
      // A tool without parameters may get no input fragments at all.
      input = pending.input === '' ? {} : JSON.parse(pending.input);
    } catch (err) {
      throw modelError(`the model sent invalid JSON as input of tool ${pending.name}`, err);
    }
    return [{ type: 'tool_use', toolUseId: pending.toolUseId, name: pending.name, input }];
  }

  #stopReason(reason: string | undefined): StopReason {
    this.#stopped = true;
    const known = reason === undefined ? undefined : STOP_REASONS[reason];
    if (known !== undefined) return known;
    if (reason !== undefined && FAILED_STOP_REASONS.has(reason)) {
      throw new AgentdError('MODEL_ERROR', `Bedrock: the model stopped with ${reason}`, {
        recoverable: true,
        details: { provider: 'bedrock', stopReason: reason },
      });
    }
    this.#logger.warn({ stopReason: reason }, 'Unknown Bedrock stop reason, treating it as end_turn');
    return 'end_turn';
  }
}

function modelError(message: string, cause?: unknown): AgentdError {
  return new AgentdError('MODEL_ERROR', `Bedrock: ${message}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { provider: 'bedrock' },
  });
}
