import type { ModelStream } from './model-client.js';
import type {
  ContentBlock,
  ConversationMessage,
  RunnerEvent,
  RunSpec,
  StopReason,
  ToolResultBlock,
  ToolUseBlock,
} from './protocol.js';
import { errorMessage, RunnerError } from './runner-error.js';
import type { ToolResult } from './tool-runner.js';

/** agentd's limits on an error event's fields. */
const MAX_CODE_LENGTH = 64;
const MAX_MESSAGE_LENGTH = 4096;

export interface AgentLoopDeps {
  model: ModelStream;
  tools: { run(name: string, input: unknown, signal: AbortSignal, toolUseId: string): Promise<ToolResult> };
  /** Sends one event to agentd; throws when the event stream is gone (the run cannot go on). */
  emit: (event: RunnerEvent) => Promise<void>;
  /** Aborted on cancel (reason: a RunnerError with code RUN_CANCELLED) or when agentd refuses the events. */
  signal: AbortSignal;
}

export interface AgentLoopOutcome {
  /** Model calls made. */
  steps: number;
  /** The code of the `error` event the run ended with, if it did not end with `final`. */
  errorCode?: string;
}

interface ModelTurn {
  text: string;
  thinking: string;
  toolUses: ToolUseBlock['toolUse'][];
  stopReason: StopReason;
}

/**
 * The agent loop of one run: call the model with the whole conversation, run the tools it
 * asks for, append their results, and go again until it ends its turn. Ends with exactly one `final` or
 * `error` event; only a failure to send events escapes as an exception.
 */
export async function runAgentLoop(spec: RunSpec, deps: AgentLoopDeps): Promise<AgentLoopOutcome> {
  const { emit, signal } = deps;
  const messages: ConversationMessage[] = [
    ...spec.history,
    { role: 'user', content: [{ text: spec.message }] },
  ];
  let steps = 0;
  try {
    for (;;) {
      if (steps >= spec.limits.maxSteps) {
        throw new RunnerError('STEP_LIMIT', `the run reached its limit of ${spec.limits.maxSteps} steps`);
      }
      steps += 1;
      const started = performance.now();
      const turn = await modelTurn(spec.runId, messages, deps);
      if (turn.stopReason !== 'tool_use' || turn.toolUses.length === 0) {
        await emit({ type: 'step_complete', step: steps, durationMs: elapsed(started) });
        await emit({ type: 'final', content: turn.text });
        return { steps };
      }
      messages.push(assistantMessage(turn));
      const results: ToolResultBlock[] = [];
      for (const use of turn.toolUses) {
        signal.throwIfAborted();
        const result = await deps.tools.run(use.name, use.input, signal, use.toolUseId);
        const { output, isError, truncated } = result;
        await emit({ type: 'tool_result', id: use.toolUseId, output, isError, truncated });
        results.push({
          toolResult: {
            toolUseId: use.toolUseId,
            content: result.content ?? [{ text: result.output }],
            status: result.isError ? 'error' : 'success',
          },
        });
      }
      signal.throwIfAborted();
      messages.push({ role: 'user', content: results });
      await emit({ type: 'step_complete', step: steps, durationMs: elapsed(started) });
    }
  } catch (err) {
    const failure = toRunnerError(err, signal);
    await emit({
      type: 'error',
      code: failure.code.slice(0, MAX_CODE_LENGTH),
      message: failure.message.slice(0, MAX_MESSAGE_LENGTH),
      severity: 'error',
      recoverable: false,
    });
    return { steps, errorCode: failure.code };
  }
}

/**
 * One model call: collects the turn. agentd emits the model's text, thinking and tool calls (and the step's
 * start) from its own gateway, so the runner sends only what it originates: tool results and step ends.
 */
async function modelTurn(
  runId: string,
  messages: ConversationMessage[],
  deps: AgentLoopDeps,
): Promise<ModelTurn> {
  const turn: ModelTurn = { text: '', thinking: '', toolUses: [], stopReason: 'end_turn' };
  let stopped = false;
  for await (const chunk of deps.model.converse({ runId, messages }, deps.signal)) {
    if (stopped) continue;
    switch (chunk.type) {
      case 'text':
        turn.text += chunk.delta;
        break;
      case 'thinking':
        turn.thinking += chunk.delta;
        break;
      case 'tool_use':
        turn.toolUses.push({ toolUseId: chunk.toolUseId, name: chunk.name, input: chunk.input });
        break;
      case 'stop':
        turn.stopReason = chunk.stopReason;
        stopped = true;
        break;
      case 'error':
        throw new RunnerError(chunk.code, chunk.message);
    }
  }
  deps.signal.throwIfAborted();
  if (!stopped) throw new RunnerError('RUNNER_PROTOCOL_ERROR', 'the model stream ended without a stop chunk');
  return turn;
}

function assistantMessage(turn: ModelTurn): ConversationMessage {
  const content: ContentBlock[] = [];
  if (turn.thinking !== '') content.push({ reasoningContent: { reasoningText: { text: turn.thinking } } });
  if (turn.text !== '') content.push({ text: turn.text });
  for (const toolUse of turn.toolUses) content.push({ toolUse });
  return { role: 'assistant', content };
}

function toRunnerError(err: unknown, signal: AbortSignal): RunnerError {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof RunnerError) return reason;
    return new RunnerError('RUN_CANCELLED', 'the run was cancelled');
  }
  if (err instanceof RunnerError) return err;
  return new RunnerError('INTERNAL_ERROR', `runner failure: ${errorMessage(err)}`);
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
