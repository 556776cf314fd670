import type { ConversationMessage } from '@agentd/sandbox-runner/protocol';
import { AgentdError } from '../common/errors.js';
import type { RunTranscript } from './run-transcript.js';

/**
 * The runner's messages for a model call must be agentd's copy, plus at most one user message of tool results
 * answering the previous assistant turn's tool uses, in order. Records and returns that message, if any.
 */
export function acceptRunnerMessages(
  transcript: RunTranscript,
  messages: readonly ConversationMessage[],
): ConversationMessage | undefined {
  const known = transcript.messages.length;
  if (messages.length === known) {
    if (pendingToolUseIds(transcript.messages).length > 0) {
      throw new AgentdError(
        'RUNNER_PROTOCOL_ERROR',
        'the previous turn asked for tool results and none were sent',
      );
    }
    return undefined;
  }
  if (messages.length !== known + 1) {
    throw new AgentdError(
      'RUNNER_PROTOCOL_ERROR',
      `expected ${known} or ${known + 1} messages, got ${messages.length}`,
    );
  }
  const appended = messages[known];
  const expected = pendingToolUseIds(transcript.messages);
  if (!appended || appended.role !== 'user' || expected.length === 0) {
    throw new AgentdError('RUNNER_PROTOCOL_ERROR', 'only a user message of tool results may be appended');
  }
  const ids = appended.content.map((b) => ('toolResult' in b ? b.toolResult.toolUseId : null));
  if (ids.length !== expected.length || ids.some((id, i) => id !== expected[i])) {
    throw new AgentdError(
      'RUNNER_PROTOCOL_ERROR',
      'tool results must answer the last turn’s tool uses, in order',
    );
  }
  transcript.recordToolResults(appended);
  return appended;
}

/** Tool use ids of the last assistant message, when it is the last message (its results are due). */
function pendingToolUseIds(messages: readonly ConversationMessage[]): string[] {
  const last = messages.at(-1);
  if (last?.role !== 'assistant') return [];
  return last.content.flatMap((b) => ('toolUse' in b ? [b.toolUse.toolUseId] : []));
}
