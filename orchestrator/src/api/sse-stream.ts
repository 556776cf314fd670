import { once } from 'node:events';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { FeedItem } from '../runs/run-stream-service.js';
import { feedErrorMessage } from './feed-errors.js';
import { sseEventFrames } from './sse-frames.js';
import type { SseConnections } from './sse-connections.js';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
} as const;

/** Takes a reply over from Fastify with status 200, keeping headers earlier hooks set (CORS, security). */
function hijack(reply: FastifyReply, extra: OutgoingHttpHeaders): ServerResponse {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) headers[name] = value;
  }
  reply.hijack();
  reply.raw.writeHead(200, { ...headers, ...extra });
  return reply.raw;
}

/** Starts an SSE response on a hijacked reply. */
export function startSse(
  reply: FastifyReply,
  connections: SseConnections,
  extra: Record<string, string>,
): ServerResponse {
  const res = hijack(reply, { ...SSE_HEADERS, ...extra });
  connections.add(res);
  return res;
}

/**
 * Sends a JSON response's headers now (200) on a hijacked reply, for a body that comes later: a long run's
 * id reaches its caller before its answer.
 */
export function startJson(reply: FastifyReply, extra: Record<string, string>): ServerResponse {
  const res = hijack(reply, { 'content-type': 'application/json; charset=utf-8', ...extra });
  res.flushHeaders();
  return res;
}

export interface StreamOptions {
  res: ServerResponse;
  runId: string;
  /** The run's events (RunStreamService.follow/attach), read at this client's pace. */
  feed: AsyncGenerator<FeedItem>;
  /** Aborts when the client went away (the feed listens to the same signal). */
  closed: AbortController;
  /** Aborts at shutdown: a slow client's pending writes are dropped instead of awaited. */
  stop: AbortSignal;
  heartbeatMs: number;
  /** Sent first as `retry:`: how long an EventSource waits before it reconnects. */
  retryMs: number;
  /** The client's position when the stream starts (its Last-Event-ID; 0 for a new run). */
  afterSeq: number;
}

export type StreamEnd = 'done' | 'closed' | 'stopped' | 'expired' | 'lagged';

/**
 * Writes a run's feed as SSE, after a `retry:` line. Each write waits for 'drain', so the feed is pulled only
 * as fast as the client reads; a reader that falls behind the log's retention is told so and disconnected.
 */
export async function streamRunEvents(options: StreamOptions): Promise<StreamEnd> {
  const { res, runId, feed, closed } = options;
  res.once('close', () => closed.abort());
  const writing = AbortSignal.any([closed.signal, options.stop]);
  const heartbeat = setInterval(() => {
    if (!res.writableEnded) res.write(': ping\n\n');
  }, options.heartbeatMs);
  heartbeat.unref();
  let lastSeq = options.afterSeq;
  try {
    await write(res, `retry: ${options.retryMs}\n\n`, writing);
    for await (const item of feed) {
      switch (item.kind) {
        case 'events': {
          // One write per batch: a socket write per event is what a fast stream spent its time on.
          await write(res, sseEventFrames(item.events), writing);
          lastSeq = item.events.at(-1)?.seq ?? lastSeq;
          break;
        }
        case 'expired':
        case 'lagged': {
          // Framed like a run's own `error` (no `event:` line, which an EventSource would route elsewhere); the
          // `id:` sets the client's Last-Event-ID to where a resume should start.
          const { resumeAfter, body } = feedErrorMessage(item, runId, lastSeq);
          await write(res, `id: ${resumeAfter}\ndata: ${JSON.stringify(body)}\n\n`, closed.signal);
          return item.kind;
        }
        case 'done':
          await write(res, ': done\n\n', closed.signal);
          return 'done';
        case 'shutdown': {
          // Not part of the run's log (a resume elsewhere must not replay it): this connection only.
          const event = {
            type: 'server_shutdown',
            runId,
            message: 'this node is shutting down; resume with Last-Event-ID',
          };
          await write(res, `data: ${JSON.stringify(event)}\n\n`, closed.signal);
          return 'stopped';
        }
      }
    }
    return 'closed';
  } catch {
    // The client went away, or the node stops while a slow client still holds unsent data: drop it.
    res.destroy();
    return options.stop.aborted ? 'stopped' : 'closed';
  } finally {
    clearInterval(heartbeat);
    await feed.return(undefined);
    if (!res.writableEnded) res.end();
  }
}

async function write(res: ServerResponse, text: string | Buffer, closed: AbortSignal): Promise<void> {
  if (res.writableEnded || res.destroyed) throw new Error('client gone');
  if (!res.write(text)) await once(res, 'drain', { signal: closed });
}
