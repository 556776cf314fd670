import type { SandboxRecord, SandboxState } from './sandbox-record.js';

export interface SandboxFilter {
  nodeId?: string;
  tenantId?: string;
}

/** Where agentd records which sandboxes exist, their state and assignment. Labels alone are not the truth. */
export interface SandboxRegistry {
  put(record: SandboxRecord): Promise<void>;
  get(id: string): Promise<SandboxRecord | undefined>;
  /** Applies `patch` and returns the new record, or undefined when the id is unknown. */
  update(id: string, patch: Partial<Omit<SandboxRecord, 'id'>>): Promise<SandboxRecord | undefined>;
  /**
   * Atomic compare-and-set: applies `patch` only if the record's state is one of `from`. Returns the new record,
   * or undefined when the id is unknown or its state did not match (someone else got there first).
   */
  transition(
    id: string,
    from: readonly SandboxState[],
    patch: Partial<Omit<SandboxRecord, 'id'>>,
  ): Promise<SandboxRecord | undefined>;
  remove(id: string): Promise<void>;
  list(filter?: SandboxFilter): Promise<SandboxRecord[]>;
  findByConversation(tenantId: string, conversationId: string): Promise<SandboxRecord | undefined>;
}
