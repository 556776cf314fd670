import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConsoleAssets } from './console-assets.js';

describe('loadConsoleAssets', () => {
  let dir = '';
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keys the page, its style and compiled modules by URL path, and nothing else', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'console-'));
    await mkdir(path.join(dir, 'dist'));
    await mkdir(path.join(dir, 'src'));
    await writeFile(path.join(dir, 'index.html'), '<!doctype html>');
    await writeFile(path.join(dir, 'console.css'), 'body{}');
    await writeFile(path.join(dir, 'tsconfig.json'), '{}');
    await writeFile(path.join(dir, 'src', 'main.ts'), 'export {}');
    await writeFile(path.join(dir, 'dist', 'main.js'), 'export {}');
    await writeFile(path.join(dir, 'dist', 'main.d.ts'), 'export {}');
    const assets = await loadConsoleAssets(dir);
    expect([...assets.keys()].sort()).toEqual(['console.css', 'index.html', 'js/main.js']);
    expect(assets.get('js/main.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(assets.get('index.html')?.body.toString()).toBe('<!doctype html>');
  });

  it('is empty when the console was not built or has no page', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'console-'));
    expect((await loadConsoleAssets(path.join(dir, 'missing'))).size).toBe(0);
    await writeFile(path.join(dir, 'console.css'), 'body{}');
    expect((await loadConsoleAssets(dir)).size).toBe(0);
  });
});
