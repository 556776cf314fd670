import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { ModelStreamChunk } from '@agentd/sandbox-runner/protocol';
import { AgentdError } from '../common/errors.js';

/** Writes one NDJSON chunk of a model call to the runner, waiting for the socket when it is full. */
export async function writeChunk(
  res: ServerResponse,
  chunk: ModelStreamChunk,
  closed: AbortSignal,
): Promise<void> {
  if (res.writableEnded || res.destroyed)
    throw new AgentdError('RUNNER_PROTOCOL_ERROR', 'the runner went away mid-call');
  // Chunks written in one go of the loop leave in one socket write instead of one each. (The socket is corked,
  // not the response: Node 22 drops a corked response's writes when it ends before the uncork.)
  const socket = res.socket;
  if (socket && socket.writableCorked === 0) {
    socket.cork();
    process.nextTick(() => socket.uncork());
  }
  if (!res.write(`${JSON.stringify(chunk)}\n`)) {
    await once(res, 'drain', { signal: closed }).catch(() => {
      throw new AgentdError('RUNNER_PROTOCOL_ERROR', 'the runner went away mid-call');
    });
  }
}
