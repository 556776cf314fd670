import type { Logger } from '../common/logger.js';
import type { Store } from '../store/repositories.js';
import type { ActiveRun, RunOutcome } from './active-run.js';
import { beginTurn, SUPERSEDED } from './begin-turn.js';
import { enrichRunnerEvent } from './enrich-runner-event.js';
import type { ModelGateway } from './model-gateway.js';
import type { RunEventBody } from './run-events.js';

export interface ChatDriverDeps {
  store: Store;
  gateway: Pick<ModelGateway, 'converseDirect'>;
  /** Appends one of agentd's events to the run's event log. */
  emit: (run: ActiveRun, body: RunEventBody) => Promise<void>;
}

/**
 * Takes a chat's turn from its lock to the model's answer with no sandbox, runner or tools: agentd calls the
 * model gateway itself (which emits the model's events and stores its turn) and reports the step's end, as a
 * runner would. Everything around it (lock, events, finishing, cancel) is a sandboxed run's.
 */
export async function driveChat(
  run: ActiveRun,
  message: string,
  deps: ChatDriverDeps,
  log: Logger,
): Promise<RunOutcome> {
  if (!(await beginTurn(run, message, deps.store))) return SUPERSEDED;
  const stoppedEarly = run.stopOutcome();
  if (stoppedEarly) return stoppedEarly;
  run.runWithoutRunner();
  const started = performance.now();
  const ending = await deps.gateway.converseDirect(run);
  const stopped = run.stopOutcome();
  if (stopped) return stopped;
  if (ending.kind === 'error') return { kind: 'failed', code: ending.code, message: ending.message };
  const durationMs = Math.round(performance.now() - started);
  await deps.emit(run, enrichRunnerEvent(run, { type: 'step_complete', step: run.steps, durationMs }));
  log.debug({ steps: run.steps, stopReason: ending.stopReason }, 'Chat turn finished');
  return { kind: 'succeeded' };
}
