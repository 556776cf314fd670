import type { ReapReason } from './reap-reason.js';

/**
 * `starting`: container being created, not yet called home. `warm`: in the pool, unassigned. `idle`: assigned
 * to a conversation, no run. `busy`: a run holds it. `removing`: on its way out.
 */
export type SandboxState = 'starting' | 'warm' | 'idle' | 'busy' | 'removing';

export interface SandboxRecord {
  id: string;
  /** Empty while the container is being created. */
  containerId: string;
  nodeId: string;
  profile: string;
  profileVersion: number;
  limitsKey: string;
  state: SandboxState;
  tenantId: string | null;
  conversationId: string | null;
  createdAt: number;
  lastUsedAt: number;
  /** Workspace version the sandbox holds; null when it holds none yet. */
  workspaceVersion: number | null;
  /**
   * Set by the node that deleted the sandbox's conversation when another node owns the sandbox: the owner's
   * reaper removes it on its next tick, without saving its files.
   */
  conversationDeleted?: boolean;
  /**
   * Set, with the state `removing`, by another node that claimed this sandbox to stay within a fleet-wide cap
   * (the tenant cap): the owner removes it for this reason when told, or on its next reaper tick if the
   * message was lost. Cleared (null) if the removal is deferred.
   */
  removalReason?: ReapReason | null;
  /** Idle and paused (cgroup freezer): thaw before talking to its runner or reading its files. */
  frozen?: boolean;
}

export interface SandboxAssignment {
  tenantId: string;
  conversationId: string;
}

export function conversationKey(tenantId: string, conversationId: string): string {
  return `${tenantId}/${conversationId}`;
}
