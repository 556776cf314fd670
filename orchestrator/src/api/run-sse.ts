import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RunStreamService } from '../runs/run-stream-service.js';
import type { SseConnections } from './sse-connections.js';
import { startSse, streamRunEvents } from './sse-stream.js';

export interface RunSseOptions {
  streams: RunStreamService;
  connections: SseConnections;
  heartbeatMs: number;
  retryMs: number;
  shutdown: AbortSignal;
}

/** Streams a run started a moment ago from its first event, framed exactly like the run stream route. */
export async function streamStartedRun(
  options: RunSseOptions,
  request: FastifyRequest,
  reply: FastifyReply,
  runId: string,
  headers: Record<string, string>,
): Promise<void> {
  const closed = new AbortController();
  const feed = options.streams.follow(runId, 0, { closed: closed.signal, stop: options.shutdown });
  const res = startSse(reply, options.connections, {
    ...headers,
    'x-request-id': request.id,
    'x-run-id': runId,
  });
  await streamRunEvents({
    res,
    runId,
    feed,
    closed,
    afterSeq: 0,
    stop: options.shutdown,
    heartbeatMs: options.heartbeatMs,
    retryMs: options.retryMs,
  });
}
