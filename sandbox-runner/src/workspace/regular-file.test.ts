import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openRegularFile, readRegularFileSync } from './regular-file.js';

describe('reading a workspace file', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'regular-'));
    await writeFile(path.join(root, 'file'), 'content');
    await symlink(path.join(root, 'file'), path.join(root, 'link'));
    await promisify(execFile)('mkfifo', [path.join(root, 'pipe')]);
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reads a regular file, synchronously or through a handle', async () => {
    expect(readRegularFileSync(path.join(root, 'file'), 'file').toString()).toBe('content');
    const handle = await openRegularFile(path.join(root, 'file'), 'file');
    try {
      expect((await handle.readFile()).toString()).toBe('content');
    } finally {
      await handle.close();
    }
  });

  it('refuses a FIFO at once instead of waiting for a writer (no one ever writes to this one)', async () => {
    expect(() => readRegularFileSync(path.join(root, 'pipe'), 'pipe')).toThrow(
      expect.objectContaining({ code: 'WORKSPACE_SYNC_FAILED', message: expect.stringContaining('pipe') }),
    );
    await expect(openRegularFile(path.join(root, 'pipe'), 'pipe')).rejects.toMatchObject({
      code: 'WORKSPACE_SYNC_FAILED',
    });
  });

  it('never reads through a symlink', async () => {
    expect(() => readRegularFileSync(path.join(root, 'link'), 'link')).toThrow(
      expect.objectContaining({ code: 'ELOOP' }),
    );
    await expect(openRegularFile(path.join(root, 'link'), 'link')).rejects.toMatchObject({ code: 'ELOOP' });
  });
});
