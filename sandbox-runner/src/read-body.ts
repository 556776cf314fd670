import type { Readable } from 'node:stream';

/** Reads at most `maxBytes` of a response body and drops the rest (agentd's error bodies are small). */
export async function readBody(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (size >= maxBytes) continue;
    const part = chunk.subarray(0, maxBytes - size);
    chunks.push(part);
    size += part.length;
  }
  return Buffer.concat(chunks);
}

/** The `{ error: { code, message } }` body agentd answers with on failure, if that is what `body` holds. */
export function parseErrorBody(body: Buffer): { code?: string; message?: string } {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) return {};
    const error: unknown = parsed.error;
    if (typeof error !== 'object' || error === null) return {};
    const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
    const message = 'message' in error && typeof error.message === 'string' ? error.message : undefined;
    return { ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }) };
  } catch {
    return {};
  }
}
