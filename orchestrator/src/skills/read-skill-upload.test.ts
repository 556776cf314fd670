import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { isAgentdError } from '../common/errors.js';
import { SKILL_LIMITS, type SkillLimits } from './skill-limits.js';
import { readSkillUpload, type SkillUploadFormat } from './read-skill-upload.js';

type Headers = Partial<Header> & Pick<Header, 'name'>;
import { ZipFile } from 'yazl';

const SKILL_MD =
  '---\nname: pdf-tools\ndescription: Fill and merge PDF forms.\n---\n# PDF tools\nUse scripts/fill.py.\n';

async function tarOf(entries: (Headers & { content?: Buffer | string })[]): Promise<Buffer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of tar as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const { content, ...header } of entries) {
    await new Promise<void>((resolve, reject) =>
      tar.entry(header, Buffer.from(content ?? ''), (err) => (err ? reject(err) : resolve())),
    );
  }
  tar.finalize();
  await done;
  return Buffer.concat(chunks);
}

interface ZipEntry {
  name: string;
  content: string | Buffer;
  mode?: number;
  deflate?: boolean;
}

function zipOf(entries: ZipEntry[]): Promise<Buffer> {
  const zip = new ZipFile();
  for (const e of entries) {
    if (e.name.endsWith('/')) zip.addEmptyDirectory(e.name, { mode: e.mode ?? 0o040755 });
    else
      zip.addBuffer(Buffer.from(e.content), e.name, {
        mode: e.mode ?? 0o100644,
        compress: e.deflate ?? false,
      });
  }
  zip.end();
  const chunks: Buffer[] = [];
  zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => zip.outputStream.on('end', () => resolve(Buffer.concat(chunks))));
}

function body(buffer: Buffer): AsyncIterable<Buffer> {
  return Readable.from([buffer]);
}

async function refusal(
  format: SkillUploadFormat,
  data: Buffer | AsyncIterable<Buffer>,
  limits: SkillLimits = SKILL_LIMITS,
) {
  try {
    await readSkillUpload(format, Buffer.isBuffer(data) ? body(data) : data, limits);
  } catch (err) {
    if (!isAgentdError(err)) throw err;
    return { code: err.code, message: err.message };
  }
  throw new Error('the upload was accepted');
}

const file = (name: string, content: string | Buffer): Headers & { content: string | Buffer } => ({
  name,
  type: 'file',
  size: Buffer.byteLength(content),
  content,
});

