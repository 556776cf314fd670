import type { ConversationMessage } from '@agentd/sandbox-runner/protocol';
import type { ModelUsage } from '../model/model-provider.js';

/** What one model call reported, for its `step_complete` event. */
export interface ModelCallSummary {
  usage: ModelUsage | undefined;
  stopReason: string;
}

/**
 * The gateway's authoritative copy of a run's conversation: stored history, the new user message, then every
 * model turn and tool result since. The runner's copy is checked against it, never trusted.
 */
export class RunTranscript {
  #messages: ConversationMessage[] = [];
  readonly #stepTexts: string[] = [];
  #finalText: string | null = null;
  #lastCall: ModelCallSummary | undefined;

  get messages(): readonly ConversationMessage[] {
    return this.#messages;
  }

  /** Text of the model's last turn when it ended without tool use (null until the model ends its turn). */
  get finalText(): string | null {
    return this.#finalText;
  }

  /** The turn's whole answer: every step's text, in order (a tool-using turn keeps its preface). */
  get answerText(): string {
    // Steps read as paragraphs: one blank line between them, whether or not a step ended its last line.
    return this.#stepTexts.reduce(
      (all, text) => (all === '' ? text : `${all}${all.endsWith('\n') ? '\n' : '\n\n'}${text}`),
      '',
    );
  }

  /** What the last model call reported. */
  get lastCall(): ModelCallSummary | undefined {
    return this.#lastCall;
  }

  start(messages: readonly ConversationMessage[]): void {
    this.#messages = [...messages];
  }

  /** Appends the model's turn; a turn that asks for no tools (stop reason other than `tool_use`) ends it. */
  recordTurn(assistant: ConversationMessage, call: ModelCallSummary): void {
    this.#messages.push(assistant);
    this.#lastCall = call;
    const text = assistant.content.flatMap((b) => ('text' in b ? [b.text] : [])).join('');
    if (text !== '') this.#stepTexts.push(text);
    if (call.stopReason !== 'tool_use') this.#finalText = text;
  }

  /** Appends the runner's tool results (already validated against the last turn's tool uses). */
  recordToolResults(message: ConversationMessage): void {
    this.#messages.push(message);
  }

  /** The name of a tool the model asked for in this run, by its toolUse id. */
  toolName(toolUseId: string): string | undefined {
    for (let i = this.#messages.length - 1; i >= 0; i -= 1) {
      for (const block of this.#messages[i]?.content ?? []) {
        if ('toolUse' in block && block.toolUse.toolUseId === toolUseId) return block.toolUse.name;
      }
    }
    return undefined;
  }
}
