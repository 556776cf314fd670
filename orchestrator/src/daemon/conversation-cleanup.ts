import { isAgentdError, ValidationError } from '../common/errors.js';
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

/** Why a tenant policy's sandbox settings cannot be used (empty when they can), as request issues. */
export function tenantPolicyIssues(
  sandboxes: SandboxManager,
): (policy: { profile?: string; limits?: Record<string, number | undefined> }) => string[] {
  return (policy) => {
    try {
      sandboxes.resolve(policy.profile, policy.limits);
      return [];
    } catch (err) {
      if (err instanceof ValidationError)
        return err.issues.map((i) => `/limits${i.startsWith('/') ? i : `: ${i}`}`);
      if (isAgentdError(err) && err.code === 'NOT_FOUND')
        return [`/profile: no sandbox profile ${policy.profile ?? ''}`];
      throw err;
    }
  };
}
