import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalWorkspaceStore } from '../storage/local-workspace-store.js';
import { emptyManifest, type Manifest, type ManifestFile } from './manifest.js';
import { OutboundReceiver } from './outbound-receiver.js';

const ws = { tenantId: 't1', conversationId: 'c1' };
const meta = (content: Buffer): ManifestFile => ({
  size: content.length,
  sha256: createHash('sha256').update(content).digest('hex'),
  mtimeMs: 0,
  executable: false,
});

type Entry = { name: string; content?: Buffer; type?: 'file' | 'symlink' | 'directory'; linkname?: string };

async function archive(entries: Entry[]): Promise<Readable> {
  const tar = pack();
  for (const e of entries) {
    const content = e.content ?? Buffer.alloc(0);
    tar.entry(
      {
        name: e.name,
        type: e.type ?? 'file',
        size: content.length,
        ...(e.linkname ? { linkname: e.linkname } : {}),
      },
      content,
    );
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar as AsyncIterable<Buffer>) chunks.push(chunk);
  return Readable.from([Buffer.concat(chunks)]);
}

describe('OutboundReceiver', () => {
  let root: string;
  let store: LocalWorkspaceStore;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'recv-'));
    store = new LocalWorkspaceStore(path.join(root, 'store'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function receiver(files: Record<string, Buffer>, base: Manifest = emptyManifest()) {
    const scan = new Map(Object.entries(files).map(([p, c]) => [p, meta(c)]));
    return new OutboundReceiver(store, {
      ws,
      syncId: 'sync0000sync0000',
      base,
      files: scan,
      need: [...scan.keys()],
    });
  }

  it('stores new files in files/ and changed ones in staging', async () => {
    const base = emptyManifest(1);
    base.files.set('old.txt', meta(Buffer.from('old')));
    const small = Buffer.from('new content');
    const large = Buffer.alloc(2 * 1024 * 1024, 3);
    const r = receiver({ 'old.txt': small, 'dir/large.bin': large }, base);
    const got = await r.receive(
      await archive([
        { name: 'old.txt', content: small },
        { name: 'dir/large.bin', content: large },
      ]),
    );
    expect(got.staged).toEqual(new Map([['old.txt', 'sync0000sync0000']]));
    expect(got.bytes).toBe(small.length + large.length);
    expect((await store.list(ws)).sort()).toEqual([
      'files/dir/large.bin',
      'staging/sync0000sync0000/old.txt',
    ]);
  });

  it.each([
    [[{ name: '../../x', content: Buffer.from('hello') }], /"\.\.\/\.\.\/x" has a "\.\." segment/],
    [[{ name: '/etc/cron.d/x', content: Buffer.from('hello') }], /is absolute/],
    [[{ name: 'x', type: 'symlink' as const, linkname: '/etc/passwd' }], /x is a symlink/],
    [[{ name: 'x', type: 'directory' as const }], /x is a directory/],
    [[{ name: 'x', content: Buffer.from('HELLO') }], /does not match its SHA-256/],
    [[{ name: 'x', content: Buffer.from('hello!') }], /has 6 bytes, the scan said 5/],
    [[{ name: 'y', content: Buffer.from('hello') }], /arrived where x was expected/],
    [[], /holds 0 of 1 requested files/],
  ])('refuses a hostile archive %#, writing nothing outside the store', async (entries, message) => {
    const r = receiver({ x: Buffer.from('hello') });
    await expect(r.receive(await archive(entries))).rejects.toThrow(message);
    expect(await readdir(root)).toEqual([]);
    expect(await store.list(ws)).toEqual([]);
  });
});
