import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { AgentdError, errorMessage, NotFoundError, ValidationError } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import type { LockService } from '../common/lock-service.js';
import type { ObjectLocation, WorkspaceRef } from '../storage/workspace-store.js';
import type { Conversation, Tenant } from '../store/entities.js';
import type { Page, Store } from '../store/repositories.js';
import { totalBytes, type Manifest, type ManifestFile } from './manifest.js';
import { limit } from './scan-validation.js';
import { refOf } from './store-workspace-sync.js';
import { parentsOf, pathProblem } from './workspace-path.js';
import type { WorkspaceService } from './workspace-service.js';

export interface WorkspaceFileInfo {
  path: string;
  size: number;
  /** Quoted SHA-256 of the content: a strong validator. */
  etag: string;
  modified: string;
  executable: boolean;
}

export interface WorkspaceFilesOptions {
  workspaces: WorkspaceService;
  store: Store;
  locks: LockService;
  workspaceBytes: (tenant: Tenant, conversation: Conversation) => number;
  maxFiles: number;
  maxFileBytes: number;
  logger: Logger;
}

/**
 * The workspace as the API sees it: files of the committed version. Changes take the conversation's run lock
 * (a run in progress answers CONVERSATION_BUSY) and commit a new version, which the conversation's sandbox
 * picks up at its next run.
 */
export class WorkspaceFiles {
  readonly #log: Logger;

  constructor(private readonly options: WorkspaceFilesOptions) {
    this.#log = options.logger.child({ component: 'workspace-api' });
  }

  async list(
    tenantId: string,
    conversationId: string,
    page: { limit: number; cursor?: string | undefined },
  ): Promise<Page<WorkspaceFileInfo>> {
    const { conversation } = await this.#conversation(tenantId, conversationId);
    const manifest = await this.options.workspaces.read(refOf(conversation));
    const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
    const paths = [...manifest.files.keys()].sort().filter((p) => after === undefined || p > after);
    const items = paths.slice(0, page.limit).map((p) => info(p, manifest.files.get(p) as ManifestFile));
    const last = items.at(-1);
    return { items, nextCursor: paths.length > page.limit && last ? encodeCursor(last.path) : null };
  }

  async download(
    tenantId: string,
    conversationId: string,
    path: string,
  ): Promise<{ info: WorkspaceFileInfo; body: Readable }> {
    checkPath(path);
    const { conversation } = await this.#conversation(tenantId, conversationId);
    const found = await this.options.workspaces.open(refOf(conversation), path);
    if (!found) throw new NotFoundError('workspace file', path);
    return { info: info(path, found.entry), body: found.object.body };
  }

