import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { RunnerError } from '../runner-error.js';

/**
 * O_NOFOLLOW: a file swapped for a symlink since its lstat is not read through the link. O_NONBLOCK: one swapped
 * for a FIFO does not hold the open until a writer comes (for a regular file the flag changes nothing); whatever
 * was opened must then be a regular file.
 */
const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** The bytes of the regular file at `absolute`, read synchronously: for small files on the workspace's tmpfs. */
export function readRegularFileSync(absolute: string, relative: string): Buffer {
  const fd = openSync(absolute, FLAGS);
  try {
    if (!fstatSync(fd).isFile()) throw notRegular(relative);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The regular file at `absolute`, opened for reading; the caller closes it. */
export async function openRegularFile(absolute: string, relative: string): Promise<FileHandle> {
  const handle = await open(absolute, FLAGS);
  try {
    if (!(await handle.stat()).isFile()) throw notRegular(relative);
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

function notRegular(relative: string): RunnerError {
  return new RunnerError('WORKSPACE_SYNC_FAILED', `${relative} stopped being a regular file during the sync`);
}
