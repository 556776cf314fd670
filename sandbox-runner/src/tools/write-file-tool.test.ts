import { mkdtemp, readFile, realpath, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunLimits } from '../protocol.js';
import { ToolRunner } from '../tool-runner.js';
import { ProcessGroups } from './process-groups.js';

const LIMITS: RunLimits = {
  maxSteps: 10,
  toolTimeoutMs: 5_000,
  maxToolTimeoutMs: 10_000,
  toolOutputBytes: 4096,
};

describe('write_file tool', () => {
  let root: string;
  let outside: string;
  const write = (input: unknown) =>
    new ToolRunner({ workspaceRoot: root, env: {}, limits: LIMITS, processGroups: new ProcessGroups() }).run(
      'write_file',
      input,
      new AbortController().signal,
    );

  beforeEach(async () => {
    root = await realpath(await mkdtemp(path.join(tmpdir(), 'write-')));
    outside = await realpath(await mkdtemp(path.join(tmpdir(), 'outside-')));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('creates parent directories and reports the bytes written', async () => {
    expect(await write({ path: 'a/b/c.txt', content: 'héllo' })).toEqual({
      output: 'wrote 6 bytes to a/b/c.txt',
      isError: false,
      truncated: false,
    });
    expect(await readFile(path.join(root, 'a', 'b', 'c.txt'), 'utf8')).toBe('héllo');
  });

  it('overwrites an existing file', async () => {
    await write({ path: 'x.txt', content: 'first' });
    await write({ path: 'x.txt', content: 'second' });
    expect(await readFile(path.join(root, 'x.txt'), 'utf8')).toBe('second');
  });

  it('writes nothing outside the workspace', async () => {
    await symlink(outside, path.join(root, 'out'));
    await symlink(path.join(outside, 'planted'), path.join(root, 'planted'));
    for (const target of ['../escape.txt', `${outside}/abs.txt`, 'out/via-link.txt', 'planted']) {
      expect(await write({ path: target, content: 'x' })).toMatchObject({ isError: true });
    }
    await expect(stat(path.join(outside, 'via-link.txt'))).rejects.toThrow();
    await expect(stat(path.join(outside, 'planted'))).rejects.toThrow();
  });

  it('refuses to overwrite a directory', async () => {
    await write({ path: 'dir/file.txt', content: 'x' });
    expect(await write({ path: 'dir', content: 'x' })).toMatchObject({
      isError: true,
      output: 'dir: is a directory',
    });
  });
});
