import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { WorkspaceLimits } from '../protocol.js';
import { WorkspaceScanner } from './workspace-scanner.js';

const LIMITS: WorkspaceLimits = { maxFiles: 100, maxFileBytes: 1000, maxTotalBytes: 5000, maxPathBytes: 768 };

describe('WorkspaceScanner', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'scan-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('describes regular files and reports symlinks and FIFOs as skipped, never following them', async () => {
    await mkdir(path.join(root, 'd'));
    await writeFile(path.join(root, 'd', 'a.txt'), 'abc');
    await writeFile(path.join(root, 'run.sh'), '#!/bin/sh', { mode: 0o755 });
    await symlink('/etc', path.join(root, 'etc'));
    await symlink('/etc/passwd', path.join(root, 'd', 'leak'));
    await promisify(execFile)('mkfifo', [path.join(root, 'pipe')]);
    const scan = await new WorkspaceScanner(root).scan(LIMITS);
    expect(scan.files.map((f) => [f.path, f.size, f.executable])).toEqual([
      ['d/a.txt', 3, false],
      ['run.sh', 9, true],
    ]);
    expect(scan.files[0]?.sha256).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(scan.skipped).toEqual([
      { path: 'd/leak', reason: 'symlink' },
      { path: 'etc', reason: 'symlink' },
      { path: 'pipe', reason: 'fifo' },
    ]);
    expect(scan.skippedTotal).toBe(3);
  });

  it('walks a directory of more entries than one batch of lstat calls: each once, in byte order', async () => {
    // 600 entries span three batches, with a subdirectory and a symlink in the middle one.
    const names = Array.from({ length: 598 }, (_, i) => `f${String(i).padStart(3, '0')}`);
    for (const name of names) await writeFile(path.join(root, name), name);
    await mkdir(path.join(root, 'f300d'));
    await writeFile(path.join(root, 'f300d', 'inner'), 'x');
    await symlink('/etc', path.join(root, 'f301l'));
    const scan = await new WorkspaceScanner(root).scan({ ...LIMITS, maxFiles: 1000, maxTotalBytes: 1e6 });
    const expected = [...names.slice(0, 301), 'f300d/inner', ...names.slice(301)];
    expect(scan.files.map((f) => f.path)).toEqual(expected);
    expect(scan.files.every((f) => f.size === (f.path === 'f300d/inner' ? 1 : 4))).toBe(true);
    expect(scan.skipped).toEqual([{ path: 'f301l', reason: 'symlink' }]);
  });

  it('lets the event loop turn while it reads many files, even empty ones', async () => {
    for (let i = 0; i < 600; i++) await writeFile(path.join(root, `e${String(i).padStart(3, '0')}`), '');
    let turns = 0;
    let stop = false;
    const tick = (): void => {
      turns += 1;
      if (!stop) setImmediate(tick);
    };
    setImmediate(tick);
    const seen: number[] = [];
    try {
      await new WorkspaceScanner(root).scan({ ...LIMITS, maxFiles: 1000 }, () => {
        seen.push(turns);
        return Promise.resolve();
      });
    } finally {
      stop = true;
    }
    expect(seen).toHaveLength(600);
    // Files are read in batches of at most 256 between two turns: 600 files see at least three turn counts.
    expect(new Set(seen).size).toBeGreaterThanOrEqual(3);
  });

  it('fails the scan, without waiting, on a file swapped for a FIFO or a symlink after its lstat', async () => {
    for (const swap of ['fifo', 'symlink'] as const) {
      await writeFile(path.join(root, 'a'), 'a');
      await writeFile(path.join(root, 'b'), 'b');
      // Files are read after the walk, in its order: reading `a` happens after `b` was lstat'ed as a file.
      const scanning = new WorkspaceScanner(root).scan(LIMITS, async (entry) => {
        if (entry.path !== 'a') return;
        await rm(path.join(root, 'b'));
        if (swap === 'fifo') await promisify(execFile)('mkfifo', [path.join(root, 'b')]);
        else await symlink('/etc/passwd', path.join(root, 'b'));
      });
      await expect(scanning).rejects.toMatchObject(
        swap === 'fifo'
          ? { code: 'WORKSPACE_SYNC_FAILED', message: expect.stringContaining('b ') }
          : { code: 'ELOOP' },
      );
      await rm(path.join(root, 'a'));
      await rm(path.join(root, 'b'));
    }
  });

  it('stops with WORKSPACE_LIMIT at the file count, file size and total size', async () => {
    await writeFile(path.join(root, 'big'), Buffer.alloc(1001));
    await expect(new WorkspaceScanner(root).scan(LIMITS)).rejects.toMatchObject({ code: 'WORKSPACE_LIMIT' });
    await rm(path.join(root, 'big'));
    for (let i = 0; i < 6; i++) await writeFile(path.join(root, `f${i}`), Buffer.alloc(900));
    await expect(new WorkspaceScanner(root).scan(LIMITS)).rejects.toThrow(/more than 5000 bytes/);
    await expect(
      new WorkspaceScanner(root).scan({ ...LIMITS, maxFiles: 3, maxTotalBytes: 1e9 }),
    ).rejects.toThrow(/more than 3 files/);
  });

  it('hashes again a file rewritten with the same size and mtime', async () => {
    const file = path.join(root, 'f');
    await writeFile(file, 'one');
    const scanner = new WorkspaceScanner(root);
    const first = (await scanner.scan(LIMITS)).files[0]?.sha256;
    const { mtime } = await stat(file);
    await new Promise((r) => setTimeout(r, 20));
    await writeFile(file, 'two');
    await utimes(file, mtime, mtime);
    const second = (await scanner.scan(LIMITS)).files[0]?.sha256;
    expect(second).not.toBe(first);
  });
});
