import { createHash } from 'node:crypto';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import { createWorkspaceStore } from '../../orchestrator/src/storage/create-workspace-store.js';
import type { WorkspaceStore } from '../../orchestrator/src/storage/workspace-store.js';
import type { Manifest } from '../../orchestrator/src/workspace/manifest.js';
import { WorkspaceService } from '../../orchestrator/src/workspace/workspace-service.js';
import type { TestDaemon } from '../support/test-daemon.js';

/** Reads a daemon's workspace store from outside, through a store of its own on the same bucket or directory. */
export class WorkspaceInspector {
  readonly store: WorkspaceStore;
  readonly service: WorkspaceService;

  constructor(d: TestDaemon) {
    this.store = createWorkspaceStore(d.config.workspace.store, silentLogger());
    this.service = new WorkspaceService(this.store, d.store.conversations, silentLogger());
  }

  manifest(tenantId: string, conversationId: string): Promise<Manifest> {
    return this.service.read({ tenantId, conversationId });
  }

  /** path → sha256 of the bytes really stored (read back through the store, not taken from the manifest). */
  async contents(tenantId: string, conversationId: string): Promise<Map<string, string>> {
    const ws = { tenantId, conversationId };
    const manifest = await this.service.read(ws);
    const out = new Map<string, string>();
    for (const path of manifest.files.keys()) {
      const found = await this.service.open(ws, path);
      if (!found) throw new Error(`${path} is in the manifest but not in the store`);
      const hash = createHash('sha256');
      for await (const chunk of found.object.body as AsyncIterable<Buffer>) hash.update(chunk);
      out.set(path, hash.digest('hex'));
    }
    return out;
  }

  keys(tenantId: string, conversationId: string): Promise<string[]> {
    return this.store.list({ tenantId, conversationId });
  }
}

/** `sha256sum` lines of every regular file under /workspace, as path → hash. */
export function parseSums(output: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of output.split('\n')) {
    const match = /^([0-9a-f]{64}) {2}\.\/(.*)$/.exec(line);
    if (match?.[1] && match[2] !== undefined) out.set(match[2], match[1]);
  }
  return out;
}
