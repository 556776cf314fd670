import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
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

describe('read_file tool', () => {
  let root: string;
  const read = (input: unknown, limits: Partial<RunLimits> = {}) =>
    new ToolRunner({
      workspaceRoot: root,
      env: {},
      limits: { ...LIMITS, ...limits },
      processGroups: new ProcessGroups(),
    }).run('read_file', input, new AbortController().signal);

  beforeEach(async () => {
    root = await realpath(await mkdtemp(path.join(tmpdir(), 'read-')));
    await mkdir(path.join(root, 'src'));
    await writeFile(path.join(root, 'src', 'lines.txt'), 'one\ntwo\nthree\nfour\n');
    await writeFile(path.join(root, 'empty.txt'), '');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('returns the whole file as it is', async () => {
    expect(await read({ path: 'src/lines.txt' })).toEqual({
      output: 'one\ntwo\nthree\nfour\n',
      isError: false,
      truncated: false,
    });
  });

  it('returns a range of lines (offset is 1-based)', async () => {
    expect((await read({ path: 'src/lines.txt', offset: 2, limit: 2 })).output).toBe('two\nthree\n');
    expect((await read({ path: 'src/lines.txt', offset: 4 })).output).toBe('four\n');
    expect((await read({ path: 'src/lines.txt', limit: 1 })).output).toBe('one\n');
  });

  it('handles a last line without a newline', async () => {
    await writeFile(path.join(root, 'no-eol.txt'), 'a\nb');
    expect((await read({ path: 'no-eol.txt', offset: 2 })).output).toBe('b');
    expect(await read({ path: 'no-eol.txt', offset: 3 })).toMatchObject({ isError: true });
  });

  it('says so when the offset is past the end', async () => {
    const result = await read({ path: 'src/lines.txt', offset: 9 });
    expect(result).toMatchObject({
      isError: true,
      output: 'offset 9 is past the end of src/lines.txt (4 lines)',
    });
  });

  it('never answers with blank text', async () => {
    expect(await read({ path: 'empty.txt' })).toMatchObject({
      isError: false,
      output: '(empty.txt is empty)',
    });
  });

  it('refuses directories and missing files', async () => {
    expect(await read({ path: 'src' })).toMatchObject({
      isError: true,
      output: 'src is a directory: use list_files',
    });
    expect(await read({ path: 'nope.txt' })).toMatchObject({
      isError: true,
      output: 'nope.txt: no such file or directory',
    });
  });

  it('does not read through a symlink out of the workspace', async () => {
    await symlink('/etc/passwd', path.join(root, 'passwd'));
    await symlink('/etc', path.join(root, 'etc'));
    expect(await read({ path: 'passwd' })).toMatchObject({
      isError: true,
      output: 'passwd resolves outside the workspace',
    });
    expect(await read({ path: 'etc/hostname' })).toMatchObject({ isError: true });
    expect(await read({ path: '../../etc/passwd' })).toMatchObject({ isError: true });
    expect(await read({ path: '/etc/passwd' })).toMatchObject({ isError: true });
  });

  it('stops at the output limit and says it truncated', async () => {
    await writeFile(path.join(root, 'big.txt'), `${'€'.repeat(50_000)}\n`);
    const result = await read({ path: 'big.txt' }, { toolOutputBytes: 1000 });
    expect(result.truncated).toBe(true);
    expect(Buffer.byteLength(result.output)).toBeLessThanOrEqual(1000);
    expect(result.output).toMatch(/^€+\n\[output truncated\]$/);
  });
});
