import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { WriteFileInput } from '../protocol.js';
import { utf8Length } from '../utf8-text.js';
import { withFsErrors } from './fs-errors.js';
import type { ToolContext, ToolOutcome } from './tool.js';
import { resolveWorkspacePath } from './workspace-path.js';

export async function writeFileTool(input: WriteFileInput, ctx: ToolContext): Promise<ToolOutcome> {
  const target = await resolveWorkspacePath(ctx.workspaceRoot, input.path, { allowMissing: true });
  return withFsErrors(target.display, async () => {
    await mkdir(path.dirname(target.real), { recursive: true });
    await writeFile(target.real, input.content, { encoding: 'utf8', signal: ctx.signal });
    return { output: `wrote ${utf8Length(input.content)} bytes to ${target.display}`, isError: false };
  });
}
