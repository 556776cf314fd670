import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import type { ExtractEvents } from 'tar-stream';
import { errorMessage, isAgentdError } from '../common/errors.js';
import type { ObjectLocation, WorkspaceRef, WorkspaceStore } from '../storage/workspace-store.js';
import type { Manifest, ManifestFile } from './manifest.js';
import { protocol } from './scan-validation.js';
import { parentsOf, pathProblem } from './workspace-path.js';
import { writeChunk } from './stream-write.js';
import { tarEntries } from './tar-entries.js';
import { UploadPool } from './upload-pool.js';

type Entry = ExtractEvents['entry'][1];

/** Files up to this size are read whole and uploaded in parallel; larger ones stream through one at a time. */
const SMALL_FILE_BYTES = 1024 * 1024;
export const PARALLEL_UPLOADS = 32;
export const BYTES_IN_FLIGHT = 32 * 1024 * 1024;

export interface ReceiveInput {
  ws: WorkspaceRef;
  syncId: string;
  base: Manifest;
  files: ReadonlyMap<string, ManifestFile>;
  need: readonly string[];
}

export interface Received {
  /** Paths written to staging (they replace a live object), by path → syncId. */
  staged: Map<string, string>;
  bytes: number;
}

/**
 * Reads the runner's tar of exactly the needed files, in order, and streams each into the store: a new path
 * straight to `files/` (no manifest refers to it yet), a changed one to the sync's staging area. Only regular
 * files are accepted; each must match the scan's size and SHA-256. `uploaded` lists what was written, so a
 * failed sync can delete it.
 */
export class OutboundReceiver {
  readonly uploaded: ObjectLocation[] = [];
  readonly #destinations: UploadDestinations;

  constructor(
    private readonly store: WorkspaceStore,
    private readonly input: ReceiveInput,
  ) {
    this.#destinations = new UploadDestinations(input.base, input.syncId);
  }

  async receive(body: Readable): Promise<Received> {
    const { need } = this.input;
    const { tar, fed: piping } = tarEntries(body);
    const pool = new UploadPool(PARALLEL_UPLOADS, BYTES_IN_FLIGHT);
    const staged = new Map<string, string>();
    let bytes = 0;
    let index = 0;
    try {
      for await (const entry of tar) {
        const path = this.#check(entry, need[index]);
        index += 1;
        const expected = this.input.files.get(path);
        if (!expected) throw protocol(`${path} is not in the scan`);
        const at = this.#destinations.of(path);
        if (at.area === 'staging') staged.set(path, at.syncId);
        this.uploaded.push(at);
        bytes += expected.size;
        if (expected.size <= SMALL_FILE_BYTES) {
          const content = await readAll(entry, expected.size);
          checkHash(path, createHash('sha256').update(content).digest('hex'), expected.sha256);
          await pool.add(content.length, () =>
            this.store.put(this.input.ws, at, content, content.length, expected.sha256),
          );
        } else {
          const hash = createHash('sha256');
          const hashing = new Transform({
            transform(chunk: Buffer, _encoding, done) {
              hash.update(chunk);
              done(null, chunk);
            },
          });
          const feeding = (async () => {
            for await (const chunk of entry as AsyncIterable<Buffer>) await writeChunk(hashing, chunk);
            hashing.end();
          })();
          feeding.catch((err: unknown) =>
            hashing.destroy(err instanceof Error ? err : new Error(String(err))),
          );
          try {
            await this.store.put(this.input.ws, at, hashing, expected.size);
          } catch (err) {
            // Unblocks the feeding loop, which may be waiting for a drain that will never come.
            hashing.destroy();
            throw err;
          }
          await feeding;
          checkHash(path, hash.digest('hex'), expected.sha256);
        }
      }
      await pool.drain();
      await piping;
    } catch (err) {
      tar.destroy();
      body.destroy();
      await pool.drain().catch(() => undefined);
      // The store's failures are AgentdErrors already; anything else is the archive's fault.
      throw isAgentdError(err) ? err : protocol(`bad workspace archive: ${errorMessage(err)}`);
    }
    if (index !== need.length) throw protocol(`the archive holds ${index} of ${need.length} requested files`);
    return { staged, bytes };
  }

  /** Checks an entry before any byte of it is stored: type, path, order, size. */
  #check(entry: Entry, wanted: string | undefined): string {
    const { header } = entry;
    const name = header.name;
    const problem = pathProblem(name);
    if (problem !== undefined)
      throw protocol(`archive entry ${JSON.stringify(name.slice(0, 200))} ${problem}`);
    if (header.type !== 'file')
      throw protocol(
        `archive entry ${name} is a ${(header.type as string | null) ?? 'unknown type'}: only regular files travel`,
      );
    if (wanted === undefined) throw protocol(`archive entry ${name} was not requested`);
    if (name !== wanted) throw protocol(`archive entry ${name} arrived where ${wanted} was expected`);
    const expected = this.input.files.get(name);
    if (expected && header.size !== expected.size)
      throw protocol(`archive entry ${name} has ${header.size} bytes, the scan said ${expected.size}`);
    return name;
  }
}

/** New paths go straight to `files/`; a path the current version uses (as a file or directory) is staged. */
export class UploadDestinations {
  readonly #liveParents: Set<string>;

  constructor(
    private readonly base: Manifest,
    private readonly syncId: string,
  ) {
    this.#liveParents = new Set([...base.files.keys()].flatMap(parentsOf));
  }

  of(path: string): ObjectLocation {
    const { base, syncId } = this;
    const live =
      base.files.has(path) || this.#liveParents.has(path) || parentsOf(path).some((p) => base.files.has(p));
    return live ? { area: 'staging', syncId, path } : { area: 'files', path };
  }
}

export async function readAll(entry: Entry, size: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of entry as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > size) throw protocol(`${entry.header.name} is longer than announced`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

export function checkHash(path: string, actual: string, expected: string): void {
  if (actual !== expected) throw protocol(`the content of ${path} does not match its SHA-256 in the scan`);
}
