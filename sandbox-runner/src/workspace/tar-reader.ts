import { ByteReader } from './byte-reader.js';
import { BLOCK, checksum, MAX_META_BYTES, padding } from './tar-format.js';

export interface TarEntry {
  path: string;
  size: number;
  /** The entry's content; read it to the end before asking for the next entry. */
  body: AsyncGenerator<Buffer>;
}

/** Thrown for anything that is not a well-formed archive of regular files. */
export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = this.constructor.name;
  }
}

/**
 * Reads a tar stream of regular files (ustar, PAX `path`/`size` records, GNU long names). Any other entry
 * type (links, devices, directories, FIFOs) is an error: the sync carries regular files only.
 */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source);
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  for (;;) {
    const header = await reader.read(BLOCK);
    if (header === undefined) throw new TarError('archive ends without its end-of-archive blocks');
    if (header.every((b) => b === 0)) return;
    const stored = parseOctal(header, 148, 8);
    if (stored !== checksum(header)) throw new TarError('bad header checksum');
    const type = String.fromCharCode(header[156] ?? 0);
    const size = pax.size === undefined ? parseOctal(header, 124, 12) : Number(pax.size);
    if (!Number.isSafeInteger(size) || size < 0) throw new TarError('bad entry size');
    if (type === 'x' || type === 'g' || type === 'L') {
      if (size > MAX_META_BYTES) throw new TarError(`extended header of ${size} bytes`);
      const data = await reader.read(size + padding(size));
      if (data === undefined) throw new TarError('truncated extended header');
      const content = data.subarray(0, size);
      if (type === 'x') pax = parsePax(content);
      else if (type === 'L') longName = content.toString('utf8').replace(/\0+$/, '');
      continue;
    }
    if (type !== '0' && type !== '\0') throw new TarError(`entry of type "${type}" is not a regular file`);
    const path = pax.path ?? longName ?? ustarName(header);
    pax = {};
    longName = undefined;
    let consumed = 0;
    const body = (async function* (): AsyncGenerator<Buffer> {
      for await (const chunk of reader.stream(size)) {
        consumed += chunk.length;
        yield chunk;
      }
    })();
    yield { path, size, body };
    // Whatever the consumer left unread, and the padding, is skipped before the next header.
    await reader.skip(size - consumed + padding(size));
  }
}

function ustarName(header: Buffer): string {
  const name = cString(header, 0, 100);
  const magic = header.subarray(257, 262).toString('ascii');
  const prefix = magic === 'ustar' ? cString(header, 345, 155) : '';
  return prefix === '' ? name : `${prefix}/${name}`;
}

function cString(buf: Buffer, offset: number, length: number): string {
  const field = buf.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? length : end).toString('utf8');
}

function parseOctal(buf: Buffer, offset: number, length: number): number {
  const text = cString(buf, offset, length).trim();
  if (!/^[0-7]+$/.test(text)) throw new TarError('bad numeric header field');
  return parseInt(text, 8);
}

function parsePax(content: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let offset = 0;
  while (offset < content.length) {
    const space = content.indexOf(0x20, offset);
    if (space < 0) throw new TarError('bad PAX record');
    const length = Number(content.subarray(offset, space).toString('ascii'));
    if (!Number.isSafeInteger(length) || length <= space - offset || offset + length > content.length)
      throw new TarError('bad PAX record length');
    const record = content.subarray(space + 1, offset + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq < 0) throw new TarError('bad PAX record');
    out[record.slice(0, eq)] = record.slice(eq + 1);
    offset += length;
  }
  return out;
}
