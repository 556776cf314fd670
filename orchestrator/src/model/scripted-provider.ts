import type { ContentBlock, ConversationMessage, ToolResultContent } from '@agentd/sandbox-runner/protocol';
import { AgentdError } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import { sleep } from '../common/timers.js';
import type { ModelEvent, ModelProvider, ModelRequest } from './model-provider.js';
import { parseDirectives, splitTurns } from './scripted-script.js';

const CHARS_PER_TOKEN = 4;

/**
 * A deterministic built-in model for the quickstart and tests. It streams through the same path as a real
 * model (text and thinking deltas, tool calls, usage) and is steered by directives in the user message.
 */
export class ScriptedProvider implements ModelProvider {
  readonly name = 'scripted';

  constructor(private readonly options: { deltaDelayMs: number } = { deltaDelayMs: 0 }) {}

  async *converseStream(request: ModelRequest): AsyncIterable<ModelEvent> {
    let outputChars = 0;
    for await (const event of this.#turn(request)) {
      if (event.type === 'text' || event.type === 'thinking') outputChars += event.delta.length;
      if (event.type === 'tool_use') outputChars += JSON.stringify(event.input).length;
      yield event;
    }
    const inputChars = (request.system ?? '').length + JSON.stringify(request.messages).length;
    yield {
      type: 'usage',
      usage: {
        inputTokens: Math.ceil(inputChars / CHARS_PER_TOKEN),
        outputTokens: Math.max(1, Math.ceil(outputChars / CHARS_PER_TOKEN)),
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
      },
    };
  }

  async *#turn(request: ModelRequest): AsyncIterable<ModelEvent> {
    const { prompt, turnIndex, lastToolResult } = readConversation(request.messages);
    const directives = parseDirectives(prompt) ?? [{ kind: 'say' as const, text: `You said: ${prompt}` }];
    const turns = splitTurns(directives);
    const turn = turns[turnIndex];
    // Past the last scripted turn the model only closes the conversation.
    if (!turn) {
      yield* this.#stream('text', 'Done.', request.signal);
      yield { type: 'stop', stopReason: 'end_turn' };
      return;
    }
    for (const directive of turn.directives) {
      this.#checkAborted(request.signal);
      switch (directive.kind) {
        case 'think':
          yield* this.#stream('thinking', directive.text, request.signal);
          break;
        case 'say':
          yield* this.#stream('text', `${directive.text}\n`, request.signal);
          break;
        case 'result':
          yield* this.#stream('text', `${lastToolResult}\n`, request.signal);
          break;
        case 'system':
          // Shows what agentd sent as the system prompt, so tests can check it reaches the model.
          yield* this.#stream('text', `${request.system ?? ''}\n`, request.signal);
          break;
        case 'sleep':
          await this.#sleep(directive.ms, request.signal);
          break;
        case 'error':
          throw new AgentdError('MODEL_ERROR', `scripted model: ${directive.message}`, {
            details: { provider: 'scripted' },
          });
        case 'tool':
          break;
      }
    }
    for (const call of turn.toolCalls) {
      yield { type: 'tool_use', toolUseId: `tooluse_${randomId(16)}`, name: call.name, input: call.input };
    }
    this.#checkAborted(request.signal);
    yield { type: 'stop', stopReason: turn.toolCalls.length > 0 ? 'tool_use' : 'end_turn' };
  }

  async *#stream(kind: 'text' | 'thinking', text: string, signal: AbortSignal): AsyncIterable<ModelEvent> {
    for (const delta of chunk(text)) {
      this.#checkAborted(signal);
      if (this.options.deltaDelayMs > 0) await this.#sleep(this.options.deltaDelayMs, signal);
      yield { type: kind, delta };
    }
  }

  async #sleep(ms: number, signal: AbortSignal): Promise<void> {
    await sleep(ms, undefined, { signal }).catch(() => undefined);
    this.#checkAborted(signal);
  }

  #checkAborted(signal: AbortSignal): void {
    if (signal.aborted) throw new AgentdError('RUN_CANCELLED', 'model call aborted');
  }
}

/** The run's prompt is the last user message with text; the turn index counts assistant messages after it. */
function readConversation(messages: readonly ConversationMessage[]): {
  prompt: string;
  turnIndex: number;
  lastToolResult: string;
} {
  let promptIndex = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message?.role === 'user' && message.content.some((b) => 'text' in b)) {
      promptIndex = i;
      break;
    }
  }
  const prompt = textOf(messages[promptIndex]?.content ?? []);
  const after = messages.slice(promptIndex + 1);
  const turnIndex = after.filter((m) => m.role === 'assistant').length;
  let lastToolResult = '';
  for (const message of after) {
    for (const block of message.content) {
      if ('toolResult' in block) lastToolResult = block.toolResult.content.map(resultText).join('');
    }
  }
  return { prompt, turnIndex, lastToolResult };
}

/** An image the model was given shows as its format and size, so a script can tell it arrived. */
function resultText(block: ToolResultContent): string {
  if ('text' in block) return block.text;
  return `[image ${block.image.format}, ${Buffer.from(block.image.source.bytes, 'base64').length} bytes]`;
}

function textOf(content: readonly ContentBlock[]): string {
  return content.map((b) => ('text' in b ? b.text : '')).join('');
}

/** Splits text into word-sized deltas so clients see it stream. */
function chunk(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}
