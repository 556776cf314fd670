import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ReadFileInput } from '../protocol.js';
import { withFsErrors } from './fs-errors.js';
import { OutputCollector } from './output-collector.js';
import { ToolError, type ToolContext, type ToolOutcome } from './tool.js';
import { resolveWorkspacePath } from './workspace-path.js';

/**
 * Returns the file's text as it is (no line numbers, so edit_file can quote it), optionally lines
 * `offset .. offset + limit - 1`. It reads as a stream and stops at the output limit: a huge file costs little.
 */
export async function readFileTool(input: ReadFileInput, ctx: ToolContext): Promise<ToolOutcome> {
  const target = await resolveWorkspacePath(ctx.workspaceRoot, input.path);
  return withFsErrors(target.display, async () => {
    const info = await stat(target.real);
    if (info.isDirectory()) throw new ToolError(`${target.display} is a directory: use list_files`);
    // A FIFO or device would block or never end.
    if (!info.isFile()) throw new ToolError(`${target.display} is not a regular file`);

    const first = input.offset ?? 1;
    const last = input.limit === undefined ? Infinity : first + input.limit - 1;
    const output = new OutputCollector(ctx.maxOutputBytes);
    let line = 1;
    let lineHasText = false;
    const stream = createReadStream(target.real, { encoding: 'utf8', signal: ctx.signal });
    try {
      for await (const chunk of stream as AsyncIterable<string>) {
        let start = 0;
        while (start < chunk.length && line <= last) {
          const newline = chunk.indexOf('\n', start);
          const end = newline < 0 ? chunk.length : newline + 1;
          if (line >= first) output.push(chunk.slice(start, end));
          start = end;
          if (newline < 0) {
            lineHasText = true;
          } else {
            line += 1;
            lineHasText = false;
          }
        }
        if (line > last || output.truncated) break;
      }
    } finally {
      stream.destroy();
    }
    const lines = lineHasText ? line : line - 1;
    if (first > 1 && first > lines) {
      throw new ToolError(`offset ${first} is past the end of ${target.display} (${lines} lines)`);
    }
    // Bedrock refuses blank text blocks, so an empty result still says something.
    const text = output.text === '' ? `(${target.display} is empty)` : output.text;
    return { output: text, isError: false, truncated: output.truncated };
  });
}
