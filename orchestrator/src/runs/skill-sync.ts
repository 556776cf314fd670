import type { ActiveRun } from './active-run.js';

/** A skill as the model is told of it: where it lives, what it is for (progressive disclosure: not its body). */
export interface SkillListing {
  name: string;
  description: string;
}

/**
 * Brings a run's sandbox's /skills to the skills its conversation uses, before the runner starts, and tells the
 * run which they are (its system prompt lists them). Failures reject; the run then ends with
 * WORKSPACE_SYNC_FAILED.
 */
export interface SkillSync {
  deliver(run: ActiveRun): Promise<void>;
}
