export const REAP_REASONS = [
  'idle_ttl',
  'max_lifetime',
  'node_cap',
  'tenant_cap',
  'pool_surplus',
  'orphan',
  'lost',
  'unhealthy',
  'manual',
  'shutdown',
  'replaced',
  'conversation_deleted',
  'run_aborted',
  'stale',
  'idle_cpu',
] as const;

export type ReapReason = (typeof REAP_REASONS)[number];

/**
 * Reasons that skip the pre-remove hooks: the container is gone (lost), nobody knows it (orphan), or its
 * conversation has moved to a newer sandbox (stale) — saving its files would overwrite newer work.
 */
export const NO_HOOK_REASONS: ReadonlySet<ReapReason> = new Set(['lost', 'orphan', 'stale']);

/** Reasons that may wait: if the pre-remove hook (workspace sync-out) fails, the sandbox stays and is retried. */
export const DEFERRABLE_REASONS: ReadonlySet<ReapReason> = new Set([
  'idle_ttl',
  'max_lifetime',
  'pool_surplus',
  'replaced',
]);

export interface ReapRecord {
  sandboxId: string;
  containerId: string;
  reason: ReapReason;
  tenantId: string | null;
  conversationId: string | null;
  profile: string;
  at: string;
  ageMs: number;
  idleMs: number;
  /** Set when the pre-remove hook failed; `deferred` says whether the sandbox was kept for a retry. */
  hookError?: string;
  deferred: boolean;
  /** Whether the OOM killer struck in the container during its life (engine and cgroup); null when unknown. */
  oomKilled?: boolean | null;
  /** The engine's exit code of a container that had stopped (null while it ran or when unknown). */
  exitCode?: number | null;
}

/** Reasons that remove a sandbox whatever its state (a busy one's run then fails with SANDBOX_LOST). */
export const FORCED_REASONS: ReadonlySet<ReapReason> = new Set([
  'manual',
  'lost',
  'orphan',
  'shutdown',
  'unhealthy',
  'conversation_deleted',
  'run_aborted',
]);
