import type Docker from 'dockerode';
import { AgentdError } from '../common/errors.js';

/** Keeps the first `max` bytes pushed into it. */
export class BoundedSink {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    if (this.#size >= this.max) return;
    const slice = chunk.subarray(0, this.max - this.#size);
    this.#chunks.push(slice);
    this.#size += slice.length;
  }
  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

export function waitForEnd(
  stream: NodeJS.ReadableStream,
  timeoutMs: number | undefined,
  onTimeout: () => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            onTimeout();
            reject(new AgentdError('INTERNAL_ERROR', `exec did not finish within ${timeoutMs} ms`));
          }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Docker's multiplexed log format: 8-byte header (stream, 0, 0, 0, size32) per frame. */
export function demuxBuffer(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString('utf8') : Buffer.concat(parts).toString('utf8');
}

/** Resolves when an image build/import stream ends; rejects on the first error the engine reports in it. */
export function followProgress(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onProgress: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: { error?: string; errorDetail?: { message?: string } }[]) => {
        if (err) return reject(err);
        const failure = output.find((o) => o.error ?? o.errorDetail);
        if (failure)
          return reject(new Error(failure.error ?? failure.errorDetail?.message ?? 'image operation failed'));
        resolve();
      },
      (event: { stream?: string; status?: string; progress?: string }) => {
        const line = (event.stream ?? [event.status, event.progress].filter(Boolean).join(' ')).trimEnd();
        if (line) onProgress(line);
      },
    );
  });
}
