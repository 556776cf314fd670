import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ToolError } from './tool.js';

export interface WorkspacePath {
  /** Absolute path with every existing symlink resolved: what the tool operates on. */
  real: string;
  /** The path relative to the workspace, for messages. */
  display: string;
}

export interface ResolveOptions {
  /** Accept a path whose last components do not exist yet (write_file creates them). */
  allowMissing?: boolean;
}

/**
 * Confines a tool path to the workspace. The container is the real boundary; this guard keeps an agent from
 * reading or writing outside /workspace by accident or through a planted symlink (`ln -s /etc x`).
 */
export async function resolveWorkspacePath(
  workspaceRoot: string,
  input: string,
  options: ResolveOptions = {},
): Promise<WorkspacePath> {
  if (input.includes('\0')) throw new ToolError('path contains a NUL byte');
  if (input === '') throw new ToolError('path is empty');
  const root = path.resolve(workspaceRoot);
  const realRoot = await realpath(root);
  const lexical = path.resolve(root, input);
  const base = isInside(root, lexical) ? root : isInside(realRoot, lexical) ? realRoot : undefined;
  if (base === undefined) {
    throw new ToolError(
      path.isAbsolute(input)
        ? `${input} is outside the workspace (${root})`
        : `${input} escapes the workspace`,
    );
  }
  const display = path.relative(base, lexical) || '.';
  const parts = display === '.' ? [] : display.split(path.sep);

  let current = realRoot;
  for (const [index, part] of parts.entries()) {
    const next = path.join(current, part);
    let stat;
    try {
      stat = await lstat(next);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      if (!options.allowMissing) throw new ToolError(`${display}: no such file or directory`);
      return { real: path.join(next, ...parts.slice(index + 1)), display };
    }
    if (!stat.isSymbolicLink()) {
      current = next;
      continue;
    }
    let target: string;
    try {
      target = await realpath(next);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new ToolError(`${display}: a symlink on the way points to nothing`);
      if (code === 'ELOOP') throw new ToolError(`${display}: too many levels of symlinks`);
      throw err;
    }
    if (!isInside(realRoot, target)) throw new ToolError(`${display} resolves outside the workspace`);
    current = target;
  }
  return { real: current, display };
}

function isInside(root: string, candidate: string): boolean {
  const relative = path.relative(root, candidate);
  if (relative === '') return true;
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
