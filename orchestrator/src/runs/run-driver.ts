import type { RunSpec } from '@agentd/sandbox-runner/protocol';
import type { Logger } from '../common/logger.js';
import type { RunSettings } from '../config/run-settings.js';
import type { Store } from '../store/repositories.js';
import type { ActiveRun, RunOutcome } from './active-run.js';
import { beginTurn, SUPERSEDED } from './begin-turn.js';
import type { SkillSync } from './skill-sync.js';
import type { WorkspaceSync } from './workspace-sync.js';

export interface RunDriverDeps {
  store: Store;
  workspace: WorkspaceSync;
  /** Absent: no skills are delivered (nor listed). */
  skills?: SkillSync | undefined;
  settings: RunSettings;
  /** Readies the sandbox's egress for a run (its CA bundle); returns the bundle's file name in /run/agentd. */
  prepareEgress?: (run: ActiveRun) => Promise<string | undefined>;
}

/**
 * Takes a run from its lock to the runner's last event: the conversation so far, the user's message stored
 * (fenced), the workspace synced in, the job handed to the runner; then decides the outcome from what the
 * runner's event stream ended with and from any stop decided meanwhile.
 */
export async function driveRun(
  run: ActiveRun,
  message: string,
  deps: RunDriverDeps,
  log: Logger,
): Promise<RunOutcome> {
  const { store } = deps;
  const history = await beginTurn(run, message, store);
  if (!history) return SUPERSEDED;
  // The sandbox started meanwhile (a new container boots while the history loads and the message is stored).
  const lease = await run.sandboxReady();
  if (lease.record.id !== run.sandbox?.record.id) await store.runs.setSandbox(run.id, lease.record.id);
  if (!run.stopOutcome()) await deps.workspace.syncIn(run);
  if (!run.stopOutcome() && deps.skills) await deps.skills.deliver(run);
  const stoppedEarly = run.stopOutcome();
  if (stoppedEarly) return stoppedEarly;
  const caBundle = run.egress.enabled ? await deps.prepareEgress?.(run) : undefined;
  const spec: RunSpec = {
    runId: run.id,
    history,
    message,
    limits: run.limits,
    ...(run.egress.enabled
      ? { egress: { enabled: true, ...(caBundle === undefined ? {} : { caBundle }) } }
      : {}),
  };
  const { runTimeoutMs, cancelGraceMs } = deps.settings;
  run.handToRunner(run.lease.channel.send({ kind: 'run', spec }, runTimeoutMs + cancelGraceMs + 60_000));
  const ending = await run.runnerEnded;
  const stopped = run.stopOutcome();
  if (stopped) return stopped;
  if (ending.kind === 'error') return { kind: 'failed', code: ending.code, message: ending.message };
  if (run.transcript.finalText === null) {
    run.markSandboxForDiscard();
    return {
      kind: 'failed',
      code: 'RUNNER_PROTOCOL_ERROR',
      message: 'the runner reported a final answer the model never gave',
    };
  }
  log.debug({ steps: run.steps }, 'Runner finished');
  return { kind: 'succeeded' };
}
