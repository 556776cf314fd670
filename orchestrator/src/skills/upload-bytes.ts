import { skillTooLarge } from './skill-errors.js';

/** Counts the request body as it arrives and stops it at `maxBytes` (413), before it is buffered further. */
export async function* limitUpload(
  body: AsyncIterable<Buffer>,
  maxBytes: number,
  counted: { bytes: number },
): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    counted.bytes += chunk.length;
    if (counted.bytes > maxBytes) throw skillTooLarge(`the upload is larger than ${maxBytes} bytes`);
    yield chunk;
  }
}

/** The whole (bounded) body, for formats that need random access (zip) or one parse (JSON). */
export async function readUpload(body: AsyncIterable<Buffer>, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const counted = { bytes: 0 };
  for await (const chunk of limitUpload(body, maxBytes, counted)) chunks.push(chunk);
  return Buffer.concat(chunks, counted.bytes);
}
