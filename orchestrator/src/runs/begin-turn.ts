import type { ConversationMessage } from '@agentd/sandbox-runner/protocol';
import type { Store } from '../store/repositories.js';
import type { ActiveRun, RunOutcome } from './active-run.js';

/** The outcome of a run whose conversation a newer run took over (its writes are fenced off). */
export const SUPERSEDED: RunOutcome = {
  kind: 'failed',
  code: 'CONVERSATION_BUSY',
  message: 'a newer run took over this conversation',
};

/**
 * Starts a turn: the conversation so far from the database, then the user's message stored (fenced).
 * Returns the history before the message, or undefined when a newer run took over the conversation.
 */
export async function beginTurn(
  run: ActiveRun,
  message: string,
  store: Store,
): Promise<ConversationMessage[] | undefined> {
  const history: ConversationMessage[] = (await store.messages.history(run.conversation.id)).map((m) => ({
    role: m.role,
    content: m.content,
  }));
  const user: ConversationMessage = { role: 'user', content: [{ text: message }] };
  run.begin([...history, user]);
  const stored = await store.runs.appendMessages(run.id, run.fencingToken, [
    { role: 'user', content: user.content },
  ]);
  return stored ? history : undefined;
}
