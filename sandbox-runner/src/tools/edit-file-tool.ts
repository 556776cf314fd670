import { readFile, stat, writeFile } from 'node:fs/promises';
import type { EditFileInput } from '../protocol.js';
import { utf8Length } from '../utf8-text.js';
import { withFsErrors } from './fs-errors.js';
import { ToolError, type ToolContext, type ToolOutcome } from './tool.js';
import { resolveWorkspacePath } from './workspace-path.js';

/** Replaces the single occurrence of `oldText`; an ambiguous or missing match changes nothing. */
export async function editFileTool(input: EditFileInput, ctx: ToolContext): Promise<ToolOutcome> {
  if (input.oldText === '') throw new ToolError('oldText is empty: quote the text to replace');
  const target = await resolveWorkspacePath(ctx.workspaceRoot, input.path);
  return withFsErrors(target.display, async () => {
    if (!(await stat(target.real)).isFile()) throw new ToolError(`${target.display} is not a regular file`);
    const content = await readFile(target.real, { encoding: 'utf8', signal: ctx.signal });
    const count = countOccurrences(content, input.oldText);
    if (count !== 1) {
      throw new ToolError(
        count === 0
          ? `oldText was not found in ${target.display} (0 occurrences); nothing was changed`
          : `oldText occurs ${count} times in ${target.display}; it must occur exactly once: quote more context`,
      );
    }
    const at = content.indexOf(input.oldText);
    const updated = content.slice(0, at) + input.newText + content.slice(at + input.oldText.length);
    await writeFile(target.real, updated, { encoding: 'utf8', signal: ctx.signal });
    return {
      output: `replaced 1 occurrence in ${target.display} (now ${utf8Length(updated)} bytes)`,
      isError: false,
    };
  });
}

/** Counts overlapping matches too: "aa" in "aaa" is ambiguous. */
function countOccurrences(text: string, search: string): number {
  let count = 0;
  for (let at = text.indexOf(search); at >= 0; at = text.indexOf(search, at + 1)) count += 1;
  return count;
}
