import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalWorkspaceStore } from '../storage/local-workspace-store.js';
import { EarlyReceiver } from './early-receiver.js';
import { emptyManifest, type Manifest } from './manifest.js';

const ws = { tenantId: 't1', conversationId: 'c1' };
const limits = { maxFiles: 3, maxFileBytes: 100, maxTotalBytes: 150, maxPathBytes: 4096 };
const sha = (content: Buffer): string => createHash('sha256').update(content).digest('hex');

type Entry = {
  name: string;
  content?: Buffer;
  hash?: string | null;
  type?: 'file' | 'symlink';
  linkname?: string;
};

async function archive(entries: Entry[]): Promise<Readable> {
  const tar = pack();
  for (const e of entries) {
    const content = e.content ?? Buffer.alloc(0);
    const hash = e.hash === undefined ? sha(content) : e.hash;
    tar.entry(
      {
        name: e.name,
        type: e.type ?? 'file',
        size: content.length,
        ...(e.linkname ? { linkname: e.linkname } : {}),
        ...(hash === null ? {} : { pax: { 'agentd.sha256': hash } }),
      },
      content,
    );
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar as AsyncIterable<Buffer>) chunks.push(chunk);
  return Readable.from([Buffer.concat(chunks)]);
}

describe('EarlyReceiver', () => {
  let root: string;
  let store: LocalWorkspaceStore;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'early-'));
    store = new LocalWorkspaceStore(path.join(root, 'store'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const receiver = (base: Manifest | Promise<Manifest> = emptyManifest()) =>
    new EarlyReceiver(store, { ws, syncId: 'sync0000sync0000', base, limits });

  it('stores new paths in files/, changed ones in staging, and skips content the version holds', async () => {
    const base = emptyManifest(1);
    const same = Buffer.from('unchanged');
    base.files.set('same.txt', { size: same.length, sha256: sha(same), mtimeMs: 0, executable: false });
    base.files.set('old.txt', { size: 3, sha256: sha(Buffer.from('old')), mtimeMs: 0, executable: false });
    const r = receiver(base);
    await r.receive(
      await archive([
        { name: 'dir/new.txt', content: Buffer.from('new') },
        { name: 'old.txt', content: Buffer.from('changed') },
        { name: 'same.txt', content: same },
      ]),
    );
    expect([...r.files.keys()].sort()).toEqual(['dir/new.txt', 'old.txt', 'same.txt']);
    expect(r.files.get('old.txt')).toEqual({ size: 7, sha256: sha(Buffer.from('changed')) });
    expect(r.staged).toEqual(new Map([['old.txt', 'sync0000sync0000']]));
    expect(r.bytes).toBe(3 + 7);
    expect((await store.list(ws)).sort()).toEqual(['files/dir/new.txt', 'staging/sync0000sync0000/old.txt']);
  });

  it.each([
    [[{ name: '../../x', content: Buffer.from('a') }], /has a "\.\." segment/],
    [[{ name: '/etc/cron.d/x', content: Buffer.from('a') }], /is absolute/],
    [[{ name: 'x', type: 'symlink' as const, linkname: '/etc/passwd' }], /x is not a regular file/],
    [[{ name: 'x', content: Buffer.from('a'), hash: null }], /x has no SHA-256/],
    [[{ name: 'x', content: Buffer.from('a'), hash: 'A'.repeat(64) }], /x has no SHA-256/],
    [[{ name: 'x', content: Buffer.from('a'), hash: sha(Buffer.from('b')) }], /does not match its SHA-256/],
    [
      [
        { name: 'x', content: Buffer.from('a') },
        { name: 'x', content: Buffer.from('a') },
      ],
      /x appears twice/,
    ],
  ])('refuses a hostile early archive %#, keeping nothing it did not store', async (entries, message) => {
    const r = receiver();
    await expect(r.receive(await archive(entries))).rejects.toThrow(message);
    expect(await readdir(root)).toEqual(expect.not.arrayContaining(['x']));
    expect(r.files.size).toBeLessThanOrEqual(1);
  });

  it.each([
    [[{ name: 'big', content: Buffer.alloc(101) }], /big has 101 bytes; the limit per file is 100/],
    [
      ['a', 'b', 'c', 'd'].map((name) => ({ name, content: Buffer.from(name) })),
      /more than 3 files in the workspace/,
    ],
    [['a', 'b'].map((name) => ({ name, content: Buffer.alloc(80, name) })), /holds more than 150 bytes/],
  ])('holds the workspace limits before any scan arrives %#', async (entries, message) => {
    const r = receiver();
    const failure = r.receive(await archive(entries));
    await expect(failure).rejects.toThrow(message);
    await expect(failure).rejects.toMatchObject({ code: 'WORKSPACE_LIMIT' });
  });

  it('reads the archive while the base manifest is still being read, and stores once it is', async () => {
    let read!: (m: Manifest) => void;
    const base = new Promise<Manifest>((resolve) => (read = resolve));
    const r = receiver(base);
    const receiving = r.receive(
      await archive(['a', 'b', 'c'].map((name) => ({ name, content: Buffer.from(name) }))),
    );
    // The whole archive is in the body already: an entry parsed before anyone listened would be lost.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await store.list(ws)).toEqual([]);
    read(emptyManifest(1));
    await receiving;
    expect([...r.files.keys()]).toEqual(['a', 'b', 'c']);
    expect((await store.list(ws)).sort()).toEqual(['files/a', 'files/b', 'files/c']);
  });

  it('fails with the read’s error when the base manifest cannot be read', async () => {
    const r = receiver(Promise.reject(new Error('S3 is down')));
    await expect(r.receive(await archive([{ name: 'a', content: Buffer.from('a') }]))).rejects.toThrow(
      /S3 is down/,
    );
    expect(await store.list(ws)).toEqual([]);
  });
});
