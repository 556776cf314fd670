import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveWorkspacePath } from './workspace-path.js';

describe('resolveWorkspacePath', () => {
  let root: string;
  let outside: string;

  beforeEach(async () => {
    root = await realpath(await mkdtemp(path.join(tmpdir(), 'ws-')));
    outside = await realpath(await mkdtemp(path.join(tmpdir(), 'outside-')));
    await mkdir(path.join(root, 'src'));
    await writeFile(path.join(root, 'src', 'a.txt'), 'a');
    await writeFile(path.join(outside, 'secret'), 'secret');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('resolves relative and absolute paths inside the workspace', async () => {
    await expect(resolveWorkspacePath(root, 'src/a.txt')).resolves.toEqual({
      real: path.join(root, 'src', 'a.txt'),
      display: 'src/a.txt',
    });
    await expect(resolveWorkspacePath(root, path.join(root, 'src'))).resolves.toMatchObject({
      display: 'src',
    });
    await expect(resolveWorkspacePath(root, '.')).resolves.toEqual({ real: root, display: '.' });
    await expect(resolveWorkspacePath(root, 'src/../src/a.txt')).resolves.toMatchObject({
      display: 'src/a.txt',
    });
  });

  it('rejects escapes, outside absolute paths and NUL bytes', async () => {
    await expect(resolveWorkspacePath(root, '../x')).rejects.toThrow('escapes the workspace');
    await expect(resolveWorkspacePath(root, 'src/../../x')).rejects.toThrow('escapes the workspace');
    await expect(resolveWorkspacePath(root, '/etc/passwd')).rejects.toThrow('outside the workspace');
    await expect(resolveWorkspacePath(root, 'src/a.txt\0')).rejects.toThrow('NUL');
    await expect(resolveWorkspacePath(root, '')).rejects.toThrow('empty');
  });

  it('accepts a name that merely starts with two dots', async () => {
    await writeFile(path.join(root, '..hidden'), 'x');
    await expect(resolveWorkspacePath(root, '..hidden')).resolves.toMatchObject({ display: '..hidden' });
  });

  it('rejects a symlink that leaves the workspace, at any depth', async () => {
    await symlink('/etc', path.join(root, 'etc-link'));
    await symlink(outside, path.join(root, 'src', 'out'));
    await expect(resolveWorkspacePath(root, 'etc-link')).rejects.toThrow('resolves outside the workspace');
    await expect(resolveWorkspacePath(root, 'etc-link/passwd')).rejects.toThrow(
      'resolves outside the workspace',
    );
    await expect(resolveWorkspacePath(root, 'src/out/secret')).rejects.toThrow('resolves outside');
    await expect(resolveWorkspacePath(root, 'src/out/new', { allowMissing: true })).rejects.toThrow(
      'outside',
    );
  });

  it('follows a symlink that stays inside', async () => {
    await symlink('src', path.join(root, 'alias'));
    await expect(resolveWorkspacePath(root, 'alias/a.txt')).resolves.toEqual({
      real: path.join(root, 'src', 'a.txt'),
      display: 'alias/a.txt',
    });
  });

  it('refuses to go through a dangling symlink (it could point anywhere once created)', async () => {
    await symlink(path.join(outside, 'not-yet'), path.join(root, 'dangling'));
    await expect(resolveWorkspacePath(root, 'dangling', { allowMissing: true })).rejects.toThrow(
      'points to nothing',
    );
  });

  it('reports a missing path unless missing paths are allowed', async () => {
    await expect(resolveWorkspacePath(root, 'src/nope.txt')).rejects.toThrow('no such file or directory');
    await expect(resolveWorkspacePath(root, 'new/dir/file.txt', { allowMissing: true })).resolves.toEqual({
      real: path.join(root, 'new', 'dir', 'file.txt'),
      display: 'new/dir/file.txt',
    });
  });
});
