import { createHash, type Hash } from 'node:crypto';
import { lstatSync, type BigIntStats } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type {
  SkippedEntry,
  SkipReason,
  WorkspaceFileEntry,
  WorkspaceLimits,
  WorkspaceScan,
} from '../protocol.js';
import { RunnerError } from '../runner-error.js';
import { openRegularFile, readRegularFileSync } from './regular-file.js';
import { syncPathProblem } from './sync-path.js';

/** Skipped entries reported by name; the rest are only counted. */
const MAX_SKIPPED_LISTED = 100;
/** Directories and skipped entries count too, so a tree of empty directories cannot keep the walk busy. */
const WALK_FACTOR = 4;
/**
 * Entries lstat'ed between two turns of the event loop. lstat of a tmpfs entry is a few µs, far less than
 * the thread-pool round trip of an async one: 1,000 files took 25 ms async (64 at once) and 7 ms sync on one
 * CPU, the sandbox's limit. Between batches the runner's other work (pings, cancel) gets its turn.
 */
const STAT_BATCH = 256;
/** Files up to this size are read whole and synchronously; larger ones are streamed. */
const WHOLE_FILE_BYTES = 1024n * 1024n;
/**
 * Bytes read synchronously between two turns of the event loop (and at most STAT_BATCH files). A tmpfs read
 * is a memory copy; the async open, read and close of a small file are three thread-pool round trips.
 * Scanning and hashing 1,000 files of 50 MiB on one CPU took 170-198 ms with four async reads at once and
 * 97-107 ms with synchronous ones.
 */
const READ_BATCH_BYTES = 1024 * 1024;

/** Told of each file this scan read and hashed whole (small, not in the cache), with its bytes; awaited. */
export type FreshFileListener = (entry: WorkspaceFileEntry, content: Buffer) => Promise<void>;

interface CachedHash {
  key: string;
  sha256: string;
}

/**
 * Walks /workspace with lstat (never following a symlink) and describes its regular files with their SHA-256.
 * Hashes are cached per path by inode, size, mtime and ctime: ctime cannot be set from user space, so a
 * rewritten file is always hashed again.
 */
export class WorkspaceScanner {
  readonly #cache = new Map<string, CachedHash>();

  constructor(private readonly root: string) {}

