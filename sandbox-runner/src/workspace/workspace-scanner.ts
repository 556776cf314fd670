import { createHash } from 'node:crypto';
import { constants, lstatSync, type BigIntStats } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
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
/** Files read and hashed at once (reads overlap with hashing). */
const HASH_CONCURRENCY = 4;
/** Files up to this size are read in one call; larger ones are streamed. */
const WHOLE_FILE_BYTES = 1024n * 1024n;

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
    // Hashing waits until the walk is done, so many files are read and hashed at once (the order stays the walk's).
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
    let next = 0;
    const hashing = async (): Promise<void> => {
      for (let item = unhashed[next++]; item !== undefined; item = unhashed[next++]) {
        const { sha256, content } = await this.#hash(item.entry.path, item.stat);
        item.entry.sha256 = sha256;
        if (content && onFresh) await onFresh(item.entry, content);
      }
    };
    await Promise.all(Array.from({ length: HASH_CONCURRENCY }, hashing));
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

  /** The hash of the file, and its bytes when it was small enough to read whole (they are what was hashed). */
  async #hash(relative: string, stat: BigIntStats): Promise<{ sha256: string; content?: Buffer }> {
    const hash = createHash('sha256');
    let content: Buffer | undefined;
    // O_NOFOLLOW: a file swapped for a symlink since the lstat is not read through the link.
    const handle = await open(path.join(this.root, relative), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      if (stat.size <= WHOLE_FILE_BYTES) {
        content = await handle.readFile();
        hash.update(content);
      } else
        for await (const chunk of handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>)
          hash.update(chunk);
    } finally {
      await handle.close();
    }
    const sha256 = hash.digest('hex');
    this.#cache.set(relative, { key: cacheKey(stat), sha256 });
    return content === undefined ? { sha256 } : { sha256, content };
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
