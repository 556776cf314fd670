import type { ActiveRun } from './active-run.js';

/**
 * Moves a conversation's workspace between the store and the run's sandbox: in before the runner starts,
 * out after it finished (before `final`). Failures reject; the run then ends with WORKSPACE_SYNC_FAILED.
 */
export interface WorkspaceSync {
  syncIn(run: ActiveRun): Promise<void>;
  syncOut(run: ActiveRun): Promise<void>;
  /** Waits for bookkeeping a sync-out left running; the finisher calls it before the run's `: done`. */
  settle(run: ActiveRun): Promise<void>;
}
