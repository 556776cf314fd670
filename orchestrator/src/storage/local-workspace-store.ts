import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, lstat, mkdir, open, readdir, readFile, rename, rm, rmdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AgentdError, errorMessage } from '../common/errors.js';
import { StoreKeys } from './store-keys.js';
import type { ObjectLocation, StoredObject, WorkspaceRef, WorkspaceStore } from './workspace-store.js';

/**
 * Workspaces in a local directory (the embedded default), with the same key layout as S3: each key is a
 * file path under `root`. Only agentd writes here. A hierarchy cannot hold `a` as a file and `a/b` at once,
 * which S3 can: whatever stands in the way of a write is an object no manifest refers to (WorkspaceService
 * never writes over a live object's parent), so it is removed.
 */
export class LocalWorkspaceStore implements WorkspaceStore {
  readonly kind = 'local';
  readonly location: string;
  readonly #keys = new StoreKeys('');
  readonly #tmp: string;

  constructor(private readonly root: string) {
    this.location = root;
    this.#tmp = path.join(root, '.tmp');
  }

  async put(
    ws: WorkspaceRef,
    at: ObjectLocation,
    body: Readable | Buffer,
    size: number | undefined,
  ): Promise<void> {
    return this.#call('write an object', async () => {
      const temporary = await this.#temporary();
      try {
        await pipeline(
          Buffer.isBuffer(body) ? Readable.from([body]) : body,
          createWriteStream(temporary, { flags: 'wx' }),
        );
        const written = (await lstat(temporary)).size;
        if (size !== undefined && written !== size)
          throw new AgentdError('INTERNAL_ERROR', `wrote ${written} bytes, expected ${size}`);
        await this.#place(temporary, this.#file(this.#keys.object(ws, at)));
      } finally {
        await unlink(temporary).catch(() => undefined);
      }
    });
  }

  async get(ws: WorkspaceRef, at: ObjectLocation): Promise<StoredObject | undefined> {
    return this.#call('read an object', async () => {
      return this.#open(this.#file(this.#keys.object(ws, at)));
    });
  }

  async copy(ws: WorkspaceRef, from: ObjectLocation, to: ObjectLocation): Promise<void> {
    return this.#call('copy an object', async () => {
      const temporary = await this.#temporary();
      try {
        await copyFile(this.#file(this.#keys.object(ws, from)), temporary);
        await this.#place(temporary, this.#file(this.#keys.object(ws, to)));
      } finally {
        await unlink(temporary).catch(() => undefined);
      }
    });
  }

  async delete(ws: WorkspaceRef, objects: readonly ObjectLocation[]): Promise<void> {
    return this.#call('delete objects', async () => {
      for (const object of objects) {
        const file = this.#file(this.#keys.object(ws, object));
        const stat = await lstat(file).catch(() => undefined);
        if (!stat?.isFile()) continue;
        await unlink(file);
        const stop =
          object.area === 'files'
            ? this.#file(`${this.#keys.conversation(ws)}files`)
            : object.area === 'skills'
              ? this.#file(this.#keys.skillsRoot(ws))
              : this.#file(this.#keys.stagingRoot(ws));
        await prune(path.dirname(file), stop);
      }
    });
  }

  async readManifest(ws: WorkspaceRef): Promise<Buffer | undefined> {
    return this.#call('read the manifest', async () => {
      try {
        return await readFile(this.#file(this.#keys.manifest(ws)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    });
  }

  async writeManifest(ws: WorkspaceRef, data: Buffer): Promise<void> {
    return this.#call('write the manifest', async () => {
      const temporary = await this.#temporary();
      try {
        const handle = await open(temporary, 'wx', 0o600);
        try {
          await handle.writeFile(data);
          await handle.sync();
        } finally {
          await handle.close();
        }
        await this.#place(temporary, this.#file(this.#keys.manifest(ws)));
      } finally {
        await unlink(temporary).catch(() => undefined);
      }
    });
  }

  async list(ws: WorkspaceRef): Promise<string[]> {
    return this.#call('list objects', async () => {
      return [
        ...(await walk(this.#file(this.#keys.conversation(ws)))),
        ...(await walk(this.#file(this.#keys.stagingRoot(ws)))).map((k) => `staging/${k}`),
      ];
    });
  }

  async deleteAll(ws: WorkspaceRef): Promise<number> {
    return this.#call('delete the workspace', async () => {
      const count = (await this.list(ws)).length;
      await rm(this.#file(this.#keys.conversation(ws)), { recursive: true, force: true });
      await rm(this.#file(this.#keys.stagingRoot(ws)), { recursive: true, force: true });
      return count;
    });
  }

  async ping(): Promise<string> {
    await mkdir(this.#tmp, { recursive: true, mode: 0o700 });
    const probe = path.join(this.#tmp, `ping-${randomBytes(4).toString('hex')}`);
    await open(probe, 'wx').then((h) => h.close());
    await unlink(probe);
    return `local directory ${this.root}`;
  }

  async #call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof AgentdError) throw err;
      throw new AgentdError(
        'DEPENDENCY_UNAVAILABLE',
        `the local workspace store could not ${what}: ${errorMessage(err)}`,
        {
          cause: err,
          details: { dependency: 'workspace-store' },
        },
      );
    }
  }

  #file(key: string): string {
    const file = path.join(this.root, key);
    // StoreKeys already refuses `..`; this keeps even a bug from leaving the root.
    if (!file.startsWith(`${this.root}${path.sep}`))
      throw new AgentdError('INTERNAL_ERROR', `key ${key} escapes the store`);
    return file;
  }

  async #temporary(): Promise<string> {
    await mkdir(this.#tmp, { recursive: true, mode: 0o700 });
    return path.join(this.#tmp, randomBytes(12).toString('hex'));
  }

  async #open(file: string): Promise<StoredObject | undefined> {
    let handle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw err;
    }
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      return undefined;
    }
    return { body: handle.createReadStream({ autoClose: true }), size: stat.size };
  }

  /** Moves a finished temporary file to `target`, making its parents directories on the way. */
  async #place(temporary: string, target: string): Promise<void> {
    let current = this.root;
    for (const part of path.relative(this.root, path.dirname(target)).split(path.sep)) {
      current = path.join(current, part);
      const stat = await lstat(current).catch(() => undefined);
      if (stat?.isDirectory()) continue;
      // Parallel uploads of one sync meet here: both tolerate the other having done it first.
      if (stat) await unlink(current).catch(() => undefined);
      await mkdir(current, { recursive: true, mode: 0o700 });
    }
    const existing = await lstat(target).catch(() => undefined);
    if (existing?.isDirectory()) await rm(target, { recursive: true, force: true });
    await rename(temporary, target);
  }
}

/** Removes empty directories left by deletions, from `dir` up to (not including) `stop`. */
async function prune(dir: string, stop: string): Promise<void> {
  let current = dir;
  while (current.startsWith(`${stop}${path.sep}`)) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    current = path.dirname(current);
  }
}

async function walk(dir: string, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const keys: string[] = [];
  for (const entry of entries) {
    const key = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) keys.push(...(await walk(path.join(dir, entry.name), key)));
    else keys.push(key);
  }
  return keys.sort();
}
