import type { Readable } from 'node:stream';

/** One conversation's workspace in the store. */
export interface WorkspaceRef {
  tenantId: string;
  conversationId: string;
}

/**
 * Where an object lives: the conversation's files (`…/files/<path>`), or the staging area of one sync
 * (`<prefix>/staging/…/<syncId>/<path>`), where changed files wait until the new manifest is committed.
 */
export type ObjectLocation =
  | { area: 'files'; path: string }
  | { area: 'staging'; syncId: string; path: string }
  /** A tenant's skill archives (`<prefix>/skills/tenants/<tenantId>/<path>`): the conversation id is not used. */
  | { area: 'skills'; path: string };

export interface StoredObject {
  body: Readable;
  size: number;
}

/**
 * Object storage for workspaces, with one layout on every backend:
 * `<prefix>/tenants/<tenantId>/conversations/<conversationId>/{manifest.json,files/<path>}`.
 * It knows nothing of versions: the manifest is opaque bytes here (WorkspaceService gives it meaning).
 * Paths reaching it were validated by the caller; implementations check them again.
 */
export interface WorkspaceStore {
  readonly kind: 's3' | 'local';
  /** Bucket and prefix, or directory: for logs and /health. */
  readonly location: string;
  /**
   * Streams `body` to `at`, replacing what is there; `size` when known (checked). A Buffer body may be
   * retried; a stream is read once, in bounded parts. `sha256` (hex) of a Buffer body, when the caller has it
   * already, spares the store hashing the bytes again (S3 signs the payload's SHA-256).
   */
  put(
    ws: WorkspaceRef,
    at: ObjectLocation,
    body: Readable | Buffer,
    size: number | undefined,
    sha256?: string,
  ): Promise<void>;
  /** Undefined when there is no such object. */
  get(ws: WorkspaceRef, at: ObjectLocation): Promise<StoredObject | undefined>;
  /** Server-side copy (no bytes through agentd). */
  copy(ws: WorkspaceRef, from: ObjectLocation, to: ObjectLocation): Promise<void>;
  /** Deletes the objects; missing ones are fine. */
  delete(ws: WorkspaceRef, objects: readonly ObjectLocation[]): Promise<void>;
  readManifest(ws: WorkspaceRef): Promise<Buffer | undefined>;
  /** Atomic: a reader sees the old manifest or the new one, never a mix. */
  writeManifest(ws: WorkspaceRef, data: Buffer): Promise<void>;
  /** Every object of the workspace as a key relative to the conversation (`files/a.txt`, `manifest.json`, `staging/<syncId>/a.txt`). */
  list(ws: WorkspaceRef): Promise<string[]>;
  /** Deletes every object of the workspace, staging included; returns how many there were. */
  deleteAll(ws: WorkspaceRef): Promise<number>;
  /** Proves the store answers (HeadBucket, or the directory is writable). */
  ping(): Promise<string>;
}
