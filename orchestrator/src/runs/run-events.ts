import type { RunnerEvent, Severity } from '@agentd/sandbox-runner/protocol';
import type { ErrorCode } from '../common/errors.js';
import type { AllocationSource } from '../sandbox/sandbox-lease.js';
import type { SandboxLimitKind } from '../sandbox/sandbox-usage.js';

/** Token counts of one model call, as the provider reported them. */
export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** Events agentd itself emits around the runner's (docs/architecture.md: events). */
export type AgentdOwnEvent =
  | { type: 'run_start'; conversationId: string; modelId: string }
  /** The run holds its sandbox's slot; it comes from `source` and may still be starting. */
  | { type: 'allocating'; source: AllocationSource }
  /** The whole turn's text; `truncated` when it exceeded the configured cap (the messages keep it all). */
  | { type: 'final'; content: string; truncated?: boolean }
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
  /** Something the client should know while the run goes on (SANDBOX_LIMIT: which limit, how far). */
  | {
      type: 'warning';
      code: ErrorCode;
      message: string;
      limit?: SandboxLimitKind;
      current?: number;
      max?: number;
    }
  /** What the run's egress connections did (only when its sandbox had egress). */
  | { type: 'egress'; connections: number; denied: number; bytesIn: number; bytesOut: number }
  | { type: 'server_shutdown'; message: string };

/** What the runner reports as it goes (its terminal events are replaced by agentd's own). */
export type RunnerProgressEvent = Exclude<RunnerEvent, { type: 'final' } | { type: 'error' }>;

/**
 * Runner events as clients see them: agentd adds what it knows better than the runner (the tool a result
 * answers, a step's usage and stop reason from the gateway).
 */
export type RelayedRunnerEvent =
  | Exclude<RunnerProgressEvent, { type: 'tool_call' } | { type: 'tool_result' } | { type: 'step_complete' }>
  /** `toolUseId` repeats `id`: on WebSocket `id` is the message's own, so clients read `toolUseId`. */
  | (Extract<RunnerProgressEvent, { type: 'tool_call' }> & { toolUseId: string })
  | (Extract<RunnerProgressEvent, { type: 'tool_result' }> & { name: string; toolUseId: string })
  | (Extract<RunnerProgressEvent, { type: 'step_complete' }> & { usage?: StepUsage; stopReason?: string });

export type RunEventBody = AgentdOwnEvent | RelayedRunnerEvent;

/** A numbered event of one run, as clients receive it in `data:` (its `seq` is also the SSE `id:`). */
export type RunEvent = RunEventBody & { runId: string; seq: number; timestamp: string };
