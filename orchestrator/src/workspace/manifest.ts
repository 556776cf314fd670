import Type, { type Static } from 'typebox';
import { Value } from 'typebox/value';
import type { WorkspaceFileEntry } from '@agentd/sandbox-runner/protocol';
import { AgentdError } from '../common/errors.js';

export type ManifestFile = Omit<WorkspaceFileEntry, 'path'>;

/**
 * A committed workspace version. `staged` maps paths whose bytes still wait in a sync's staging area (the
 * commit is durable, the copy into `files/` not done yet); `garbage` lists `files/` objects of deleted paths
 * not removed yet. Writers finish both (roll forward) before they change anything.
 */
export interface Manifest {
  version: number;
  /** Fencing token of the writer (decimal). */
  fencingToken: string;
  updatedAt: string;
  files: Map<string, ManifestFile>;
  staged: Map<string, string>;
  garbage: string[];
}

const FileSchema = Type.Object({
  path: Type.String({ maxLength: 4096 }),
  size: Type.Integer({ minimum: 0 }),
  sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  mtimeMs: Type.Number(),
  executable: Type.Boolean(),
});

const ManifestSchema = Type.Object({
  format: Type.Literal(1),
  version: Type.Integer({ minimum: 0 }),
  fencingToken: Type.String({ pattern: '^[0-9]{1,20}$' }),
  updatedAt: Type.String(),
  files: Type.Array(FileSchema),
  staged: Type.Array(
    Type.Object({ path: Type.String(), syncId: Type.String({ pattern: '^[a-z0-9]{8,32}$' }) }),
  ),
  garbage: Type.Array(Type.String()),
});
type ManifestJson = Static<typeof ManifestSchema>;

export function emptyManifest(version = 0): Manifest {
  return {
    version,
    fencingToken: '0',
    updatedAt: new Date(0).toISOString(),
    files: new Map(),
    staged: new Map(),
    garbage: [],
  };
}

export function encodeManifest(manifest: Manifest): Buffer {
  const json: ManifestJson = {
    format: 1,
    version: manifest.version,
    fencingToken: manifest.fencingToken,
    updatedAt: manifest.updatedAt,
    files: [...manifest.files].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, f]) => ({ path, ...f })),
    staged: [...manifest.staged].map(([path, syncId]) => ({ path, syncId })),
    garbage: manifest.garbage,
  };
  return Buffer.from(JSON.stringify(json));
}

export function decodeManifest(raw: Buffer): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new AgentdError('INTERNAL_ERROR', 'the workspace manifest in the store is not JSON');
  }
  if (!Value.Check(ManifestSchema, json))
    throw new AgentdError('INTERNAL_ERROR', 'the workspace manifest in the store does not match its schema');
  return {
    version: json.version,
    fencingToken: json.fencingToken,
    updatedAt: json.updatedAt,
    files: new Map(json.files.map(({ path, ...f }) => [path, f])),
    staged: new Map(json.staged.map((s) => [s.path, s.syncId])),
    garbage: json.garbage,
  };
}

export function totalBytes(files: ReadonlyMap<string, ManifestFile>): number {
  let total = 0;
  for (const f of files.values()) total += f.size;
  return total;
}

export function sameContent(a: ManifestFile | undefined, b: ManifestFile): boolean {
  return a !== undefined && a.sha256 === b.sha256 && a.size === b.size;
}
