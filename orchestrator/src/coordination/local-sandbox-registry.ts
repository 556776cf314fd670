import type { SandboxRecord, SandboxState } from '../sandbox/sandbox-record.js';
import type { SandboxFilter, SandboxRegistry } from '../sandbox/sandbox-registry.js';

/**
 * In-process registry for the embedded single-node mode: it dies with the process, and reconcile copes.
 *
 * Lookups by conversation and by tenant go through indexes: a claim makes both, and a scan of every record
 * grew the claim with the node's size (a claim's code runs too rarely to be optimized, so a scan cost about a
 * microsecond per record: 1 ms of a pool claim at 500 sandboxes).
 */
export class LocalSandboxRegistry implements SandboxRegistry {
  readonly #records = new Map<string, SandboxRecord>();
  readonly #byConversation = new Index();
  readonly #byTenant = new Index();
  readonly #byNode = new Index();

  put(record: SandboxRecord): Promise<void> {
    this.#set({ ...record });
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
    this.#set(next);
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
    const record = this.#records.get(id);
    if (record) this.#unindex(record);
    this.#records.delete(id);
    return Promise.resolve();
  }

  list(filter: SandboxFilter = {}): Promise<SandboxRecord[]> {
    const ids =
      filter.tenantId !== undefined
        ? this.#byTenant.ids(filter.tenantId)
        : filter.nodeId !== undefined
          ? this.#byNode.ids(filter.nodeId)
          : this.#records.keys();
    const out: SandboxRecord[] = [];
    for (const id of ids) {
      const record = this.#records.get(id);
      if (!record) continue;
      if (filter.nodeId !== undefined && record.nodeId !== filter.nodeId) continue;
      if (filter.tenantId !== undefined && record.tenantId !== filter.tenantId) continue;
      out.push({ ...record });
    }
    return Promise.resolve(out);
  }

  findByConversation(tenantId: string, conversationId: string): Promise<SandboxRecord | undefined> {
    for (const id of this.#byConversation.ids(conversationKey(tenantId, conversationId))) {
      const record = this.#records.get(id);
      if (record && record.state !== 'removing') return Promise.resolve({ ...record });
    }
    return Promise.resolve(undefined);
  }

  #set(record: SandboxRecord): void {
    const old = this.#records.get(record.id);
    this.#records.set(record.id, record);
    // Unchanged keys keep the record's place in its indexes (lists keep their order).
    if (
      old?.nodeId === record.nodeId &&
      old.tenantId === record.tenantId &&
      old.conversationId === record.conversationId
    )
      return;
    if (old) this.#unindex(old);
    this.#byNode.add(record.nodeId, record.id);
    if (record.tenantId !== null) {
      this.#byTenant.add(record.tenantId, record.id);
      if (record.conversationId !== null)
        this.#byConversation.add(conversationKey(record.tenantId, record.conversationId), record.id);
    }
  }

  #unindex(record: SandboxRecord): void {
    this.#byNode.delete(record.nodeId, record.id);
    if (record.tenantId !== null) {
      this.#byTenant.delete(record.tenantId, record.id);
      if (record.conversationId !== null)
        this.#byConversation.delete(conversationKey(record.tenantId, record.conversationId), record.id);
    }
  }
}

/** Record ids by one key, in the order they were added. */
class Index {
  readonly #sets = new Map<string, Set<string>>();

  add(key: string, id: string): void {
    let set = this.#sets.get(key);
    if (!set) {
      set = new Set();
      this.#sets.set(key, set);
    }
    set.add(id);
  }

  delete(key: string, id: string): void {
    const set = this.#sets.get(key);
    if (!set) return;
    set.delete(id);
    if (set.size === 0) this.#sets.delete(key);
  }

  ids(key: string): Iterable<string> {
    return this.#sets.get(key) ?? [];
  }
}

function conversationKey(tenantId: string, conversationId: string): string {
  return `${tenantId}\u0000${conversationId}`;
}
