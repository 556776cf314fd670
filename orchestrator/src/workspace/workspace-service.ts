import type { Readable } from 'node:stream';
import { AgentdError, errorMessage, NotFoundError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type {
  ObjectLocation,
  StoredObject,
  WorkspaceRef,
  WorkspaceStore,
} from '../storage/workspace-store.js';
import type { ConversationRepository } from '../store/repositories.js';
import { KeyedMutex } from './keyed-mutex.js';
import {
  decodeManifest,
  emptyManifest,
  encodeManifest,
  type Manifest,
  type ManifestFile,
} from './manifest.js';

/** Copies of staged files into place run this many at a time. */
const PROMOTE_CONCURRENCY = 8;

export interface WorkspaceChange {
  files: Map<string, ManifestFile>;
  /** Paths whose new bytes wait in the staging area of sync `syncId`. */
  staged: Map<string, string>;
}

/**
 * Workspace versions on top of a WorkspaceStore. A change becomes visible in one step, the manifest write:
 * new paths are uploaded to `files/` first (no manifest refers to them yet), changed paths to a staging area,
 * and only then is manifest version+1 written (and recorded on the conversation, fenced). Until that write,
 * the previous version is intact; after it, copying staged files into place and deleting removed ones is
 * bookkeeping any later writer finishes (roll forward).
 */
export class WorkspaceService {
  readonly #locks = new KeyedMutex();
  readonly #log: Logger;

  constructor(
    private readonly store: WorkspaceStore,
    private readonly conversations: ConversationRepository,
    logger: Logger,
  ) {
    this.#log = logger.child({ component: 'workspace' });
  }

  get storeKind(): 's3' | 'local' {
    return this.store.kind;
  }

  /** Runs `fn` with the workspace to itself (in this process), on the current manifest with any unfinished commit completed. */
  exclusive<T>(ws: WorkspaceRef, fn: (current: Manifest) => Promise<T>): Promise<T> {
    return this.#locks.run(lockKey(ws), async () => fn(await this.#current(ws)));
  }

  /**
   * `exclusive`, with `fn` started while the current manifest is still being read: it gets the read as a
   * promise, so work that needs no manifest (a sandbox's scan of its files) overlaps the store's round trip.
   * The lock is held until both have settled: a roll-forward the read started never runs unlocked.
   */
  exclusiveWhileReading<T>(ws: WorkspaceRef, fn: (current: Promise<Manifest>) => Promise<T>): Promise<T> {
    return this.#locks.run(lockKey(ws), async () => {
      const current = this.#current(ws);
      current.catch(() => undefined);
      try {
        return await fn(current);
      } finally {
        await current.catch(() => undefined);
      }
    });
  }

  /** The current manifest, with any unfinished commit completed (under the lock). */
  async #current(ws: WorkspaceRef): Promise<Manifest> {
    const current = await this.read(ws);
    return needsFinish(current) ? this.#finish(ws, current) : current;
  }

  /** The newest committed manifest (version 0 and empty when the workspace was never written). */
  async read(ws: WorkspaceRef): Promise<Manifest> {
    const raw = await this.store.readManifest(ws);
    return raw === undefined ? emptyManifest() : decodeManifest(raw);
  }

  /** Where the bytes of `path` are in `manifest`. */
  locate(manifest: Manifest, path: string): ObjectLocation {
    const syncId = manifest.staged.get(path);
    return syncId === undefined ? { area: 'files', path } : { area: 'staging', syncId, path };
  }

  /** Opens a file of the current version for reading, without the lock (a concurrent roll-forward is retried). */
  async open(
    ws: WorkspaceRef,
    path: string,
  ): Promise<{ entry: ManifestFile; object: StoredObject } | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const manifest = await this.read(ws);
      const entry = manifest.files.get(path);
      if (!entry) return undefined;
      const object = await this.store.get(ws, this.locate(manifest, path));
      if (object) return { entry, object };
    }
    throw new AgentdError('INTERNAL_ERROR', `the store lost the content of ${path}`);
  }

  /** Stores an upload at `at` (not part of any version until a commit names it). */
  putUpload(ws: WorkspaceRef, at: ObjectLocation, body: Readable): Promise<void> {
    return this.store.put(ws, at, body, undefined);
  }

  /** Reads an object of `manifest` (inside `exclusive`, where nothing moves). */
  async get(ws: WorkspaceRef, manifest: Manifest, path: string): Promise<StoredObject> {
    const object = await this.store.get(ws, this.locate(manifest, path));
    if (!object) throw new AgentdError('INTERNAL_ERROR', `the store lost the content of ${path}`);
    return object;
  }

  /**
   * Commits `change` on top of `base` (call inside `exclusive`): writes manifest version+1 and records it on
   * the conversation in one fenced step, then moves staged files into place and deletes removed ones.
   */
  async commit(
    ws: WorkspaceRef,
    base: Manifest,
    change: WorkspaceChange,
    fencingToken: bigint,
  ): Promise<Manifest> {
    const next = await this.#write(ws, base, change, fencingToken);
    return this.#finishOrDefer(ws, next);
  }

  /**
   * `commit` without waiting for the roll-forward: the new version is durable and readable once its manifest
   * is written (readers follow `staged`), so the copies into place and the deletions are queued to run right
   * after the caller's `exclusive` section, before anyone else's (the lock is FIFO). `cleanup` never rejects:
   * a roll-forward that fails is finished by the next writer.
   */
  async commitDeferred(
    ws: WorkspaceRef,
    base: Manifest,
    change: WorkspaceChange,
    fencingToken: bigint,
  ): Promise<{ manifest: Manifest; cleanup: Promise<void> }> {
    const next = await this.#write(ws, base, change, fencingToken);
    if (!needsFinish(next)) return { manifest: next, cleanup: Promise.resolve() };
    const cleanup = this.#locks.run(lockKey(ws), () => this.#finishOrDefer(ws, next)).then(() => undefined);
    return { manifest: next, cleanup };
  }

  /** Writes manifest version+1 and records it on the conversation, fenced. */
  async #write(
    ws: WorkspaceRef,
    base: Manifest,
    change: WorkspaceChange,
    fencingToken: bigint,
  ): Promise<Manifest> {
    const conversation = await this.conversations.get(ws.tenantId, ws.conversationId);
    if (!conversation) throw new NotFoundError('conversation', ws.conversationId);
    let next: Manifest | undefined;
    // The manifest is written inside the fenced commit: a writer superseded before it writes nothing, and no
    // run can supersede it while it writes, so the store never holds a refused writer's manifest.
    const committed = await this.conversations.commitWorkspace(
      ws.tenantId,
      ws.conversationId,
      fencingToken,
      async (committedVersion) => {
        next = {
          version: Math.max(base.version, committedVersion) + 1,
          fencingToken: fencingToken.toString(),
          updatedAt: new Date().toISOString(),
          files: change.files,
          staged: change.staged,
          garbage: [...base.files.keys()].filter((p) => !change.files.has(p)),
        };
        await this.store.writeManifest(ws, encodeManifest(next));
        return next.version;
      },
    );
    if (!committed || !next) throw superseded(ws, 'its workspace was not changed');
    return next;
  }

  async #finishOrDefer(ws: WorkspaceRef, next: Manifest): Promise<Manifest> {
    try {
      return await this.#finish(ws, next);
    } catch (err) {
      // Committed all the same: the next writer finishes the copies and deletions.
      this.#log.warn(
        { ...ws, version: next.version, reason: errorMessage(err) },
        'Workspace cleanup deferred',
      );
      return next;
    }
  }

  /** Deletes every object of the workspace (a deleted conversation). */
  deleteAll(ws: WorkspaceRef): Promise<number> {
    return this.#locks.run(lockKey(ws), () => this.store.deleteAll(ws));
  }

  /** Deletes objects a failed sync uploaded (no manifest refers to them). */
  async discard(ws: WorkspaceRef, objects: readonly ObjectLocation[]): Promise<void> {
    if (objects.length === 0) return;
    await this.store.delete(ws, objects).catch((err: unknown) => {
      this.#log.warn(
        { ...ws, count: objects.length, reason: errorMessage(err) },
        'Could not delete unused uploads',
      );
    });
  }

  /** Roll forward: staged files into place, removed files deleted, then the manifest says so, then staging goes. */
  async #finish(ws: WorkspaceRef, manifest: Manifest): Promise<Manifest> {
    // Nothing to roll forward: the manifest is clean already (a sync that only added paths).
    if (!needsFinish(manifest)) return manifest;
    if (manifest.garbage.length > 0)
      await this.store.delete(
        ws,
        manifest.garbage.map((path) => ({ area: 'files', path })),
      );
    const staged = [...manifest.staged];
    for (let i = 0; i < staged.length; i += PROMOTE_CONCURRENCY) {
      await Promise.all(
        staged
          .slice(i, i + PROMOTE_CONCURRENCY)
          .map(([path, syncId]) =>
            this.store.copy(ws, { area: 'staging', syncId, path }, { area: 'files', path }),
          ),
      );
    }
    const clean: Manifest = { ...manifest, staged: new Map(), garbage: [] };
    await this.store.writeManifest(ws, encodeManifest(clean));
    if (staged.length > 0)
      await this.discard(
        ws,
        staged.map(([path, syncId]) => ({ area: 'staging', syncId, path })),
      );
    return clean;
  }
}

function lockKey(ws: WorkspaceRef): string {
  return `${ws.tenantId}/${ws.conversationId}`;
}

function needsFinish(manifest: Manifest): boolean {
  return manifest.staged.size > 0 || manifest.garbage.length > 0;
}

function superseded(ws: WorkspaceRef, detail: string): AgentdError {
  return new AgentdError(
    'CONVERSATION_BUSY',
    `a newer run took over conversation ${ws.conversationId}; ${detail}`,
    {
      recoverable: true,
    },
  );
}
