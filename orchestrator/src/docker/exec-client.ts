export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  user?: string;
  env?: string[];
  workingDir?: string;
  timeoutMs?: number;
  /** Bytes kept of each output stream; the rest is dropped. */
  maxOutputBytes?: number;
}

/** Commands run in a running container through the engine's exec API (probes and audits, never agent work). */
export interface ExecClient {
  /** Output is bounded; the user defaults to the sandbox user. */
  run(containerId: string, cmd: string[], options?: ExecOptions): Promise<ExecResult>;
}
