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

  /**
   * One async generator over a synchronous plan: nested async generators (`yield*`) cost every event a promise
   * and a result object per level, which for an unpaced script was a third of what the daemon allocated per
   * relayed event.
   */
  async *converseStream(request: ModelRequest): AsyncIterable<ModelEvent> {
    const { signal } = request;
    let outputChars = 0;
    for (const step of this.#plan(request)) {
      if (typeof step === 'number') {
        await sleep(step, undefined, { signal }).catch(() => undefined);
        checkAborted(signal);
        continue;
      }
      if (step.type === 'text' || step.type === 'thinking') outputChars += step.delta.length;
      if (step.type === 'tool_use') outputChars += JSON.stringify(step.input).length;
      yield step;
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

  /** The turn's events in order, with a number for each pause (ms) the caller sleeps before going on. */
  *#plan(request: ModelRequest): Generator<ModelEvent | number> {
    const { signal } = request;
    const { prompt, turnIndex, lastToolResult } = readConversation(request.messages);
    const directives = parseDirectives(prompt) ?? [{ kind: 'say' as const, text: `You said: ${prompt}` }];
    const turns = splitTurns(directives);
    const turn = turns[turnIndex];
    // Past the last scripted turn the model only closes the conversation.
    if (!turn) {
      yield* this.#stream('text', 'Done.', signal);
      yield { type: 'stop', stopReason: 'end_turn' };
      return;
    }
    for (const directive of turn.directives) {
      checkAborted(signal);
      switch (directive.kind) {
        case 'think':
          yield* this.#stream('thinking', directive.text, signal);
          break;
        case 'say':
          yield* this.#stream('text', `${directive.text}\n`, signal);
          break;
        case 'result':
          yield* this.#stream('text', `${lastToolResult}\n`, signal);
          break;
        case 'system':
          // Shows what agentd sent as the system prompt, so tests can check it reaches the model.
          yield* this.#stream('text', `${request.system ?? ''}\n`, signal);
          break;
        case 'sleep':
          yield directive.ms;
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
    checkAborted(signal);
    yield { type: 'stop', stopReason: turn.toolCalls.length > 0 ? 'tool_use' : 'end_turn' };
  }

  *#stream(kind: 'text' | 'thinking', text: string, signal: AbortSignal): Generator<ModelEvent | number> {
    const pause = this.options.deltaDelayMs;
    for (const delta of chunk(text)) {
      checkAborted(signal);
      if (pause > 0) yield pause;
      yield { type: kind, delta };
    }
  }
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new AgentdError('RUN_CANCELLED', 'model call aborted');
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

/**
 * Splits text into word-sized deltas (a word and the spaces after it: `/\S+\s*|\s+/g`) so clients see it
 * stream, one at a time and without a match object each: `@repeat 10000` split up front was 10,000 strings
 * per stream allocated at once, and 50 streams starting together spent their first tens of ms, and a long
 * garbage collection, on that.
 */
function* chunk(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = start;
    while (end < text.length && !isSpace(text.charCodeAt(end))) end += 1;
    while (end < text.length && isSpace(text.charCodeAt(end))) end += 1;
    yield text.slice(start, end);
    start = end;
  }
}

/** What `\s` matches, by UTF-16 code unit. */
function isSpace(code: number): boolean {
  return (
    code === 0x20 ||
    (code >= 0x09 && code <= 0x0d) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}
