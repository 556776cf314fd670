import type { ConversationMessage, StopReason } from '@agentd/sandbox-runner/protocol';

/** A tool the model may call: name, description and JSON Schema of its input (Converse `toolSpec`). */
export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface ModelRequest {
  /** Provider-specific model id (for Bedrock, e.g. `anthropic.claude-3-5-sonnet-20240620-v1:0`). */
  modelId: string;
  system: string | null;
  messages: ConversationMessage[];
  tools: ToolSpec[];
  maxOutputTokens: number;
  signal: AbortSignal;
}

/** Token counts as the provider reported them (never as the runner claims). */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/**
 * What a provider streams back, in order. Tool uses arrive whole (the provider assembles their JSON input);
 * `usage` comes once, after `stop`, when the provider reports it.
 */
export type ModelEvent =
  | { type: 'text'; delta: string }
  | { type: 'thinking'; delta: string; signature?: string }
  | { type: 'tool_use'; toolUseId: string; name: string; input: unknown }
  | { type: 'stop'; stopReason: StopReason }
  | { type: 'usage'; usage: ModelUsage };

/**
 * A model backend. Failures (throttling, validation, a stream error mid-way) reject the iteration with an
 * AgentdError of code MODEL_ERROR (or CONTEXT_EXHAUSTED when the input is too long for the model).
 */
export interface ModelProvider {
  readonly name: string;
  converseStream(request: ModelRequest): AsyncIterable<ModelEvent>;
}
