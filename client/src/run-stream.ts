import { AgentdError, type Severity } from './agentd-error.js';
import type { Http } from './http.js';
import type { RunEvent, RunEventOf } from './run-events.js';
import { readSse } from './sse-reader.js';

const EVENTS_ROUTE = 'GET /api/tenants/{tenantId}/conversations/{conversationId}/runs/{runId}/events';

export interface RunStreamOptions {
  /** Resumes in a row that bring no new event before the stream gives up (default 5). */
  maxResumes?: number;
  /** A connection silent for this long is dead and resumed (default 45 s; agentd pings every 15 s). */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
}

export interface RunStreamTarget {
  tenantId: string;
  /** Unknown before a new simple chat answers (its `X-Chat-ID`). */
  conversationId?: string;
  runId?: string;
  /** The last sequence number already seen (a resume starts after it). */
  lastEventId?: number;
  /** A run ticket: the resume carries it as `?ticket=` instead of a credential header (browsers). */
  ticket?: string;
}

/**
 * A run's events as an async iterator. It follows the run to its end (`: done`, or a resume that answers 204)
 * and resumes by itself with `Last-Event-ID` when the connection drops, on whichever node answers: the caller
 * sees every event once, in order. `break` out of the loop to stop reading (the run goes on: see `cancel`).
 */
export class RunStream implements AsyncIterable<RunEvent> {
  readonly tenantId: string;
  #conversationId: string | undefined;
  #runId: string | undefined;
  #lastEventId: number;
  #resumes = 0;
  #final: RunEventOf<'final'> | undefined;
  #usage: RunEventOf<'usage'> | undefined;
  #error: RunEventOf<'error'> | undefined;
  #started = false;
  readonly #http: Http;
  readonly #open: (() => Promise<Response>) | undefined;
  readonly #ticket: string | undefined;
  readonly #maxResumes: number;
  readonly #idleMs: number;
  readonly #abort = new AbortController();

