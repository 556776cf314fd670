import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { RunSettings } from '../config/run-settings.js';
import type { SandboxRecord } from '../sandbox/sandbox-record.js';
import type { SandboxUsageReader } from '../sandbox/sandbox-usage.js';
import type { ActiveRun, RunOutcome } from './active-run.js';
import type { RunEventBody } from './run-events.js';
import { RunResourceWatch, type LimitReached } from './run-resource-watch.js';

export interface WatchRunSandboxDeps {
  reader: SandboxUsageReader;
  settings: Pick<RunSettings, 'usageIntervalMs' | 'pidsSaturationMs'>;
  clock: Clock;
  log: Logger;
  /** Appends an event to the run's log. */
  emit: (body: RunEventBody) => Promise<void>;
  /** Stops the run (a sandbox that holds its pids limit). */
  stop: (outcome: RunOutcome) => void;
}

/** Watches the run's sandbox once it is ready: limits become `warning` events, usage is tracked. */
export function watchRunSandbox(run: ActiveRun, deps: WatchRunSandboxDeps): RunResourceWatch {
  const { reader, log, clock } = deps;
  let record: SandboxRecord | undefined;
  const watch = new RunResourceWatch({
    read: async () => (record ? reader.read(record) : undefined),
    onLimit: async (reached: LimitReached) => {
      log.warn({ limit: reached.limit, current: reached.current, max: reached.max }, reached.message);
      if (record)
        reader.recordLimit(record.id, {
          limit: reached.limit,
          message: reached.message,
          runId: run.id,
          at: new Date(clock.now()).toISOString(),
        });
      await deps.emit({ type: 'warning', code: 'SANDBOX_LIMIT', ...reached });
    },
    onPidsSaturated: (message) => {
      // A fork bomb holding the limit: the sandbox is recycled (its removal syncs the workspace out first).
      run.markSandboxForDiscard();
      deps.stop({ kind: 'failed', code: 'SANDBOX_LIMIT', message });
    },
    intervalMs: deps.settings.usageIntervalMs,
    pidsSaturationMs: deps.settings.pidsSaturationMs,
    clock,
    logger: log,
  });
  void run.sandbox?.ready.then(
    async (lease) => {
      record = lease.record;
      await watch.start();
    },
    () => undefined,
  );
  return watch;
}
