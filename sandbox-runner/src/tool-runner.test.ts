import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunLimits } from './protocol.js';
import { ToolRunner } from './tool-runner.js';
import { ProcessGroups } from './tools/process-groups.js';

const LIMITS: RunLimits = {
  maxSteps: 10,
  toolTimeoutMs: 5_000,
  maxToolTimeoutMs: 10_000,
  toolOutputBytes: 4096,
};

describe('ToolRunner', () => {
  let root: string;
  const runner = (limits: Partial<RunLimits> = {}) =>
    new ToolRunner({
      workspaceRoot: root,
      env: {},
      limits: { ...LIMITS, ...limits },
      processGroups: new ProcessGroups(),
    });

  beforeEach(async () => {
    root = await realpath(await mkdtemp(path.join(tmpdir(), 'runner-')));
    await writeFile(path.join(root, 'euro.txt'), '€'.repeat(100));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('cuts plainly when even the truncation note does not fit', async () => {
    const result = await runner({ toolOutputBytes: 10 }).run(
      'read_file',
      { path: 'euro.txt' },
      new AbortController().signal,
    );
    expect(result).toEqual({ output: '€€€', isError: false, truncated: true });
  });

  it('says a tool was cancelled when the run is', async () => {
    const abort = new AbortController();
    abort.abort(new Error('cancel'));
    const result = await runner().run('read_file', { path: 'euro.txt' }, abort.signal);
    expect(result).toEqual({ output: 'read_file was cancelled', isError: true, truncated: false });
  });

  it('turns an unknown tool into an error result', async () => {
    const result = await runner().run('nope', {}, new AbortController().signal);
    expect(result.isError).toBe(true);
    expect(result.output).toContain('unknown tool "nope"');
  });
});
