import type { Dirent } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ListFilesInput } from '../protocol.js';
import { withFsErrors } from './fs-errors.js';
import { ToolError, type ToolContext, type ToolOutcome } from './tool.js';
import { resolveWorkspacePath } from './workspace-path.js';

/** Enough for the model to find its way around; a node_modules tree would drown it. */
export const MAX_LIST_ENTRIES = 1000;

/**
 * One entry per line, sorted: directories end in `/`, files show their size, symlinks their target (they are
 * never followed, so a link to `/` or a loop lists as one line).
 */
export async function listFilesTool(input: ListFilesInput, ctx: ToolContext): Promise<ToolOutcome> {
  const target = await resolveWorkspacePath(ctx.workspaceRoot, input.path ?? '.');
  return withFsErrors(target.display, async () => {
    if (!(await stat(target.real)).isDirectory()) throw new ToolError(`${target.display} is not a directory`);
    const lines: string[] = [];
    const state = { capped: false };
    const visit = async (dir: string, prefix: string): Promise<void> => {
      const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => compare(a.name, b.name));
      for (const entry of entries) {
        ctx.signal.throwIfAborted();
        if (lines.length >= MAX_LIST_ENTRIES) {
          state.capped = true;
          return;
        }
        const full = path.join(dir, entry.name);
        lines.push(await describe(entry, full, prefix + entry.name));
        if (input.recursive === true && entry.isDirectory()) await visit(full, `${prefix}${entry.name}/`);
      }
    };
    await visit(target.real, '');
    if (lines.length === 0) return { output: `(${target.display} is empty)`, isError: false };
    if (state.capped) lines.push(`[listing capped at ${MAX_LIST_ENTRIES} entries]`);
    return { output: lines.join('\n'), isError: false };
  });
}

async function describe(entry: Dirent, full: string, name: string): Promise<string> {
  if (entry.isDirectory()) return `${name}/`;
  if (entry.isSymbolicLink()) return `${name} -> ${await readlink(full).catch(() => '?')}`;
  if (entry.isFile()) {
    const size = await lstat(full).then(
      (info) => info.size,
      () => undefined,
    );
    return size === undefined ? name : `${name} (${size} bytes)`;
  }
  return name;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
