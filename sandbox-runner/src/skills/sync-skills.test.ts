import { lstat, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallHomeClient } from '../call-home-client.js';
import type { SkillRef, SkillsSyncJob } from '../protocol.js';
import { TarWriter } from '../workspace/tar-writer.js';
import { syncSkills } from './sync-skills.js';

async function archive(files: Record<string, string>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const tar = new TarWriter(out);
  for (const [name, text] of Object.entries(files)) {
    const content = Buffer.from(text);
    await tar.file({ path: name, size: content.length, mode: 0o644, mtimeMs: 0 }, Readable.from([content]));
  }
  await tar.end();
  out.end();
  return Buffer.concat(chunks);
}

const digest = (c: string) => c.repeat(64);

describe('skills sync (runner side)', () => {
  let dir: string;
  let root: string;
  let server: http.Server;
  let client: CallHomeClient;
  const served = new Map<string, Buffer>();
  const fetched: string[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'skills-sync-'));
    root = path.join(dir, 'skills');
    await mkdir(root);
    served.clear();
    fetched.length = 0;
    server = http.createServer((req, res) => {
      const name = (req.url ?? '').split('/').at(-1) ?? '';
      fetched.push(name);
      const body = served.get(name);
      if (!body) res.writeHead(404).end('{}');
      else res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(path.join(dir, 'agentd.sock'), resolve));
    client = new CallHomeClient(path.join(dir, 'agentd.sock'), 'test');
  });
  afterEach(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  const job = (skills: SkillRef[]): SkillsSyncJob => ({
    kind: 'skills_sync',
    jobId: 'j',
    syncId: 's1',
    skills,
  });

  it('writes new skills, keeps unchanged ones without fetching them, replaces changed ones, removes the rest', async () => {
    served.set('a', await archive({ 'SKILL.md': 'A1', 'scripts/x.py': 'print(1)' }));
    served.set('b', await archive({ 'SKILL.md': 'B1' }));
    const first = await syncSkills(
      job([
        { name: 'a', version: 1, digest: digest('a') },
        { name: 'b', version: 1, digest: digest('b') },
      ]),
      client,
      root,
    );
    expect(first).toMatchObject({ ok: true, data: { written: 2, kept: 0, deleted: 0 } });
    expect(await readFile(path.join(root, 'a/scripts/x.py'), 'utf8')).toBe('print(1)');

    // Agent leftovers and a planted symlink are not the runner's to keep.
    await writeFile(path.join(root, 'stray.txt'), 'x');
    await symlink('/etc', path.join(root, 'c'));
    served.set('a', await archive({ 'SKILL.md': 'A2' }));
    fetched.length = 0;
    const second = await syncSkills(
      job([
        { name: 'a', version: 2, digest: digest('c') },
        { name: 'b', version: 1, digest: digest('b') },
      ]),
      client,
      root,
    );
    expect(second).toMatchObject({ ok: true, data: { written: 1, kept: 1, deleted: 2 } });
    expect(fetched).toEqual(['a']);
    expect(await readFile(path.join(root, 'a/SKILL.md'), 'utf8')).toBe('A2');
    await expect(lstat(path.join(root, 'a/scripts'))).rejects.toThrow();
    expect((await readdir(root)).filter((n) => !n.startsWith('.')).sort()).toEqual(['a', 'b']);

    const third = await syncSkills(job([]), client, root);
    expect(third).toMatchObject({ ok: true, data: { written: 0, kept: 0, deleted: 2 } });
    expect((await readdir(root)).filter((n) => !n.startsWith('.'))).toEqual([]);
  });

  it('refuses a bad skill name before touching anything', async () => {
    await expect(
      syncSkills(job([{ name: '../etc', version: 1, digest: digest('a') }]), client, root),
    ).rejects.toThrow(/bad skill reference/);
  });
});
