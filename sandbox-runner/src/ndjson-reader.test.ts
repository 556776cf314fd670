import { describe, expect, it } from 'vitest';
import { readNdjsonLines } from './ndjson-reader.js';

async function* chunks(...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part);
  await Promise.resolve();
}

async function collect(stream: AsyncIterable<Buffer>, max = 1024): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readNdjsonLines(stream, max)) lines.push(line);
  return lines;
}

describe('readNdjsonLines', () => {
  it('joins lines split across chunks and skips blank ones', async () => {
    expect(await collect(chunks('{"a":', '1}\n\n{"b"', ':2}\r\n{"c":3}'))).toEqual([
      '{"a":1}',
      '{"b":2}',
      '{"c":3}',
    ]);
  });

  it('keeps a multi-byte character split across chunks intact', async () => {
    const bytes = Buffer.from('"€"\n');
    async function* split(): AsyncGenerator<Buffer> {
      yield bytes.subarray(0, 2);
      yield bytes.subarray(2);
      await Promise.resolve();
    }
    expect(await collect(split())).toEqual(['"€"']);
  });

  it('refuses a line longer than the limit', async () => {
    await expect(collect(chunks('x'.repeat(600), 'y'.repeat(600), '\n'), 1000)).rejects.toMatchObject({
      code: 'RUNNER_PROTOCOL_ERROR',
    });
  });
});
