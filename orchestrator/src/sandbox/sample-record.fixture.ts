import type { SandboxRecord } from './sandbox-record.js';

/** An idle sandbox of tenant t1 on node n1, for tests; `extra` sets whatever the test is about. */
export function sampleRecord(id: string, extra: Partial<SandboxRecord> = {}): SandboxRecord {
  const at = extra.lastUsedAt ?? 1_795_000_000_000;
  return {
    id,
    containerId: `c-${id}`,
    nodeId: 'n1',
    profile: 'standard',
    profileVersion: 1,
    limitsKey: 'k',
    state: 'idle',
    tenantId: 't1',
    conversationId: `conv-${id}`,
    createdAt: at,
    lastUsedAt: at,
    workspaceVersion: null,
    ...extra,
  };
}