  async scan(limits: WorkspaceLimits, onFresh?: FreshFileListener): Promise<WorkspaceScan> {
    const files: WorkspaceFileEntry[] = [];
    const skipped: SkippedEntry[] = [];
    let skippedTotal = 0;
    let totalBytes = 0;
    let walked = 0;
    const seen = new Set<string>();
    const skip = (relative: string, reason: SkipReason): void => {
      skippedTotal += 1;
      if (skipped.length < MAX_SKIPPED_LISTED) skipped.push({ path: relative.slice(0, 1024), reason });
    };
    // Files are read and hashed after the walk, in its order, so a workspace over its limits fails before any read.
    const unhashed: { entry: WorkspaceFileEntry; stat: BigIntStats }[] = [];
    const walk = async (dirRelative: string): Promise<void> => {
      const absolute = dirRelative === '' ? this.root : path.join(this.root, dirRelative);
      const names = (await readdir(absolute, { encoding: 'buffer' })).sort((a, b) => Buffer.compare(a, b));
      for (let i = 0; i < names.length; i += STAT_BATCH) {
        if (i > 0) await nextTurn();
        const batch = names.slice(i, i + STAT_BATCH).map((raw) => {
          const name = raw.toString('utf8');
          if (!Buffer.from(name, 'utf8').equals(raw)) return { name, stat: 'invalid-name' as const };
          try {
            return { name, stat: lstatSync(path.join(absolute, name), { bigint: true }) };
          } catch {
            return { name, stat: 'unreadable' as const };
          }
        });
        for (const { name, stat } of batch) {
          const relative = dirRelative === '' ? name : `${dirRelative}/${name}`;
          if (typeof stat === 'string') {
            skip(relative, stat);
            continue;
          }
          walked += 1;
          if (walked > limits.maxFiles * WALK_FACTOR)
            throw limitError(`more than ${limits.maxFiles * WALK_FACTOR} entries in the workspace`);
          if (stat.isDirectory()) {
            if (Buffer.byteLength(relative) > limits.maxPathBytes) skip(relative, 'invalid-name');
            else await walk(relative);
            continue;
          }
          const reason = kindOf(stat);
          if (reason !== undefined) {
            skip(relative, reason);
            continue;
          }
          if (syncPathProblem(relative, limits.maxPathBytes) !== undefined) {
            skip(relative, 'invalid-name');
            continue;
          }
          const size = Number(stat.size);
          if (files.length + 1 > limits.maxFiles)
            throw limitError(`more than ${limits.maxFiles} files in the workspace`);
          if (size > limits.maxFileBytes)
            throw limitError(`${relative} has ${size} bytes; the limit per file is ${limits.maxFileBytes}`);
          totalBytes += size;
          if (totalBytes > limits.maxTotalBytes)
            throw limitError(`the workspace holds more than ${limits.maxTotalBytes} bytes`);
          seen.add(relative);
          const entry: WorkspaceFileEntry = {
            path: relative,
            size,
            sha256: this.#cached(relative, stat) ?? '',
            mtimeMs: Number(stat.mtimeNs / 1_000_000n),
            executable: (stat.mode & 0o100n) !== 0n,
          };
          files.push(entry);
          if (entry.sha256 === '') unhashed.push({ entry, stat });
        }
      }
    };
    await walk('');
    let bytesSinceTurn = 0;
    let filesSinceTurn = 0;
    for (const { entry, stat } of unhashed) {
      // Many empty files read no bytes but still cost an open, a read and a close each.
      if (bytesSinceTurn >= READ_BATCH_BYTES || filesSinceTurn >= STAT_BATCH) {
        await nextTurn();
        bytesSinceTurn = 0;
        filesSinceTurn = 0;
      }
      bytesSinceTurn += entry.size;
      filesSinceTurn += 1;
      if (stat.size > WHOLE_FILE_BYTES) {
        entry.sha256 = await this.#hashLarge(entry.path, stat);
        continue;
      }
      const { sha256, content } = this.#hashSmall(entry.path, stat);
      entry.sha256 = sha256;
      if (onFresh) await onFresh(entry, content);
    }
    for (const key of this.#cache.keys()) if (!seen.has(key)) this.#cache.delete(key);
    return { files, skipped, skippedTotal };
  }

  /** Tells the cache a file was just written with known content (sync-in), so the next scan need not read it. */
  remember(relative: string, stat: BigIntStats, sha256: string): void {
    this.#cache.set(relative, { key: cacheKey(stat), sha256 });
  }

  forget(relative: string): void {
    this.#cache.delete(relative);
  }

  #cached(relative: string, stat: BigIntStats): string | undefined {
    const cached = this.#cache.get(relative);
    return cached?.key === cacheKey(stat) ? cached.sha256 : undefined;
  }

  /** The hash of a small file and its bytes (what was hashed). */
  #hashSmall(relative: string, stat: BigIntStats): { sha256: string; content: Buffer } {
    const content = readRegularFileSync(path.join(this.root, relative), relative);
    return { sha256: this.#remember(relative, stat, createHash('sha256').update(content)), content };
  }

  /** The hash of a large file, streamed. */
  async #hashLarge(relative: string, stat: BigIntStats): Promise<string> {
    const hash = createHash('sha256');
    const handle = await openRegularFile(path.join(this.root, relative), relative);
    try {
      for await (const chunk of handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>)
        hash.update(chunk);
    } finally {
      await handle.close();
    }
    return this.#remember(relative, stat, hash);
  }

  #remember(relative: string, stat: BigIntStats, hash: Hash): string {
    const sha256 = hash.digest('hex');
    this.#cache.set(relative, { key: cacheKey(stat), sha256 });
    return sha256;
  }
}

function kindOf(stat: BigIntStats): SkipReason | undefined {
  if (stat.isFile()) return undefined;
  if (stat.isSymbolicLink()) return 'symlink';
  if (stat.isFIFO()) return 'fifo';
  if (stat.isSocket()) return 'socket';
  return 'device';
}

function cacheKey(stat: BigIntStats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

function limitError(message: string): RunnerError {
  return new RunnerError('WORKSPACE_LIMIT', message);
}
