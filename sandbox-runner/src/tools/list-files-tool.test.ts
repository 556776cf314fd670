import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunLimits } from '../protocol.js';
import { ToolRunner } from '../tool-runner.js';
import { MAX_LIST_ENTRIES } from './list-files-tool.js';
import { ProcessGroups } from './process-groups.js';

const LIMITS: RunLimits = {
  maxSteps: 10,
  toolTimeoutMs: 5_000,
  maxToolTimeoutMs: 10_000,
  toolOutputBytes: 64 * 1024,
};

describe('list_files tool', () => {
  let root: string;
  const list = (input: unknown, limits: Partial<RunLimits> = {}) =>
    new ToolRunner({
      workspaceRoot: root,
      env: {},
      limits: { ...LIMITS, ...limits },
      processGroups: new ProcessGroups(),
    }).run('list_files', input, new AbortController().signal);

  beforeEach(async () => {
    root = await realpath(await mkdtemp(path.join(tmpdir(), 'list-')));
    await mkdir(path.join(root, 'src', 'lib'), { recursive: true });
    await writeFile(path.join(root, 'b.txt'), 'bb');
    await writeFile(path.join(root, 'a.txt'), 'a');
    await writeFile(path.join(root, 'src', 'main.ts'), '1234');
    await writeFile(path.join(root, 'src', 'lib', 'util.ts'), '');
    await symlink('/', path.join(root, 'root-link'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists one directory, sorted, with sizes and trailing slashes', async () => {
    expect(await list({})).toEqual({
      output: 'a.txt (1 bytes)\nb.txt (2 bytes)\nroot-link -> /\nsrc/',
      isError: false,
      truncated: false,
    });
    expect((await list({ path: 'src' })).output).toBe('lib/\nmain.ts (4 bytes)');
  });

  it('lists recursively without following symlinked directories', async () => {
    expect((await list({ recursive: true })).output).toBe(
      'a.txt (1 bytes)\nb.txt (2 bytes)\nroot-link -> /\nsrc/\nsrc/lib/\nsrc/lib/util.ts (0 bytes)\nsrc/main.ts (4 bytes)',
    );
  });

  it('caps a recursive listing and says so', async () => {
    await mkdir(path.join(root, 'many'));
    await Promise.all(
      Array.from({ length: MAX_LIST_ENTRIES + 5 }, (_, i) => writeFile(path.join(root, 'many', `f${i}`), '')),
    );
    const lines = (await list({ recursive: true })).output.split('\n');
    expect(lines).toHaveLength(MAX_LIST_ENTRIES + 1);
    expect(lines.at(-1)).toBe(`[listing capped at ${MAX_LIST_ENTRIES} entries]`);
  });

  it('refuses files, missing paths and paths outside the workspace', async () => {
    expect(await list({ path: 'a.txt' })).toMatchObject({
      isError: true,
      output: 'a.txt is not a directory',
    });
    expect(await list({ path: 'nope' })).toMatchObject({ isError: true });
    expect(await list({ path: 'root-link' })).toMatchObject({ isError: true });
    expect(await list({ path: '..' })).toMatchObject({ isError: true });
  });

  it('gives up when the tool timeout expires', async () => {
    await mkdir(path.join(root, 'many'));
    await Promise.all(Array.from({ length: 500 }, (_, i) => writeFile(path.join(root, 'many', `f${i}`), '')));
    expect(await list({ recursive: true }, { toolTimeoutMs: 1 })).toEqual({
      output: 'list_files timed out after 1 ms',
      isError: true,
      truncated: false,
    });
  });

  it('says an empty directory is empty', async () => {
    await mkdir(path.join(root, 'void'));
    expect((await list({ path: 'void' })).output).toBe('(void is empty)');
  });
});
