import type { RunnerEvent, Severity } from '@agentd/sandbox-runner/protocol';
import type { ErrorCode } from '../common/errors.js';

/** Events agentd itself emits around the runner's (docs/architecture.md: events). */
export type AgentdOwnEvent =
  | { type: 'run_start'; conversationId: string; modelId: string }
  | { type: 'final'; content: string }
  | {
      type: 'usage';
      inputTokens: number;
      outputTokens: number;
      cacheReadTokens: number;
      cacheWriteTokens: number;
      /** USD as a JSON number, for display; `costUsdExact` is the exact decimal string. */
      costUsd: number;
      costUsdExact: string;
      steps: number;
    }
  | { type: 'error'; code: ErrorCode; message: string; severity: Severity; recoverable: boolean }
  | { type: 'server_shutdown'; message: string };

/** What is relayed from the runner: everything but its terminal events, which agentd replaces with its own. */
export type RelayedRunnerEvent = Exclude<RunnerEvent, { type: 'final' } | { type: 'error' }>;

export type RunEventBody = AgentdOwnEvent | RelayedRunnerEvent;

/** A numbered event of one run, as clients receive it in `data:` (its `seq` is also the SSE `id:`). */
export type RunEvent = RunEventBody & { runId: string; seq: number; timestamp: string };
