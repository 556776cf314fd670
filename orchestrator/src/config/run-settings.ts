/** How runs are bounded on this node (RUN_TIMEOUT, MAX_STEPS …; a tenant's policy may tighten some). */
export interface RunSettings {
  runTimeoutMs: number;
  maxSteps: number;
  toolTimeoutMs: number;
  maxToolTimeoutMs: number;
  toolOutputBytes: number;
  /** After a cancel signal, how long the runner gets to stop before agentd kills the sandbox. */
  cancelGraceMs: number;
  /** After the last client disconnects, how long the run goes on waiting for a resume (0 = cancel at once). */
  disconnectGraceMs: number;
  maxMessageChars: number;
  /** The `final` event and a query's answer carry at most this many characters of the turn's text. */
  finalMaxChars: number;
  /** How often a run's sandbox is read for limits and usage. */
  usageIntervalMs: number;
  /** A run whose sandbox stays at its pids limit this long ends with SANDBOX_LIMIT. */
  pidsSaturationMs: number;
}
