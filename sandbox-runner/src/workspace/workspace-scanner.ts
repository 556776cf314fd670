import { createHash } from 'node:crypto';
import { createReadStream, type BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
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

  async scan(limits: WorkspaceLimits): Promise<WorkspaceScan> {
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
    const walk = async (dirRelative: string): Promise<void> => {
      const absolute = dirRelative === '' ? this.root : path.join(this.root, dirRelative);
      const names = (await readdir(absolute, { encoding: 'buffer' })).sort((a, b) => Buffer.compare(a, b));
      for (const raw of names) {
        const name = raw.toString('utf8');
        const relative = dirRelative === '' ? name : `${dirRelative}/${name}`;
        if (!Buffer.from(name, 'utf8').equals(raw)) {
          skip(relative, 'invalid-name');
          continue;
        }
        let stat: BigIntStats;
        try {
          stat = await lstat(path.join(absolute, name), { bigint: true });
        } catch {
          skip(relative, 'unreadable');
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
        files.push({
          path: relative,
          size,
          sha256: await this.#hash(relative, stat),
          mtimeMs: Number(stat.mtimeNs / 1_000_000n),
          executable: (stat.mode & 0o100n) !== 0n,
        });
      }
    };
    await walk('');
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

  async #hash(relative: string, stat: BigIntStats): Promise<string> {
    const key = cacheKey(stat);
    const cached = this.#cache.get(relative);
    if (cached?.key === key) return cached.sha256;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(path.join(this.root, relative)) as AsyncIterable<Buffer>)
      hash.update(chunk);
    const sha256 = hash.digest('hex');
    this.#cache.set(relative, { key, sha256 });
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
