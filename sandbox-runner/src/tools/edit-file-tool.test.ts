import { mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
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

describe('edit_file tool', () => {
  let root: string;
  const edit = (input: unknown) =>
    new ToolRunner({ workspaceRoot: root, env: {}, limits: LIMITS, processGroups: new ProcessGroups() }).run(
      'edit_file',
      input,
      new AbortController().signal,
    );
  const content = () => readFile(path.join(root, 'code.ts'), 'utf8');

  beforeEach(async () => {
    root = await realpath(await mkdtemp(path.join(tmpdir(), 'edit-')));
    await writeFile(path.join(root, 'code.ts'), 'const a = 1;\nconst b = 2;\nconst b2 = 2;\n');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('replaces the one occurrence', async () => {
    const result = await edit({ path: 'code.ts', oldText: 'a = 1', newText: 'a = $& 10' });
    expect(result).toMatchObject({
      isError: false,
      output: expect.stringContaining('replaced 1 occurrence'),
    });
    expect(await content()).toBe('const a = $& 10;\nconst b = 2;\nconst b2 = 2;\n');
  });

  it('changes nothing when oldText is missing', async () => {
    const result = await edit({ path: 'code.ts', oldText: 'const z', newText: 'x' });
    expect(result).toMatchObject({ isError: true, output: expect.stringContaining('(0 occurrences)') });
    expect(await content()).toBe('const a = 1;\nconst b = 2;\nconst b2 = 2;\n');
  });

  it('changes nothing when oldText is ambiguous', async () => {
    const result = await edit({ path: 'code.ts', oldText: ' = 2;', newText: ' = 3;' });
    expect(result).toMatchObject({ isError: true, output: expect.stringContaining('occurs 2 times') });
    expect(await content()).toBe('const a = 1;\nconst b = 2;\nconst b2 = 2;\n');
  });

  it('refuses an empty oldText, a missing file and a file outside the workspace', async () => {
    expect(await edit({ path: 'code.ts', oldText: '', newText: 'x' })).toMatchObject({ isError: true });
    expect(await edit({ path: 'nope.ts', oldText: 'a', newText: 'b' })).toMatchObject({ isError: true });
    await symlink('/etc/hostname', path.join(root, 'host'));
    expect(await edit({ path: 'host', oldText: 'a', newText: 'b' })).toMatchObject({
      isError: true,
      output: 'host resolves outside the workspace',
    });
  });
});
