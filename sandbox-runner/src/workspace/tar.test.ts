import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTar, type TarEntry } from './tar-reader.js';
import { TarWriter } from './tar-writer.js';

const run = promisify(execFile);

async function pack(files: [string, Buffer][]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const tar = new TarWriter(out);
  for (const [name, content] of files)
    await tar.file(
      { path: name, size: content.length, mode: 0o644, mtimeMs: 1_700_000_000_000 },
      Readable.from([content]),
    );
  await tar.end();
  out.end();
  return Buffer.concat(chunks);
}

async function unpack(archive: Buffer, chunkSize = 7): Promise<[string, Buffer][]> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < archive.length; i += chunkSize) pieces.push(archive.subarray(i, i + chunkSize));
  const out: [string, Buffer][] = [];
  for await (const entry of readTar(Readable.from(pieces))) out.push([entry.path, await all(entry)]);
  return out;
}

async function all(entry: TarEntry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of entry.body) chunks.push(c);
  return Buffer.concat(chunks);
}

describe('runner tar', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tar-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const files: [string, Buffer][] = [
    ['a.txt', Buffer.from('hello\n')],
    ['empty', Buffer.alloc(0)],
    ['deep/'.repeat(30) + 'long-name.bin', Buffer.from([...Array(256).keys()])],
    ['ünï cødé/日本語 ✓.txt', Buffer.from('unicode')],
    ['exact-512', Buffer.alloc(512, 1)],
    ['big.bin', Buffer.alloc(300_000, 7)],
  ];

  it('round-trips regular files with long and unicode names, whatever the chunking', async () => {
    const archive = await pack(files);
    expect(await unpack(archive)).toEqual(files);
    expect(await unpack(archive, 65536)).toEqual(files);
  });

  it('writes archives GNU tar reads, and reads archives GNU tar writes (PAX names)', async () => {
    await writeFile(path.join(dir, 'ours.tar'), await pack(files));
    const listed = await run('tar', ['-tf', path.join(dir, 'ours.tar')]);
    expect(listed.stdout.trim().split('\n')).toEqual(files.map(([n]) => n));
    const src = path.join(dir, 'src');
    for (const [name, content] of files) {
      await mkdir(path.dirname(path.join(src, name)), { recursive: true });
      await writeFile(path.join(src, name), content);
    }
    const names = files.map(([n]) => n);
    await run('tar', ['--format=posix', '-cf', path.join(dir, 'theirs.tar'), '-C', src, ...names]);
    expect(await unpack(await readFile(path.join(dir, 'theirs.tar')))).toEqual(files);
  });

  it('refuses entries that are not regular files, bad checksums and truncated archives', async () => {
    await mkdir(path.join(dir, 'src'));
    await writeFile(path.join(dir, 'src', 'real'), 'x');
    await run('ln', ['-s', '/etc/passwd', path.join(dir, 'src', 'link')]);
    await run('tar', ['-cf', path.join(dir, 'link.tar'), '-C', path.join(dir, 'src'), 'link']);
    await expect(unpack(await readFile(path.join(dir, 'link.tar')))).rejects.toThrow(
      /type "2" is not a regular file/,
    );
    await run('tar', ['-cf', path.join(dir, 'dir.tar'), '-C', dir, 'src']);
    await expect(unpack(await readFile(path.join(dir, 'dir.tar')))).rejects.toThrow(/type "5"/);
    const good = await pack([['a', Buffer.from('abc')]]);
    const corrupt = Buffer.from(good);
    corrupt[10] = 0x41;
    await expect(unpack(corrupt)).rejects.toThrow(/checksum/);
    await expect(unpack(good.subarray(0, 600))).rejects.toThrow(/truncated/);
  });

  it('refuses to write more or fewer bytes than announced', async () => {
    const tar = new TarWriter(new PassThrough());
    await expect(
      tar.file({ path: 'x', size: 2, mode: 0o644, mtimeMs: 0 }, Readable.from([Buffer.from('abc')])),
    ).rejects.toThrow(/grew/);
  });

  it('waits for the reader only once more than maxBuffered bytes wait in the stream', async () => {
    const file = { path: 'f', size: 100_000, mode: 0o644, mtimeMs: 0 };
    const content = Buffer.alloc(100_000, 1);
    // Nobody reads `unread`: a writer that waits for every drain never gets past the first file.
    const strict = new TarWriter(new PassThrough());
    let strictDone = false;
    void strict.file(file, [content]).then(() => (strictDone = true));
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(strictDone).toBe(false);
    const unread = new PassThrough();
    const buffered = new TarWriter(unread, 1024 * 1024);
    for (let i = 0; i < 5; i++) await buffered.file(file, [content]);
    expect(unread.writableLength).toBeGreaterThan(400_000);
    let bufferedDone = false;
    const more = buffered.file({ ...file, size: 1024 * 1024 }, [Buffer.alloc(1024 * 1024)]).then(() => {
      bufferedDone = true;
    });
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(bufferedDone).toBe(false);
    unread.resume();
    await more;
  });

  it('writes extra PAX records beside a long name, each as a length-prefixed record', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const tar = new TarWriter(out);
    const long = `${'d/'.repeat(60)}ü.txt`;
    const hash = 'ab'.repeat(32);
    const content = Buffer.from('payload');
    const header = { size: content.length, mode: 0o644, mtimeMs: 0, pax: { 'agentd.sha256': hash } };
    await tar.file({ ...header, path: long }, [content]);
    await tar.file({ ...header, path: 'short.txt' }, [content]);
    await tar.end();
    out.end();
    const archive = Buffer.concat(chunks);
    const records = archive.toString('latin1').match(/\d+ agentd\.sha256=[0-9a-f]{64}\n/g) ?? [];
    expect(records).toEqual([`82 agentd.sha256=${hash}\n`, `82 agentd.sha256=${hash}\n`]);
    expect(Buffer.byteLength(records[0] ?? '')).toBe(82);
    expect(await unpack(archive)).toEqual([
      [long, content],
      ['short.txt', content],
    ]);
  });
});