  /** Streams `body` into the workspace as `path`; `declaredBytes` (Content-Length) is refused early when too large. */
  async upload(
    tenantId: string,
    conversationId: string,
    path: string,
    body: Readable,
    declaredBytes: number | undefined,
  ): Promise<{ info: WorkspaceFileInfo; created: boolean; version: number }> {
    checkPath(path);
    const { tenant, conversation } = await this.#conversation(tenantId, conversationId);
    const quota = this.options.workspaceBytes(tenant, conversation);
    const maxFileBytes = Math.min(this.options.maxFileBytes, quota);
    if (declaredBytes !== undefined && declaredBytes > maxFileBytes)
      throw limit(`${path} has ${declaredBytes} bytes; the limit per file is ${maxFileBytes}`);
    return this.#changing(conversation, async (base, fencingToken) => {
      const old = base.files.get(path);
      const conflict = parentsOf(path).find((p) => base.files.has(p));
      if (conflict !== undefined)
        throw new ValidationError('invalid path', [`${conflict} is a file, not a directory`]);
      if (!old && [...base.files.keys()].some((p) => p.startsWith(`${path}/`)))
        throw new ValidationError('invalid path', [`${path} is a directory`]);
      if (!old && base.files.size + 1 > this.options.maxFiles)
        throw limit(
          `the workspace already has ${base.files.size} files; the limit is ${this.options.maxFiles}`,
        );
      const room = quota - (totalBytes(base.files) - (old?.size ?? 0));
      const allowed = Math.min(maxFileBytes, room);
      if (allowed < 0 || (declaredBytes !== undefined && declaredBytes > allowed))
        throw limit(`the workspace would exceed its ${quota} bytes`);
      // A new path goes straight to files/ (no manifest refers to it); a replaced one waits in staging.
      const at: ObjectLocation = old
        ? { area: 'staging', syncId: randomId(16), path }
        : { area: 'files', path };
      const counted = countAndHash(allowed, quota, path);
      body.on('error', (err) => counted.destroy(err));
      try {
        await this.options.workspaces.putUpload(refOf(conversation), at, body.pipe(counted));
        const entry: ManifestFile = {
          size: counted.bytes,
          sha256: counted.sha256(),
          mtimeMs: Date.now(),
          executable: old?.executable ?? false,
        };
        const files = new Map(base.files).set(path, entry);
        const staged = at.area === 'staging' ? new Map([[path, at.syncId]]) : new Map<string, string>();
        const committed = await this.options.workspaces.commit(
          refOf(conversation),
          base,
          { files, staged },
          fencingToken,
        );
        return { info: info(path, entry), created: !old, version: committed.version };
      } catch (err) {
        await this.options.workspaces.discard(refOf(conversation), [at]);
        throw counted.failure ?? err;
      }
    });
  }

  async remove(tenantId: string, conversationId: string, path: string): Promise<number> {
    checkPath(path);
    const { conversation } = await this.#conversation(tenantId, conversationId);
    return this.#changing(conversation, async (base, fencingToken) => {
      if (!base.files.has(path)) throw new NotFoundError('workspace file', path);
      const files = new Map(base.files);
      files.delete(path);
      const committed = await this.options.workspaces.commit(
        refOf(conversation),
        base,
        { files, staged: new Map() },
        fencingToken,
      );
      return committed.version;
    });
  }

  /** A deleted conversation's objects go in the background; a failure is logged (and S3 objects tagged). */
  deleteInBackground(tenantId: string, conversationId: string): void {
    const ws: WorkspaceRef = { tenantId, conversationId };
    void this.options.workspaces.deleteAll(ws).then(
      (count) => this.#log.info({ ...ws, objects: count }, 'Deleted the workspace of a deleted conversation'),
      (err: unknown) =>
        this.#log.error(
          { ...ws, reason: errorMessage(err) },
          'Could not delete the workspace of a deleted conversation',
        ),
    );
  }

  async #conversation(
    tenantId: string,
    conversationId: string,
  ): Promise<{ tenant: Tenant; conversation: Conversation }> {
    const [tenant, conversation] = await Promise.all([
      this.options.store.tenants.get(tenantId),
      this.options.store.conversations.get(tenantId, conversationId),
    ]);
    if (!tenant) throw new NotFoundError('tenant', tenantId);
    if (!conversation) throw new NotFoundError('conversation', conversationId);
    if (!conversation.workspaceEnabled)
      throw new ValidationError('no workspace', [
        `conversation ${conversationId} has workspaceEnabled: false`,
      ]);
    return { tenant, conversation };
  }

  /** Runs a change under the conversation's run lock (409 during a run) and the workspace's own lock. */
  async #changing<T>(
    conversation: Conversation,
    fn: (base: Manifest, fencingToken: bigint) => Promise<T>,
  ): Promise<T> {
    const lock = await this.options.locks.tryAcquire(
      `conversation:${conversation.tenantId}:${conversation.id}`,
    );
    if (!lock) {
      throw new AgentdError('CONVERSATION_BUSY', `conversation ${conversation.id} has a run in progress`, {
        recoverable: true,
        retryAfterSeconds: 2,
      });
    }
    try {
      const fencingToken = await this.options.store.conversations.currentFencingToken(
        conversation.tenantId,
        conversation.id,
      );
      if (fencingToken === undefined) throw new NotFoundError('conversation', conversation.id);
      return await this.options.workspaces.exclusive(refOf(conversation), (base) => fn(base, fencingToken));
    } finally {
      await lock.release();
    }
  }
}

function checkPath(path: string): void {
  const problem = pathProblem(path);
  if (problem !== undefined) throw new ValidationError('invalid workspace path', [`path ${problem}`]);
}

function info(path: string, file: ManifestFile): WorkspaceFileInfo {
  return {
    path,
    size: file.size,
    etag: `"${file.sha256}"`,
    modified: new Date(file.mtimeMs).toISOString(),
    executable: file.executable,
  };
}

function encodeCursor(path: string): string {
  return Buffer.from(path, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const path = Buffer.from(cursor, 'base64url').toString('utf8');
  if (pathProblem(path) !== undefined)
    throw new ValidationError('invalid cursor', ['cursor: not one of ours']);
  return path;
}

interface CountingHash extends Transform {
  bytes: number;
  failure: AgentdError | undefined;
  sha256(): string;
}

/** Counts and hashes an upload as it passes; past `allowed` bytes it fails with WORKSPACE_LIMIT. */
function countAndHash(allowed: number, quota: number, path: string): CountingHash {
  const hash = createHash('sha256');
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      stream.bytes += chunk.length;
      if (stream.bytes > allowed) {
        stream.failure = limit(
          `${path} exceeds ${allowed} bytes (per-file limit or the workspace's ${quota} bytes)`,
        );
        done(stream.failure);
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  }) as CountingHash;
  stream.bytes = 0;
  stream.failure = undefined;
  stream.sha256 = () => hash.digest('hex');
  return stream;
}
