import type { IncomingMessage } from 'node:http';
import { AgentdError } from '../common/errors.js';

/** Reads a request body up to `maxBytes`; a larger body is a protocol error (the runner is untrusted). */
export function readBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > maxBytes) {
      reject(tooLarge(maxBytes));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      req.destroy();
      reject(new AgentdError('RUNNER_PROTOCOL_ERROR', `request body not received within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        clearTimeout(timer);
        req.destroy();
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

function tooLarge(maxBytes: number): AgentdError {
  return new AgentdError('RUNNER_PROTOCOL_ERROR', `request body exceeds ${maxBytes} bytes`);
}

export async function readJson(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<unknown> {
  const body = await readBody(req, maxBytes, timeoutMs);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AgentdError('RUNNER_PROTOCOL_ERROR', 'request body is not JSON');
  }
}