describe('skill uploads', () => {
  it('accepts a tar, a tar.gz in a top folder, a zip and a JSON map, all stored the same way', async () => {
    const tar = await tarOf([file('SKILL.md', SKILL_MD), file('scripts/fill.py', 'print(1)\n')]);
    const nested = gzipSync(
      await tarOf([
        { name: 'pdf-tools/', type: 'directory' },
        file('pdf-tools/SKILL.md', SKILL_MD),
        file('pdf-tools/scripts/fill.py', 'print(1)\n'),
      ]),
    );
    const zip = await zipOf([
      { name: 'SKILL.md', content: SKILL_MD },
      { name: 'scripts/', content: '', mode: 0o040755 },
      { name: 'scripts/fill.py', content: 'print(1)\n' },
    ]);
    const json = Buffer.from(
      JSON.stringify({ files: { 'SKILL.md': SKILL_MD, 'scripts/fill.py': 'print(1)\n' } }),
    );
    const results = await Promise.all([
      readSkillUpload('tar', body(tar), SKILL_LIMITS),
      readSkillUpload('tar', body(nested), SKILL_LIMITS),
      readSkillUpload('zip', body(zip), SKILL_LIMITS),
      readSkillUpload('json', body(json), SKILL_LIMITS),
    ]);
    for (const { skill } of results) {
      expect(skill?.name).toBe('pdf-tools');
      expect(skill?.description).toBe('Fill and merge PDF forms.');
      expect(skill?.files.map((f) => f.path)).toEqual(['SKILL.md', 'scripts/fill.py']);
      expect(skill?.digest).toBe(results[0].skill?.digest);
    }
  });

  it.each([
    [
      'a symlink',
      { name: 'link', type: 'symlink', linkname: '/etc/passwd' },
      /symlink entries are not allowed/,
    ],
    ['a hard link', { name: 'hard', type: 'link', linkname: 'SKILL.md' }, /link entries are not allowed/],
    [
      'a character device',
      { name: 'tty', type: 'character-device', devmajor: 5, devminor: 0 },
      /character-device/,
    ],
    ['a block device', { name: 'sda', type: 'block-device', devmajor: 8, devminor: 0 }, /block-device/],
    ['a FIFO', { name: 'pipe', type: 'fifo' }, /fifo entries are not allowed/],
    ['a path escape', file('../escape.txt', 'x'), /has a "\.\." segment/],
    ['an inner path escape', file('scripts/../../escape.txt', 'x'), /has a "\.\." segment/],
    ['an absolute path', file('/etc/cron.d/x', 'x'), /is absolute/],
  ] as const)('refuses a tar with %s (400, naming it)', async (_what, entry, reason) => {
    const tar = await tarOf([file('SKILL.md', SKILL_MD), entry]);
    const refused = await refusal('tar', tar);
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(refused.message).toMatch(reason);
  });

  it.each([
    [
      'a symlink',
      { name: 'link', content: '/etc/passwd', mode: 0o120777 },
      /symlink entries are not allowed/,
    ],
    ['a device', { name: 'dev', content: '', mode: 0o020644 }, /device entries are not allowed/],
  ] as const)('refuses a zip with %s', async (_what, entry, reason) => {
    const refused = await refusal('zip', await zipOf([{ name: 'SKILL.md', content: SKILL_MD }, entry]));
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(refused.message).toMatch(reason);
  });

  it('refuses a zip bomb by its ratio before inflating it (413)', async () => {
    const bomb = await zipOf([
      { name: 'SKILL.md', content: SKILL_MD },
      { name: 'zeros.bin', content: Buffer.alloc(4 * 1024 * 1024), deflate: true },
    ]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    const refused = await refusal('zip', bomb);
    expect(refused.code).toBe('SKILL_LIMIT');
    expect(refused.message).toMatch(/compression ratio \d+:1 exceeds 100:1/);
  });

  it('refuses a gzip bomb while inflating it (413)', async () => {
    const tar = await tarOf([file('SKILL.md', SKILL_MD), file('zeros.bin', Buffer.alloc(6 * 1024 * 1024))]);
    const refused = await refusal('tar', gzipSync(tar));
    expect(refused.code).toBe('SKILL_LIMIT');
    expect(refused.message).toMatch(/compression ratio exceeds 100:1/);
  });

  it('refuses an entry declared larger than the skill limit from its header, without reading it', async () => {
    let sent = 0;
    const stream = (async function* () {
      yield hugeHeader('huge.bin', 1024 ** 3);
      for (;;) {
        sent += 64 * 1024;
        yield Buffer.alloc(64 * 1024);
      }
    })();
    const refused = await refusal('tar', stream);
    expect(refused.code).toBe('SKILL_LIMIT');
    expect(refused.message).toMatch(/huge\.bin declares 1073741824 bytes/);
    expect(sent).toBeLessThan(1024 * 1024);
  });

  it('refuses too many files (413) and an upload over the byte limit (413)', async () => {
    const small: SkillLimits = { ...SKILL_LIMITS, maxFiles: 3, maxUploadBytes: 64 * 1024 };
    const many = await tarOf([file('SKILL.md', SKILL_MD), file('a', '1'), file('b', '2'), file('c', '3')]);
    expect(await refusal('tar', many, small)).toMatchObject({
      code: 'SKILL_LIMIT',
      message: /more than 3 files/,
    });
    const json = Buffer.from(JSON.stringify({ files: { 'SKILL.md': SKILL_MD, a: '1', b: '2', c: '3' } }));
    expect(await refusal('json', json, small)).toMatchObject({
      code: 'SKILL_LIMIT',
      message: /more than 3 files/,
    });
    const big = await tarOf([file('SKILL.md', SKILL_MD), file('big', Buffer.alloc(100 * 1024, 7))]);
    expect(await refusal('tar', big, small)).toMatchObject({
      code: 'SKILL_LIMIT',
      message: /larger than 65536 bytes/,
    });
  });

  it.each([
    ['no SKILL.md', { 'README.md': 'hi' }, /no SKILL\.md/],
    ['no front matter', { 'SKILL.md': '# Just markdown\n' }, /no YAML front matter/],
    ['unparsable front matter', { 'SKILL.md': '---\nname: [a\n---\n' }, /not valid YAML/],
    ['a missing description', { 'SKILL.md': '---\nname: ok\n---\nbody' }, /description is required/],
    [
      'a too long description',
      { 'SKILL.md': `---\nname: ok\ndescription: ${'x'.repeat(1025)}\n---\n` },
      /longer than 1024/,
    ],
    [
      'an upper-case name',
      { 'SKILL.md': '---\nname: PDF\ndescription: d\n---\n' },
      /name must be 1-64 lower-case/,
    ],
    ['a name with a double hyphen', { 'SKILL.md': '---\nname: a--b\ndescription: d\n---\n' }, /name must be/],
    [
      'a name of 65 characters',
      { 'SKILL.md': `---\nname: ${'a'.repeat(65)}\ndescription: d\n---\n` },
      /name must be/,
    ],
    ['a path with a NUL', { 'SKILL.md': SKILL_MD, 'a\u0000b': 'x' }, /control character or NUL/],
  ])('refuses a skill with %s (400)', async (_what, files, reason) => {
    const refused = await refusal('json', Buffer.from(JSON.stringify({ files })));
    expect(refused.code).toBe('VALIDATION_FAILED');
    expect(refused.message).toMatch(reason);
  });

  it('refuses YAML aliases (billion laughs) and a folder named unlike the skill', async () => {
    const laughs = '---\na: &a [x, x]\nb: [*a, *a]\nname: ok\ndescription: d\n---\n';
    expect(
      await refusal('json', Buffer.from(JSON.stringify({ files: { 'SKILL.md': laughs } }))),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    const other = await tarOf([file('other/SKILL.md', SKILL_MD)]);
    expect(await refusal('tar', other)).toMatchObject({ message: /folder other differs/ });
  });
});

/** A ustar header block declaring `size` bytes, for a body the test streams without allocating. */
function hugeHeader(name: string, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 'utf8');
  block.write('0000644\0', 100);
  block.write('0001750\0', 108);
  block.write('0001750\0', 116);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('00000000000\0', 136);
  block.write('        ', 148);
  block.write('0', 156);
  block.write('ustar\0', 257);
  block.write('00', 263);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}
