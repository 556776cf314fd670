import type { ErrorCode } from '../common/errors.js';
import { errorMessage, isAgentdError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { retry, RIDE_OUT_OUTAGE } from '../common/retry.js';
import { sleep } from '../common/timers.js';
import type { Metrics } from '../metrics/metrics.js';
import { formatUsd, usdNumber } from '../model/pricing.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import type { Store } from '../store/repositories.js';
import type { ActiveRun, RunOutcome } from './active-run.js';
import type { RunEventLog } from './run-event-log.js';
import type { RunEventBody } from './run-events.js';
import type { WorkspaceSync } from './workspace-sync.js';

/** What a finished run reports to `/query` callers. */
export interface RunResult {
  runId: string;
  outcome: RunOutcome;
  /** The turn's answer (null unless it succeeded), cut at the configured cap. */
  final: string | null;
  truncated: boolean;
  usage: Extract<RunEventBody, { type: 'usage' }>;
  /** The `error` event the run ended with, unless it succeeded. */
  error: RunErrorEvent | undefined;
}

export type RunErrorEvent = Extract<RunEventBody, { type: 'error' }>;

export interface RunFinisherOptions {
  store: Store;
  sandboxes: SandboxManager;
  eventLog: RunEventLog;
  workspace: WorkspaceSync;
  metrics: Metrics;
  /** The `final` event carries at most this many characters (the stored messages keep everything). */
  finalMaxChars: number;
  emit: (run: ActiveRun, body: RunEventBody) => Promise<void>;
  /** Called once the run's end is recorded, before its sandbox and lock are given back. */
  deactivate: (run: ActiveRun) => void;
}

/**
 * Ends a run in the documented order (docs/architecture.md: events): sync-out, then `egress` (when the run had
 * egress), then `final` (or `error`),
 * then `usage`, then `: done`; then gives back the sandbox and the lock, whatever failed before.
 */
export class RunFinisher {
  constructor(private readonly options: RunFinisherOptions) {}

  async finish(run: ActiveRun, decided: RunOutcome, log: Logger): Promise<RunResult> {
    const { store, sandboxes, emit } = this.options;
    run.finish();
    // Every step below runs whatever the one before did: a run always gives back its sandbox and its lock.
    const attempt = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
      try {
        await fn();
        return true;
      } catch (err) {
        log.error({ err }, `Could not ${what}`);
        return false;
      }
    };
    // After sync-out, before `final` (or `error`): what the run's egress connections did.
    let egressReported = false;
    const emitEgress = async (): Promise<void> => {
      if (egressReported || !run.egress.enabled) return;
      egressReported = true;
      await attempt('emit the egress summary', () => emit(run, { type: 'egress', ...run.egress.summary() }));
    };
    let outcome = decided;
    let final: string | null = null;
    let truncated = false;
    if (outcome.kind === 'succeeded') {
      try {
        await this.#saveWorkspace(run);
      } catch (err) {
        outcome = {
          kind: 'failed',
          code:
            isAgentdError(err) && err.code === 'WORKSPACE_LIMIT'
              ? 'WORKSPACE_LIMIT'
              : 'WORKSPACE_SYNC_FAILED',
          message: `the workspace could not be saved: ${errorMessage(err)}`,
        };
      }
      if (outcome.kind === 'succeeded') {
        await emitEgress();
        const answer = cutAnswer(run.transcript.answerText, this.options.finalMaxChars);
        final = answer.content;
        truncated = answer.truncated;
        await attempt('emit the final event', () =>
          emit(run, { type: 'final', content: answer.content, ...(truncated ? { truncated } : {}) }),
        );
      }
    } else if (
      (outcome.kind === 'cancelled' || outcome.kind === 'interrupted') &&
      run.runnerEnding &&
      !run.sandboxDiscarded
    ) {
      // The runner stopped cleanly: keep what the agent wrote so far (the run still ends as cancelled).
      await attempt('save the workspace of a stopped run', () => this.#saveWorkspace(run));
    }
    const ended = outcome;
    const error = ended.kind === 'succeeded' ? undefined : errorEvent(ended);
    if (error) {
      await emitEgress();
      await attempt('emit the error event', () => emit(run, error));
    }
    const usage: RunResult['usage'] = {
      type: 'usage',
      ...run.usage,
      costUsd: usdNumber(run.costPico),
      costUsdExact: formatUsd(run.costPico),
      steps: run.steps,
    };
    await attempt('emit usage', () => emit(run, usage));
    // The database says the run ended before the log does, so a client that saw `: done` finds the run
    // finished. A crash before the database write is repaired by recovery, which trusts the log (a `final`
    // there means the client was told the run succeeded); one between the two writes, by the resume route.
    // A busy or briefly unreachable database is ridden out: a row left `running` waits for crash recovery.
    await attempt('record the run’s end', () =>
      retry(
        () =>
          store.runs.finish(run.id, run.fencingToken, {
            status: runStatus(ended),
            errorCode:
              ended.kind === 'succeeded' ? null : ended.kind === 'interrupted' ? 'RUN_CANCELLED' : ended.code,
            errorMessage: ended.kind === 'succeeded' ? null : ended.message,
            usage: { steps: run.steps, ...run.usage, costUsd: formatUsd(run.costPico) },
            resources: run.resources ? { ...run.resources, bytesSynced: run.syncedBytes } : null,
          }),
        RIDE_OUT_OUTAGE,
      ),
    );
    // The sync-out's roll-forward ran while `final`, `usage` and the run's end were written; a client that saw
    // `: done` finds the store settled (and may send the next message at once).
    await attempt('finish the workspace commit', () => this.options.workspace.settle(run));
    await attempt('complete the event log', () => this.options.eventLog.complete(run.id));
    this.options.deactivate(run);
    // A sandbox that was killed, died or misbehaved goes; otherwise its runner is idle again and it is reused.
    // One still starting is waited for (it is given back like any other); one that never started is gone.
    const lease = await run.settledLease();
    if (lease && run.sandboxDiscarded) {
      await attempt('remove the sandbox', async () => {
        // It may be gone already (killed and removed to stop the run, or died).
        if (await sandboxes.get(lease.record.id)) await sandboxes.remove(lease.record.id, 'run_aborted');
      });
    } else if (lease) {
      await attempt('release the sandbox', () => sandboxes.release(lease));
    }
    await attempt('release the lock', () => run.lock.release());
    run.end();
    this.options.metrics.runsFinished.inc({ status: outcome.kind });
    if (ended.kind !== 'succeeded')
      this.options.metrics.errors.inc({
        code: ended.kind === 'interrupted' ? 'RUN_CANCELLED' : ended.code,
        source: 'run',
      });
    this.options.metrics.modelCostUsd.inc({ model: run.model.id }, usdNumber(run.costPico));
    log.info({ outcome: outcome.kind, steps: run.steps, costUsd: formatUsd(run.costPico) }, 'Run ended');
    return { runId: run.id, outcome, final, truncated, usage, error };
  }

  /**
   * The runner reports its run job done right after its event stream ends; until then it refuses other jobs,
   * so the workspace sync waits for it (briefly: a runner that never reports is not waited on for long).
   */
  async #saveWorkspace(run: ActiveRun): Promise<void> {
    if (!run.sandbox) return;
    await Promise.race([run.jobSettled, sleep(JOB_SETTLE_MS)]);
    await this.options.workspace.syncOut(run);
  }
}

