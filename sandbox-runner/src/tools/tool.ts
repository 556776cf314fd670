import type { ProcessGroups } from './process-groups.js';

export interface ToolContext {
  workspaceRoot: string;
  env: Record<string, string>;
  /** Aborted on timeout (reason: ToolTimeoutError) or when the run is cancelled. */
  signal: AbortSignal;
  /** What the tool may keep in memory of its output; the tool runner cuts the final text to the limit. */
  maxOutputBytes: number;
  processGroups: ProcessGroups;
}

export interface ToolOutcome {
  output: string;
  isError: boolean;
  /** The tool already dropped output beyond `maxOutputBytes`. */
  truncated?: boolean;
  /** A last line that must survive truncation (bash's exit status). */
  trailer?: string;
}

/** An expected tool failure: its message is the tool result the model sees. */
export class ToolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = this.constructor.name;
  }
}

/** The abort reason of a tool call that ran out of time. */
export class ToolTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = this.constructor.name;
  }
}
