import type { Writable } from 'node:stream';
import { BLOCK, checksum, END_OF_ARCHIVE, MAX_USTAR_SIZE, padding } from './tar-format.js';

export interface TarFileHeader {
  path: string;
  size: number;
  mode: number;
  mtimeMs: number;
  /** Extra PAX records (vendor keys such as `agentd.sha256`). */
  pax?: Record<string, string>;
}

/**
 * Writes a tar stream of regular files to `out`, waiting for it to drain once `maxBuffered` bytes wait in it,
 * so memory stays bounded without a round trip to the reader for every small file.
 */
export class TarWriter {
  constructor(
    private readonly out: Writable,
    private readonly maxBuffered = 0,
  ) {}

  async file(header: TarFileHeader, body: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
    if (!Number.isSafeInteger(header.size) || header.size < 0 || header.size > MAX_USTAR_SIZE)
      throw new Error(`${header.path}: size ${header.size} does not fit a tar header`);
    const name = Buffer.from(header.path, 'utf8');
    // Names that are not short ASCII go in a PAX record (UTF-8 by definition), the ustar field gets a stand-in.
    const longName = name.length > 100 || /[^\x20-\x7e]/.test(header.path);
    const records = Object.entries(header.pax ?? {}).map(([key, value]) => paxRecord(key, value));
    if (longName) records.push(paxRecord('path', header.path));
    if (records.length > 0) {
      const record = Buffer.concat(records);
      await this.#write(ustarHeader('PaxHeader', record.length, 0o644, header.mtimeMs, 'x'));
      await this.#write(Buffer.concat([record, Buffer.alloc(padding(record.length))]));
    }
    const shortName = longName ? 'file' : header.path;
    await this.#write(ustarHeader(shortName, header.size, header.mode, header.mtimeMs, '0'));
    let written = 0;
    for await (const chunk of body) {
      written += chunk.length;
      if (written > header.size) throw new Error(`${header.path} grew while it was being sent`);
      await this.#write(chunk);
    }
    if (written !== header.size) throw new Error(`${header.path} shrank while it was being sent`);
    const pad = padding(header.size);
    if (pad > 0) await this.#write(Buffer.alloc(pad));
  }

  async end(): Promise<void> {
    await this.#write(END_OF_ARCHIVE);
  }

  async #write(chunk: Buffer): Promise<void> {
    if (this.out.write(chunk) || this.out.writableLength <= this.maxBuffered) return;
    await new Promise<void>((resolve, reject) => {
      const onDrain = (): void => {
        this.out.off('error', onError);
        this.out.off('close', onClose);
        resolve();
      };
      const onError = (err: Error): void => {
        this.out.off('drain', onDrain);
        this.out.off('close', onClose);
        reject(err);
      };
      const onClose = (): void => {
        this.out.off('drain', onDrain);
        this.out.off('error', onError);
        reject(new Error('the connection closed while sending'));
      };
      this.out.once('drain', onDrain);
      this.out.once('error', onError);
      this.out.once('close', onClose);
    });
  }
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = Buffer.byteLength(body);
  let length = bodyBytes + String(bodyBytes).length;
  if (String(length).length + bodyBytes !== length) length = bodyBytes + String(length).length;
  return Buffer.from(`${length}${body}`, 'utf8');
}

function ustarHeader(name: string, size: number, mode: number, mtimeMs: number, type: string): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'utf8');
  octal(header, 100, 8, mode & 0o7777);
  octal(header, 108, 8, 1000);
  octal(header, 116, 8, 1000);
  octal(header, 124, 12, size);
  octal(header, 136, 12, Math.max(0, Math.floor(mtimeMs / 1000)));
  header.write(type, 156, 1, 'ascii');
  header.write('ustar\u000000', 257, 8, 'ascii');
  const sum = checksum(header);
  header.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return header;
}

function octal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}
