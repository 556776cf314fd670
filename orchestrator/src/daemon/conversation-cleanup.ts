import type { Logger } from '../common/logger.js';
import type { ConversationCleanup } from '../controlplane/tenant-service.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import type { SandboxRegistry } from '../sandbox/sandbox-registry.js';
import type { WorkspaceFiles } from '../workspace/workspace-files.js';

/**
 * A deleted conversation loses its workspace objects (in the background) and its sandbox: removed here when
 * this node owns it, else marked so that its own node's reaper removes it on the next tick.
 */
export function conversationCleanup(deps: {
  nodeId: string;
  files: WorkspaceFiles;
  registry: SandboxRegistry;
  sandboxes: SandboxManager;
  logger: Logger;
}): ConversationCleanup {
  return {
    conversationDeleted: async (tenantId, conversationId) => {
      deps.files.deleteInBackground(tenantId, conversationId);
      const record = await deps.registry.findByConversation(tenantId, conversationId);
      if (!record) return;
      if (record.nodeId !== deps.nodeId) {
        await deps.registry.update(record.id, { conversationDeleted: true });
        return;
      }
      await deps.sandboxes.remove(record.id, 'conversation_deleted').catch((err: unknown) => {
        deps.logger.warn(
          { err, sandboxId: record.id },
          'Could not remove the sandbox of a deleted conversation',
        );
      });
    },
  };
}
