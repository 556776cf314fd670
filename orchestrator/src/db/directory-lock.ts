import { link, readFile, unlink, writeFile } from 'node:fs/promises';
import { AgentdError } from '../common/errors.js';

export interface DirectoryLock {
  release(): Promise<void>;
}

/**
 * Lock files this process holds. A process that finds its own pid in a lock file cannot tell "mine" from
 * "left by an earlier process with the same pid" (pid 1 in every container) without this.
 */
const heldHere = new Set<string>();

/** An exclusive lock through a pid file; a file left by a dead process is taken over. */
export async function acquireDirectoryLock(lockPath: string, what: string): Promise<DirectoryLock> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    // link() fails atomically when the lock exists, and never exposes a lock file without its pid.
    const staged = `${lockPath}.${process.pid}.tmp`;
    await writeFile(staged, `${process.pid}\n`, { mode: 0o600 });
    try {
      await link(staged, lockPath);
      heldHere.add(lockPath);
      let released = false;
      return {
        release: async () => {
          if (released) return;
          released = true;
          heldHere.delete(lockPath);
          await unlink(lockPath).catch(() => undefined);
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      await unlink(staged).catch(() => undefined);
    }
    const owner = await lockOwner(lockPath);
    if (owner !== undefined && isHeld(lockPath, owner)) {
      throw new AgentdError(
        'DEPENDENCY_UNAVAILABLE',
        `${what} is in use by process ${owner} (lock file ${lockPath})`,
        {
          details: { dependency: 'postgres', lockFile: lockPath, pid: owner },
        },
      );
    }
    await unlink(lockPath).catch(() => undefined);
  }
  throw new AgentdError('DEPENDENCY_UNAVAILABLE', `cannot take the lock file ${lockPath}`, {
    details: { dependency: 'postgres', lockFile: lockPath },
  });
}

async function lockOwner(lockPath: string): Promise<number | undefined> {
  const text = await readFile(lockPath, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

function isHeld(lockPath: string, pid: number): boolean {
  if (pid === process.pid) return heldHere.has(lockPath);
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
