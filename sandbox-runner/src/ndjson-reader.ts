import { RunnerError } from './runner-error.js';

/**
 * Splits a byte stream into lines (without their `\n` or `\r\n`), skipping blank ones. A line longer than
 * `maxLineBytes` is a protocol error, so a misbehaving peer cannot make the runner buffer without bound.
 */
export async function* readNdjsonLines(
  stream: AsyncIterable<Buffer>,
  maxLineBytes: number,
): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of stream) {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline >= 0; newline = chunk.indexOf(10, start)) {
      const tail = chunk.subarray(start, newline);
      if (pendingBytes + tail.length > maxLineBytes) throw tooLong(maxLineBytes);
      const line = pendingBytes > 0 ? Buffer.concat([...pending, tail]) : tail;
      pending = [];
      pendingBytes = 0;
      start = newline + 1;
      const text = line.toString('utf8').replace(/\r$/, '');
      if (text.trim() !== '') yield text;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      pendingBytes += rest.length;
      if (pendingBytes > maxLineBytes) throw tooLong(maxLineBytes);
      pending.push(Buffer.from(rest));
    }
  }
  if (pendingBytes > 0) {
    const text = Buffer.concat(pending).toString('utf8').replace(/\r$/, '');
    if (text.trim() !== '') yield text;
  }
}

function tooLong(maxLineBytes: number): RunnerError {
  return new RunnerError('RUNNER_PROTOCOL_ERROR', `model stream line exceeds ${maxLineBytes} bytes`);
}
