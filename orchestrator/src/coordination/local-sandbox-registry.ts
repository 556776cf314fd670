import type { SandboxRecord, SandboxState } from '../sandbox/sandbox-record.js';
import type { SandboxFilter, SandboxRegistry } from '../sandbox/sandbox-registry.js';

/** In-process registry for the embedded single-node mode: it dies with the process, and reconcile copes. */
export class LocalSandboxRegistry implements SandboxRegistry {
  readonly #records = new Map<string, SandboxRecord>();

  put(record: SandboxRecord): Promise<void> {
    this.#records.set(record.id, { ...record });
    return Promise.resolve();
  }

  get(id: string): Promise<SandboxRecord | undefined> {
    const record = this.#records.get(id);
    return Promise.resolve(record ? { ...record } : undefined);
  }

  update(id: string, patch: Partial<Omit<SandboxRecord, 'id'>>): Promise<SandboxRecord | undefined> {
    const record = this.#records.get(id);
    if (!record) return Promise.resolve(undefined);
    const next = { ...record, ...patch, id };
    this.#records.set(id, next);
    return Promise.resolve({ ...next });
  }

  transition(
    id: string,
    from: readonly SandboxState[],
    patch: Partial<Omit<SandboxRecord, 'id'>>,
  ): Promise<SandboxRecord | undefined> {
    const record = this.#records.get(id);
    if (!record || !from.includes(record.state)) return Promise.resolve(undefined);
    return this.update(id, patch);
  }

  remove(id: string): Promise<void> {
    this.#records.delete(id);
    return Promise.resolve();
  }

  list(filter: SandboxFilter = {}): Promise<SandboxRecord[]> {
    const out: SandboxRecord[] = [];
    for (const record of this.#records.values()) {
      if (filter.nodeId !== undefined && record.nodeId !== filter.nodeId) continue;
      if (filter.tenantId !== undefined && record.tenantId !== filter.tenantId) continue;
      out.push({ ...record });
    }
    return Promise.resolve(out);
  }

  findByConversation(tenantId: string, conversationId: string): Promise<SandboxRecord | undefined> {
    for (const record of this.#records.values()) {
      if (
        record.tenantId === tenantId &&
        record.conversationId === conversationId &&
        record.state !== 'removing'
      ) {
        return Promise.resolve({ ...record });
      }
    }
    return Promise.resolve(undefined);
  }
}
