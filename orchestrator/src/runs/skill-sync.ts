import type { ActiveRun } from './active-run.js';

/**
 * Brings a run's sandbox's /skills to the skills its conversation uses, before the runner starts, and tells the
 * run which they are (its system prompt lists them). Failures reject; the run then ends with
 * WORKSPACE_SYNC_FAILED.
 */
export interface SkillSync {
  deliver(run: ActiveRun): Promise<void>;
}
