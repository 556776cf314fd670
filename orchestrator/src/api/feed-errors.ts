import type { ErrorCode, Severity } from '../common/errors.js';
import type { FeedItem } from '../runs/run-stream-service.js';

/** Feed items that end a stream with an error (the transport's own, not the run's). */
export type FeedError = Extract<FeedItem, { kind: 'expired' | 'lagged' }>;

/** The body of a transport error: the same shape as a run's `error` event, so clients parse one thing. */
export interface FeedErrorBody {
  type: 'error';
  runId: string;
  code: ErrorCode;
  message: string;
  severity: Severity;
  recoverable: boolean;
  timestamp: string;
  /** STREAM_LAGGED: the oldest event still retained (resume with Last-Event-ID `firstSeq - 1`). */
  firstSeq?: number;
  /** STREAM_LAGGED: how many events this client lost. */
  missed?: number;
}

export interface FeedErrorMessage {
  /**
   * The sequence number to send as the message's id (SSE `id:`): the client's Last-Event-ID becomes the
   * point a resume should start after.
   */
  resumeAfter: number;
  body: FeedErrorBody;
}

/**
 * Translates a feed error for any transport (SSE, WebSocket). `lastSeq` is the last event this client was
 * sent (or the sequence number it attached after).
 */
export function feedErrorMessage(
  item: FeedError,
  runId: string,
  lastSeq: number,
  now: Date = new Date(),
): FeedErrorMessage {
  const timestamp = now.toISOString();
  switch (item.kind) {
    case 'expired':
      return {
        resumeAfter: lastSeq,
        body: {
          type: 'error',
          runId,
          code: 'NOT_FOUND',
          message: 'the run’s events are no longer available',
          severity: 'error',
          recoverable: false,
          timestamp,
        },
      };
    case 'lagged':
      return {
        // A resume after this skips what is gone and goes on from the oldest retained event.
        resumeAfter: item.firstSeq - 1,
        body: {
          type: 'error',
          runId,
          code: 'STREAM_LAGGED',
          message: `this client fell ${item.missed} events behind the event log's retention and stopped receiving this run; resume after ${item.firstSeq - 1}`,
          severity: 'warning',
          recoverable: true,
          timestamp,
          firstSeq: item.firstSeq,
          missed: item.missed,
        },
      };
  }
}
