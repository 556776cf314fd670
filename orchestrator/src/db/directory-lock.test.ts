import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireDirectoryLock } from './directory-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'agentd-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('directory lock', () => {
  it('is exclusive until released, then free again', async () => {
    const file = path.join(dir, 'db.lock');
    const lock = await acquireDirectoryLock(file, 'the test database');
    expect((await readFile(file, 'utf8')).trim()).toBe(String(process.pid));
    await expect(acquireDirectoryLock(file, 'the test database')).rejects.toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
    });
    await lock.release();
    await lock.release();
    const again = await acquireDirectoryLock(file, 'the test database');
    await again.release();
  });

  it('takes over a lock left by a dead process or by an earlier process with our pid', async () => {
    const file = path.join(dir, 'db.lock');
    // A pid above the kernel's pid_max cannot belong to a live process.
    await writeFile(file, '4194305\n');
    const fromDead = await acquireDirectoryLock(file, 'x');
    expect((await readFile(file, 'utf8')).trim()).toBe(String(process.pid));
    // Taken over, it is exclusive like any other.
    await expect(acquireDirectoryLock(file, 'x')).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    await fromDead.release();
    await expect(readFile(file, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
    await writeFile(file, `${process.pid}\n`);
    const fromEarlierSelf = await acquireDirectoryLock(file, 'x');
    expect((await readFile(file, 'utf8')).trim()).toBe(String(process.pid));
    await expect(acquireDirectoryLock(file, 'x')).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    await fromEarlierSelf.release();
    await expect(readFile(file, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a lock held by another live process', async () => {
    const file = path.join(dir, 'db.lock');
    await writeFile(file, `${process.ppid}\n`);
    await expect(acquireDirectoryLock(file, 'x')).rejects.toThrow(
      new RegExp(`in use by process ${process.ppid}`),
    );
  });
});
