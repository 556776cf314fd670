import type { ErrorCode, Severity } from '../common/errors.js';
import type { FeedItem } from '../runs/run-stream-service.js';

/** An error a transport sends when a run's feed ends without the run's end: the same body on SSE and WebSocket. */
export interface FeedErrorBody {
  type: 'error';
  runId: string;
  code: ErrorCode;
  message: string;
  severity: Severity;
  recoverable: boolean;
  /** For `STREAM_LAGGED`: the first sequence number still retained (resume after `firstSeq - 1`). */
  firstSeq?: number;
}

/** The error body for a feed item that ends a follow early (`expired`, `lagged`); undefined for the others. */
export function feedErrorBody(runId: string, item: FeedItem): FeedErrorBody | undefined {
  switch (item.kind) {
    case 'expired':
      return {
        type: 'error',
        runId,
        code: 'NOT_FOUND',
        message: 'the run’s events are no longer available',
        severity: 'error',
        recoverable: false,
      };
    case 'lagged':
      return {
        type: 'error',
        runId,
        code: 'STREAM_LAGGED',
        message: `this client fell ${item.missed} events behind the event log's retention; resume after ${item.firstSeq - 1}`,
        severity: 'warning',
        recoverable: true,
        firstSeq: item.firstSeq,
      };
    case 'events':
    case 'done':
    case 'shutdown':
      return undefined;
  }
}
