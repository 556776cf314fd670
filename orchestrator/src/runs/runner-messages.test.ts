import type { ConversationMessage } from '@agentd/sandbox-runner/protocol';
import { describe, expect, it } from 'vitest';
import { RunTranscript } from './run-transcript.js';
import { acceptRunnerMessages } from './runner-messages.js';

const user: ConversationMessage = { role: 'user', content: [{ text: 'hi' }] };
const asksTools: ConversationMessage = {
  role: 'assistant',
  content: [
    { toolUse: { toolUseId: 't1', name: 'bash', input: {} } },
    { toolUse: { toolUseId: 't2', name: 'bash', input: {} } },
  ],
};
const results = (...ids: string[]): ConversationMessage => ({
  role: 'user',
  content: ids.map((toolUseId) => ({
    toolResult: { toolUseId, content: [{ text: 'ok' }], status: 'success' },
  })),
});

function transcript(...messages: ConversationMessage[]): RunTranscript {
  const t = new RunTranscript();
  t.start(messages);
  return t;
}

describe('the runner’s messages for a model call', () => {
  it('takes agentd’s own copy, and the results of the last turn’s tool uses in order (recorded)', () => {
    expect(acceptRunnerMessages(transcript(user), [user])).toBeUndefined();
    const t = transcript(user, asksTools);
    expect(acceptRunnerMessages(t, [user, asksTools, results('t1', 't2')])).toEqual(results('t1', 't2'));
    expect(t.messages).toHaveLength(3);
  });

  it('refuses missing, extra, reordered or unasked-for results', () => {
    const refused = (t: RunTranscript, messages: ConversationMessage[]) =>
      expect(() => acceptRunnerMessages(t, messages)).toThrow(
        expect.objectContaining({ code: 'RUNNER_PROTOCOL_ERROR' }) as Error,
      );
    refused(transcript(user, asksTools), [user, asksTools]);
    refused(transcript(user, asksTools), [user, asksTools, results('t2', 't1')]);
    refused(transcript(user, asksTools), [user, asksTools, results('t1')]);
    refused(transcript(user), [user, results('t1')]);
    refused(transcript(user), [user, user, user]);
  });
});
