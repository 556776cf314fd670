/**
 * Signals about runs between nodes: cancel requests for a run another node executes, and which nodes stream
 * a run to clients (a run whose client reconnected to another node must not be cancelled as abandoned).
 */
export interface RunSignals {
  /** Called with a runId when any node asks for a cancel. */
  onCancel(handler: (runId: string) => void): Promise<void>;
  requestCancel(runId: string): Promise<void>;
  /** This node streams the run to a client until the returned function is called. */
  watch(runId: string): () => void;
  /** Whether a node other than this one streams the run to a client right now. */
  watchedElsewhere(runId: string): Promise<boolean>;
  /** Called with a sandbox id when any node asks for its forced removal (only its own node acts). */
  onRemoveSandbox(handler: (sandboxId: string) => void): Promise<void>;
  requestRemoveSandbox(sandboxId: string): Promise<void>;
  close(): Promise<void>;
}
