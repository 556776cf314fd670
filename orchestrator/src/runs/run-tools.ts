import type { ToolSpec } from '../model/model-provider.js';
import type { ActiveRun } from './active-run.js';

export interface RecordedToolUse {
  toolUseId: string;
  name: string;
  input: unknown;
}

/** Tools beyond the runner's built-ins (a tenant's MCP servers) that the gateway offers a run. */
export interface RunTools {
  /** The run's extra tools for its next model call; a server that fails is left out, never fails the run. */
  specsFor(run: ActiveRun): Promise<ToolSpec[]>;
  /** Whether `name` is one of the run's extra tools (as `specsFor` last offered them). */
  knows(run: ActiveRun, name: string): boolean;
  /** A model call begins: tool uses of earlier turns can no longer be executed. */
  beginTurn(run: ActiveRun): void;
  /** The model asked for this tool use in the current turn (agentd executes only what is recorded here). */
  recordToolUse(run: ActiveRun, use: RecordedToolUse): void;
}
