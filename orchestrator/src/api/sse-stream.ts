import { once } from 'node:events';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { RunEventLog } from '../coordination/run-event-log.js';
import type { SseConnections } from './sse-connections.js';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const;

/** Starts an SSE response on a hijacked reply, keeping headers earlier hooks set (CORS, security headers). */
export function startSse(
  reply: FastifyReply,
  connections: SseConnections,
  extra: Record<string, string>,
): ServerResponse {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) headers[name] = value;
  }
  reply.hijack();
  reply.raw.writeHead(200, { ...headers, ...SSE_HEADERS, ...extra });
  connections.add(reply.raw);
  return reply.raw;
}

export interface StreamOptions {
  res: ServerResponse;
  eventLog: RunEventLog;
  runId: string;
  /** Replay events after this seq (0 = from the start; Last-Event-ID on resume). */
  afterSeq: number;
  heartbeatMs: number;
  /** Aborts when the node shuts down: the client gets `server_shutdown` and the stream ends. */
  stop?: AbortSignal;
}

export type StreamEnd = 'done' | 'closed' | 'stopped' | 'expired' | 'lagged';

const BATCH = 256;

/**
 * Writes a run's events as SSE from the event log. The client reads at its own pace: agentd keeps only a
 * cursor per client and waits for 'drain', so a slow reader costs no memory beyond the log's own bound; a
 * reader that falls behind the log's retention is told so and disconnected.
 */
export async function streamRunEvents(options: StreamOptions): Promise<StreamEnd> {
  const { res, eventLog, runId } = options;
  const closed = new AbortController();
  res.once('close', () => closed.abort());
  const signal = options.stop ? AbortSignal.any([closed.signal, options.stop]) : closed.signal;
  const heartbeat = setInterval(() => {
    if (!res.writableEnded) res.write(': ping\n\n');
  }, options.heartbeatMs);
  heartbeat.unref();
  let after = options.afterSeq;
  try {
    for (;;) {
      if (closed.signal.aborted) return 'closed';
      const batch = await eventLog.read(runId, after, BATCH);
      if (!batch) {
        await write(
          res,
          `event: error\ndata: ${JSON.stringify({ type: 'error', runId, code: 'NOT_FOUND', message: 'the run’s events are no longer available' })}\n\n`,
          closed.signal,
        );
        return 'expired';
      }
      if (batch.firstSeq > after + 1) {
        const message = `this client fell ${batch.firstSeq - after - 1} events behind the event log's retention and was disconnected`;
        await write(
          res,
          `event: error\ndata: ${JSON.stringify({ type: 'error', runId, code: 'RATE_LIMITED', message, severity: 'warning', recoverable: false })}\n\n`,
          closed.signal,
        );
        return 'lagged';
      }
      for (const event of batch.events) {
        await write(res, `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`, signal);
        after = event.seq;
      }
      if (batch.done) {
        await write(res, ': done\n\n', closed.signal);
        return 'done';
      }
      if (options.stop?.aborted) {
        // Not part of the run's log (a resume elsewhere must not replay it): this connection only.
        const event = {
          type: 'server_shutdown',
          runId,
          message: 'this node is shutting down; resume with Last-Event-ID',
        };
        await write(res, `data: ${JSON.stringify(event)}\n\n`, closed.signal);
        return 'stopped';
      }
      if (batch.events.length === 0) await eventLog.waitForMore(runId, after, signal);
    }
  } catch {
    // The client went away, or the node stops while a slow client still holds unsent data: drop it.
    res.destroy();
    return options.stop?.aborted ? 'stopped' : 'closed';
  } finally {
    clearInterval(heartbeat);
    if (!res.writableEnded) res.end();
  }
}

async function write(res: ServerResponse, text: string, closed: AbortSignal): Promise<void> {
  if (res.writableEnded || res.destroyed) throw new Error('client gone');
  if (!res.write(text)) await once(res, 'drain', { signal: closed });
}
