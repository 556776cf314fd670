/**
 * The call-home protocol between agentd (server, listening on the per-sandbox socket) and the runner
 * (client). This file is the only thing the orchestrator shares with the runner, and it shares types only:
 * paths are string literal types so both sides fail to compile when one changes.
 *
 * Everything the runner sends is untrusted: agentd validates it against its own schemas.
 */

export const PROTOCOL_VERSION = 1;
export type ProtocolVersion = typeof PROTOCOL_VERSION;

/** Where the runner finds agentd's socket inside the container (the read-only /run/agentd bind). */
export type SocketPathEnv = 'AGENTD_SOCKET';

// Paths the runner calls (HTTP/1.1 over the Unix socket).
/** Long-poll: 200 with a RunnerJob, or 204 when nothing arrived before the poll timeout. */
export type NextJobPath = '/v1/runner/next';
/** The outcome of a job (`/v1/jobs/{jobId}/result`), body: JobResult. */
export type JobResultPathPrefix = '/v1/jobs/';

/** Header the runner sets on every request. */
export type RunnerVersionHeader = 'x-agentd-runner';

export interface PingJob {
  kind: 'ping';
  jobId: string;
}

export interface ShutdownJob {
  kind: 'shutdown';
  jobId: string;
  reason: string;
}

export type RunnerJob = PingJob | ShutdownJob;
export type RunnerJobKind = RunnerJob['kind'];

export interface PongData {
  protocolVersion: ProtocolVersion;
  runnerVersion: string;
  pid: number;
  uptimeMs: number;
}

export interface JobFailure {
  code: string;
  message: string;
}

export type JobResult<T = unknown> =
  { jobId: string; ok: true; data: T } | { jobId: string; ok: false; error: JobFailure };
