import type { SandboxRecord } from '../sandbox/sandbox-record.js';

/** A sandbox as operators see it: short container id, ISO dates, age and idle time in seconds. */
export function sandboxView(record: SandboxRecord, now: number) {
  return {
    id: record.id,
    node: record.nodeId,
    state: record.state,
    /** An idle sandbox whose processes are paused through the cgroup freezer until its next run. */
    frozen: record.frozen === true,
    tenantId: record.tenantId,
    conversationId: record.conversationId,
    profile: record.profile,
    profileVersion: record.profileVersion,
    containerId: record.containerId.slice(0, 12),
    createdAt: new Date(record.createdAt).toISOString(),
    lastUsedAt: new Date(record.lastUsedAt).toISOString(),
    ageSeconds: Math.round((now - record.createdAt) / 1000),
    idleSeconds:
      record.state === 'idle' || record.state === 'warm' ? Math.round((now - record.lastUsedAt) / 1000) : 0,
    workspaceVersion: record.workspaceVersion,
  };
}

export type SandboxView = ReturnType<typeof sandboxView>;
