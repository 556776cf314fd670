import type { WorkspaceSync } from './workspace-sync.js';

/** For conversations without a workspace store: files live and die with the sandbox. */
export class NoWorkspaceSync implements WorkspaceSync {
  syncIn(): Promise<void> {
    return Promise.resolve();
  }

  syncOut(): Promise<void> {
    return Promise.resolve();
  }
}
