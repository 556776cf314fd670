import { lstat, mkdir, rm, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Makes every parent directory of `relative` a real directory under `root`, replacing whatever stands in the
 * way (a symlink, a file): the store is the truth, and the sync must never write through a planted link.
 * Returns the absolute parent directory.
 */
export async function ensureRealParent(root: string, relative: string): Promise<string> {
  let current = root;
  const parts = relative.split('/');
  for (const part of parts.slice(0, -1)) {
    current = path.join(current, part);
    const stat = await lstat(current).catch(() => undefined);
    if (stat?.isDirectory()) continue;
    if (stat) await unlink(current);
    await mkdir(current, { mode: 0o755 });
  }
  return current;
}

/** Removes the regular file `relative` if it is one, without following a symlink on the way. */
export async function removeRegularFile(root: string, relative: string): Promise<boolean> {
  let current = root;
  for (const part of relative.split('/').slice(0, -1)) {
    current = path.join(current, part);
    const stat = await lstat(current).catch(() => undefined);
    if (!stat?.isDirectory()) return false;
  }
  const target = path.join(current, path.basename(relative));
  const stat = await lstat(target).catch(() => undefined);
  if (!stat?.isFile()) return false;
  await unlink(target);
  return true;
}

/** Clears the way for a file at `target`: a directory there is removed with its content. */
export async function clearTarget(target: string): Promise<void> {
  const stat = await lstat(target).catch(() => undefined);
  if (stat?.isDirectory()) await rm(target, { recursive: true, force: true });
}