const JOB_SETTLE_MS = 10_000;

/** The answer cut at `max` UTF-16 units without splitting a surrogate pair. */
export function cutAnswer(text: string, max: number): { content: string; truncated: boolean } {
  if (text.length <= max) return { content: text, truncated: false };
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return { content: text.slice(0, end), truncated: true };
}

function runStatus(outcome: RunOutcome): 'succeeded' | 'failed' | 'cancelled' | 'interrupted' {
  if (outcome.kind === 'cancelled') return outcome.code === 'RUN_TIMEOUT' ? 'failed' : 'cancelled';
  return outcome.kind;
}

const RECOVERABLE: readonly ErrorCode[] = [
  'RUN_TIMEOUT',
  'SANDBOX_LOST',
  'SANDBOX_START_FAILED',
  'MODEL_ERROR',
  'WORKSPACE_SYNC_FAILED',
  'CONVERSATION_BUSY',
];

function errorEvent(outcome: Exclude<RunOutcome, { kind: 'succeeded' }>): RunErrorEvent {
  const code: ErrorCode = outcome.kind === 'interrupted' ? 'RUN_CANCELLED' : outcome.code;
  return {
    type: 'error',
    code,
    message: outcome.message,
    severity: 'error',
    recoverable: RECOVERABLE.includes(code),
  };
}
