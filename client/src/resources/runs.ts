import type { QueryOf } from '../api-types.js';
import type { CallOptions, Http } from '../http.js';
import { RunStream, type RunStreamOptions } from '../run-stream.js';

const STREAM = 'POST /api/tenants/{tenantId}/conversations/{conversationId}/stream';

export interface ResumeOptions extends RunStreamOptions {
  /** Start after this sequence number (0, the default: the whole run). */
  lastEventId?: number;
  /** A run ticket (`tickets.run`), for a browser that holds no credential. */
  ticket?: string;
}

/** Runs of a conversation: one per user message. */
export class Runs {
  constructor(private readonly http: Http) {}

  /**
   * Runs a turn and iterates its events; a dropped connection is resumed with `Last-Event-ID` without the
   * caller noticing, and the iteration ends with the run.
   */
  stream(
    tenantId: string,
    conversationId: string,
    message: string,
    options: RunStreamOptions = {},
  ): RunStream {
    const path = { tenantId, conversationId };
    return new RunStream(
      this.http,
      path,
      (signal) =>
        this.http.fetch(this.http.url(STREAM, path), {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
          body: JSON.stringify({ message }),
          replayable: true,
          signal,
        }),
      options,
    );
  }

  /** Follows a run from any node: its events after `lastEventId`, then live, to its end. */
  events(tenantId: string, conversationId: string, runId: string, options: ResumeOptions = {}): RunStream {
    return new RunStream(
      this.http,
      {
        tenantId,
        conversationId,
        runId,
        ...(options.lastEventId === undefined ? {} : { lastEventId: options.lastEventId }),
        ...(options.ticket === undefined ? {} : { ticket: options.ticket }),
      },
      undefined,
      options,
    );
  }

  /** Runs a turn without streaming: `{ runId, final, usage }` (`status: "cancelled"` when cancelled). */
  query(tenantId: string, conversationId: string, message: string, options?: CallOptions) {
    return this.http.json('POST /api/tenants/{tenantId}/conversations/{conversationId}/query', {
      path: { tenantId, conversationId },
      body: { message },
      ...options,
    });
  }

  /** The conversation's runs, oldest first, a page at a time. */
  list(
    tenantId: string,
    conversationId: string,
    query?: QueryOf<'GET /api/tenants/{tenantId}/conversations/{conversationId}/runs'>,
    options?: CallOptions,
  ) {
    return this.http.json('GET /api/tenants/{tenantId}/conversations/{conversationId}/runs', {
      path: { tenantId, conversationId },
      query,
      ...options,
    });
  }

  get(tenantId: string, conversationId: string, runId: string, options?: CallOptions) {
    return this.http.json('GET /api/tenants/{tenantId}/conversations/{conversationId}/runs/{runId}', {
      path: { tenantId, conversationId, runId },
      ...options,
    });
  }

  /** Cancels a running run (from any node). */
  async cancel(tenantId: string, conversationId: string, runId: string, options?: CallOptions) {
    await this.http.send('POST /api/tenants/{tenantId}/conversations/{conversationId}/runs/{runId}/cancel', {
      path: { tenantId, conversationId, runId },
      ...options,
    });
  }
}
