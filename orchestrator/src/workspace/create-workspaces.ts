import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { Logger } from '../common/logger.js';
import type { WorkspaceConfig } from '../config/workspace-config.js';
import type { LockService } from '../common/lock-service.js';
import type { SandboxRegistry } from '../sandbox/sandbox-registry.js';
import type { DependencyCheck } from '../health/health-service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import type { SandboxRemover } from '../sandbox/sandbox-remover.js';
import { createWorkspaceStore } from '../storage/create-workspace-store.js';
import type { WorkspaceStore } from '../storage/workspace-store.js';
import type { Conversation, Tenant } from '../store/entities.js';
import type { Store } from '../store/repositories.js';
import { StoreWorkspaceSync } from './store-workspace-sync.js';
import { SyncSessions } from './sync-sessions.js';
import { WorkspaceFiles } from './workspace-files.js';
import { WorkspaceService } from './workspace-service.js';

export interface WorkspacesDependencies {
  config: WorkspaceConfig;
  store: Store;
  registry: SandboxRegistry;
  callHome: CallHomeServer;
  locks: LockService;
  sandboxes: SandboxManager;
  remover: SandboxRemover;
  logger: Logger;
  metrics: Metrics;
}

export interface Workspaces {
  /** For RunService: sync-in before a run, sync-out after it. */
  sync: StoreWorkspaceSync;
  /** For the workspace API routes and conversation deletion. */
  files: WorkspaceFiles;
  /** The store in /health. */
  check: DependencyCheck;
  /** The object store itself (skill archives live in it too, under their own prefix). */
  objects: WorkspaceStore;
}

/**
 * Builds the workspace feature for the composition root: the store (S3 or local), versions, the call-home
 * sync routes, the API service, the reaper hook that saves a sandbox's files before it goes, and the health
 * check.
 */
export function createWorkspaces(deps: WorkspacesDependencies): Workspaces {
  const { config, store, logger, metrics } = deps;
  const objects = createWorkspaceStore(config.store, logger);
  const workspaces = new WorkspaceService(objects, store.conversations, logger);
  const sessions = new SyncSessions(deps.callHome, workspaces, objects);
  // One size limit: the store's quota for a conversation is its sandbox's /workspace size.
  const workspaceBytes = (tenant: Tenant, conversation: Conversation): number =>
    deps.sandboxes.resolve(conversation.profile ?? tenant.policy.profile, tenant.policy.limits).limits
      .workspaceBytes;
  const sync = new StoreWorkspaceSync({
    workspaces,
    sessions,
    store,
    registry: deps.registry,
    callHome: deps.callHome,
    workspaceBytes,
    settings: config,
    logger,
    metrics,
  });
  deps.remover.addPreRemoveHook((record, reason) => sync.beforeRemove(record, reason));
  const files = new WorkspaceFiles({
    workspaces,
    store,
    locks: deps.locks,
    workspaceBytes,
    maxFiles: config.maxFiles,
    maxFileBytes: config.maxFileBytes,
    logger,
  });
  const check: DependencyCheck = {
    name: objects.kind === 's3' ? 's3' : 'workspace-store',
    mode: objects.kind === 's3' ? 'service' : 'embedded',
    critical: true,
    check: () => objects.ping(),
  };
  return { sync, files, check, objects };
}
