import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  EARLY_FILE_BYTES,
  type EarlyHashPaxKey,
  type WorkspaceLimits,
} from '@agentd/sandbox-runner/protocol';
import { errorMessage, isAgentdError } from '../common/errors.js';
import type { ObjectLocation, WorkspaceRef, WorkspaceStore } from '../storage/workspace-store.js';
import { sameContent, type Manifest } from './manifest.js';
import {
  BYTES_IN_FLIGHT,
  checkHash,
  PARALLEL_UPLOADS,
  readAll,
  UploadDestinations,
} from './outbound-receiver.js';
import { limit, protocol } from './scan-validation.js';
import { tarEntries } from './tar-entries.js';
import { UploadPool } from './upload-pool.js';
import { pathProblem } from './workspace-path.js';

const HASH_KEY: EarlyHashPaxKey = 'agentd.sha256';
const SHA256 = /^[0-9a-f]{64}$/;

export interface EarlyInput {
  ws: WorkspaceRef;
  syncId: string;
  /** The sync's base; it may still be being read when the tar starts to arrive (the runner is not held up). */
  base: Manifest | Promise<Manifest>;
  limits: WorkspaceLimits;
}

/** A file received before the scan: what the scan must say of it. */
export interface EarlyFile {
  size: number;
  sha256: string;
}

/**
 * Reads the runner's early tar (small files it hashed during the scan, any order) and stores each as the
 * planned sync would: a new path in `files/`, a changed one in staging; content agentd already has is not
 * stored again. Nothing here is trusted for the commit: the scan that follows is validated as always and must
 * name each early file with the same size and hash (`OutboundSession.plan`). Until then the limits hold per
 * file, in count and in total, so an early tar cannot store more than the scan could.
 */
export class EarlyReceiver {
  readonly uploaded: ObjectLocation[] = [];
  readonly files = new Map<string, EarlyFile>();
  readonly staged = new Map<string, string>();
  bytes = 0;
  /** Settles once every entry was read and checked (uploads may still run): what the plan needs. */
  readonly parsed: Promise<void>;
  #parsed!: { resolve: () => void; reject: (err: unknown) => void };

  constructor(
    private readonly store: WorkspaceStore,
    private readonly input: EarlyInput,
  ) {
    this.parsed = new Promise((resolve, reject) => (this.#parsed = { resolve, reject }));
    this.parsed.catch(() => undefined);
  }

  async receive(body: Readable): Promise<void> {
    const { limits, ws, syncId } = this.input;
    const { tar, fed: piping } = tarEntries(body);
    const pool = new UploadPool(PARALLEL_UPLOADS, BYTES_IN_FLIGHT);
    let total = 0;
    // The iteration starts at once (an entry emitted before it would be lost); the base is awaited inside it.
    let base: Manifest | undefined;
    let destinations: UploadDestinations | undefined;
    try {
      for await (const entry of tar) {
        const { header } = entry;
        const path = header.name;
        const problem = pathProblem(path);
        if (problem !== undefined)
          throw protocol(`early archive entry ${JSON.stringify(path.slice(0, 200))} ${problem}`);
        if (header.type !== 'file') throw protocol(`early archive entry ${path} is not a regular file`);
        if (this.files.has(path)) throw protocol(`early archive entry ${path} appears twice`);
        const sha256 = (header.pax as Record<string, string> | null | undefined)?.[HASH_KEY];
        if (sha256 === undefined || !SHA256.test(sha256))
          throw protocol(`early archive entry ${path} has no SHA-256`);
        const size = header.size;
        if (size > EARLY_FILE_BYTES) throw protocol(`early archive entry ${path} is too large to send early`);
        if (size > limits.maxFileBytes)
          throw limit(`${path} has ${size} bytes; the limit per file is ${limits.maxFileBytes}`);
        if (this.files.size + 1 > limits.maxFiles)
          throw limit(`more than ${limits.maxFiles} files in the workspace`);
        total += size;
        if (total > limits.maxTotalBytes)
          throw limit(
            `the workspace holds more than ${limits.maxTotalBytes} bytes (the sandbox's workspace size)`,
          );
        const content = await readAll(entry, size);
        if (content.length !== size) throw protocol(`early archive entry ${path} is shorter than announced`);
        checkHash(path, createHash('sha256').update(content).digest('hex'), sha256);
        this.files.set(path, { size, sha256 });
        base ??= await this.input.base;
        destinations ??= new UploadDestinations(base, syncId);
        // Content the current version already holds under this path needs no upload.
        if (sameContent(base.files.get(path), { size, sha256, mtimeMs: 0, executable: false })) continue;
        const at = destinations.of(path);
        if (at.area === 'staging') this.staged.set(path, at.syncId);
        this.uploaded.push(at);
        this.bytes += size;
        await pool.add(size, () => this.store.put(ws, at, content, size, sha256));
      }
      await piping;
      this.#parsed.resolve();
      await pool.drain();
    } catch (err) {
      tar.destroy();
      body.destroy();
      await pool.drain().catch(() => undefined);
      const error = isAgentdError(err) ? err : protocol(`bad early workspace archive: ${errorMessage(err)}`);
      this.#parsed.reject(error);
      throw error;
    }
  }
}
