import type { Logger } from '../common/logger.js';
import type { WorkspaceStoreConfig } from '../config/workspace-config.js';
import { LocalWorkspaceStore } from './local-workspace-store.js';
import { S3WorkspaceStore } from './s3-workspace-store.js';
import type { WorkspaceStore } from './workspace-store.js';

export function createWorkspaceStore(config: WorkspaceStoreConfig, logger: Logger): WorkspaceStore {
  if (config.kind === 'local') return new LocalWorkspaceStore(config.dir);
  return new S3WorkspaceStore({ ...config, logger });
}
