import type { WorkspaceRef, WorkspaceStore } from '../storage/workspace-store.js';

/** Skill archives in the workspace store, content-addressed: `skills/tenants/<tenantId>/<name>/<digest>.tar`. */
export class SkillObjects {
  constructor(private readonly store: WorkspaceStore) {}

  put(tenantId: string, name: string, digest: string, archive: Buffer): Promise<void> {
    return this.store.put(
      ref(tenantId),
      { area: 'skills', path: key(name, digest) },
      archive,
      archive.length,
    );
  }

  async get(tenantId: string, name: string, digest: string): Promise<Buffer | undefined> {
    const object = await this.store.get(ref(tenantId), { area: 'skills', path: key(name, digest) });
    if (!object) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of object.body as AsyncIterable<Buffer>) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  delete(tenantId: string, name: string, digest: string): Promise<void> {
    return this.store.delete(ref(tenantId), [{ area: 'skills', path: key(name, digest) }]);
  }
}

/** The skills area ignores the conversation part of a workspace reference. */
function ref(tenantId: string): WorkspaceRef {
  return { tenantId, conversationId: 'skills' };
}

function key(name: string, digest: string): string {
  return `${name}/${digest}.tar`;
}