  /** `open` starts the run (the POST); without it the stream starts as a resume of `target.runId`. */
  constructor(
    http: Http,
    target: RunStreamTarget,
    open: ((signal: AbortSignal) => Promise<Response>) | undefined,
    options: RunStreamOptions = {},
  ) {
    this.#http = http;
    this.tenantId = target.tenantId;
    this.#conversationId = target.conversationId;
    this.#runId = target.runId;
    this.#lastEventId = target.lastEventId ?? 0;
    this.#ticket = target.ticket;
    this.#open = open && (() => open(this.#abort.signal));
    this.#maxResumes = options.maxResumes ?? 5;
    this.#idleMs = options.idleTimeoutMs ?? 45_000;
    const { signal } = options;
    if (signal?.aborted) this.#abort.abort(signal.reason);
    else signal?.addEventListener('abort', () => this.#abort.abort(signal.reason), { once: true });
  }

  /** The conversation (a simple chat's id, known once its response headers arrived). */
  get conversationId(): string | undefined {
    return this.#conversationId;
  }
  /** The run's id (from `X-Run-ID`, before the first event, or from `run_start`). */
  get runId(): string | undefined {
    return this.#runId;
  }
  /** The last sequence number received: where a resume starts. */
  get lastEventId(): number {
    return this.#lastEventId;
  }
  /** How many times the stream reconnected. */
  get resumes(): number {
    return this.#resumes;
  }
  /** The `final` event, once received. */
  get final(): RunEventOf<'final'> | undefined {
    return this.#final;
  }
  /** The `usage` event, once received. */
  get usage(): RunEventOf<'usage'> | undefined {
    return this.#usage;
  }
  /** The run's `error` event, when it failed. */
  get error(): RunEventOf<'error'> | undefined {
    return this.#error;
  }

  /** Stops reading (the run itself goes on for agentd's disconnect grace; `cancel` stops it). */
  close(): void {
    this.#abort.abort(new AgentdError(closedError));
  }

  /** Cancels the run on agentd (from any node). */
  async cancel(): Promise<void> {
    const runId = this.#runId;
    const conversationId = this.#conversationId;
    if (runId === undefined || conversationId === undefined) throw new TypeError('the run has no id yet');
    await this.#http.send('POST /api/tenants/{tenantId}/conversations/{conversationId}/runs/{runId}/cancel', {
      path: { tenantId: this.tenantId, conversationId, runId },
    });
  }

  /** Reads the stream to its end and returns the `final` text (throws the run's error if it failed). */
  async finalText(): Promise<string> {
    for await (const event of this) this.#record(event);
    if (this.#error) throw eventError(this.#error);
    return this.#final?.content ?? '';
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<RunEvent> {
    if (this.#started) throw new TypeError('a RunStream can be iterated once');
    this.#started = true;
    let response: Response | undefined = this.#open ? await this.#open() : await this.#resume();
    let fruitless = 0;
    try {
      while (response !== undefined) {
        this.#runId ??= response.headers.get('x-run-id') ?? undefined;
        this.#conversationId ??= response.headers.get('x-chat-id') ?? undefined;
        const before = this.#lastEventId;
        let done = false;
        try {
          for await (const item of readSse(response.body as ReadableStream<Uint8Array>, this.#idleMs)) {
            if (item.kind === 'comment') {
              if (item.text === 'done') done = true;
              continue;
            }
            const seq = Number(item.message.id);
            // A replay never repeats what the caller already has.
            if (Number.isInteger(seq) && seq > 0 && seq <= this.#lastEventId) continue;
            const event = JSON.parse(item.message.data) as RunEvent;
            if (Number.isInteger(seq) && seq > 0) this.#lastEventId = seq;
            // A reader that fell behind the live feed: the event log has what it missed.
            if (event.type === 'error' && event.code === 'STREAM_LAGGED') break;
            this.#runId ??= event.runId;
            this.#record(event);
            yield event;
          }
        } catch (err) {
          if (this.#abort.signal.aborted) throw this.#abort.signal.reason ?? err;
          // The connection dropped (or went silent): resume below.
        }
        if (done) return;
        fruitless = this.#lastEventId > before ? 0 : fruitless + 1;
        if (fruitless > this.#maxResumes) {
          throw new AgentdError({
            code: 'STREAM_INTERRUPTED',
            message: `the run's stream dropped ${fruitless} times in a row without a new event`,
            severity: 'error',
            recoverable: true,
          });
        }
        this.#resumes += 1;
        response = await this.#resume();
      }
    } finally {
      this.#abort.abort(new AgentdError(closedError));
    }
  }

  #record(event: RunEvent): void {
    if (event.type === 'final') this.#final = event;
    else if (event.type === 'usage') this.#usage = event;
    else if (event.type === 'error') this.#error = event;
  }

  /** Reopens the stream after the last event received; `undefined` when the run has nothing more (204). */
  async #resume(): Promise<Response | undefined> {
    const runId = this.#runId;
    const conversationId = this.#conversationId;
    if (runId === undefined || conversationId === undefined) {
      throw new AgentdError({
        code: 'STREAM_INTERRUPTED',
        message: 'the stream dropped before the run had an id: nothing to resume',
        severity: 'error',
        recoverable: false,
      });
    }
    const path = { tenantId: this.tenantId, conversationId, runId };
    const query = this.#ticket === undefined ? undefined : { ticket: this.#ticket };
    const res = await this.#http.fetch(this.#http.url(EVENTS_ROUTE, path, query), {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'last-event-id': String(this.#lastEventId) },
      signal: this.#abort.signal,
    });
    return res.status === 204 ? undefined : res;
  }
}

const closedError = {
  code: 'STREAM_CLOSED',
  message: 'the stream was closed by the client',
  severity: 'warning' as Severity,
  recoverable: false,
};

/** An `error` event as a throwable `AgentdError`. */
export function eventError(event: RunEventOf<'error'>): AgentdError {
  return new AgentdError({
    code: event.code,
    message: event.message,
    severity: event.severity,
    recoverable: event.recoverable,
  });
}
