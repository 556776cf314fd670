import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from '@fastify/websocket';
import type { RawData } from 'ws';
import { AgentdError, isAgentdError, ValidationError } from '../common/errors.js';
import type { RunEvent } from '../runs/run-events.js';
import { parseLoggedEvent, type LoggedEvent } from '../runs/run-event-log.js';
import type { Attachment, RunCaller, RunStreamService } from '../runs/run-stream-service.js';
import { feedErrorMessage } from './feed-errors.js';
import { CLOSE, closeSocket, sendText } from './ws-socket.js';
import { parseClientMessage, resumeAfter, type WsClientMessage } from './ws-messages.js';

export interface WsSessionOptions {
  socket: WebSocket;
  streams: RunStreamService;
  caller: RunCaller;
  tenantId: string;
  conversationId: string;
  /** The upgrade's X-User-ID: recorded on runs like SSE's, never used for budgets or caps. */
  userId: string | undefined;
  /** The upgrade request's id: every `error` names it, and message ids start with it. */
  requestId: string;
  shutdown: AbortSignal;
  log: FastifyBaseLogger;
}

interface Following {
  runId: string;
  closed: AbortController;
}

/**
 * One WebSocket connection on one conversation: client messages handled one at a time, in order; at most one
 * run followed at a time, pulled from RunStreamService only as fast as the socket takes it.
 */
export class WsSession {
  #sent = 0;
  #queue: Promise<void> = Promise.resolve();
  #following: Following | undefined;
  readonly #onShutdown = (): void => this.#sayShutdown();

  constructor(private readonly options: WsSessionOptions) {
    const { socket, shutdown } = options;
    socket.once('close', () => {
      shutdown.removeEventListener('abort', this.#onShutdown);
      this.#following?.closed.abort();
    });
    if (shutdown.aborted) this.#sayShutdown();
    else shutdown.addEventListener('abort', this.#onShutdown, { once: true });
  }

  /** Queues one client frame. */
  receive(data: RawData, isBinary: boolean): void {
    this.#queue = this.#queue
      .then(() => this.#handle(data, isBinary))
      .catch((err: unknown) => this.options.log.warn({ err }, 'WebSocket message failed'));
  }

  async #handle(data: RawData, isBinary: boolean): Promise<void> {
    try {
      if (isBinary) throw new ValidationError('invalid message', ['(root): text frames only (JSON)']);
      const message = parseClientMessage(
        Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data),
      );
      await this.#dispatch(message);
    } catch (err) {
      await this.#sendError(err, this.#following?.runId).catch(() => undefined);
    }
  }

  async #dispatch(message: WsClientMessage): Promise<void> {
    const { streams, caller, tenantId, conversationId, shutdown } = this.options;
    switch (message.type) {
      case 'ping':
        await this.#send({ type: 'pong' });
        return;
      case 'chat': {
        this.#refuseWhileFollowing();
        const { runId } = await streams.start(caller, {
          tenantId,
          conversationId,
          message: message.content,
          userId: this.options.userId,
        });
        this.#follow(runId, 0, (closed) =>
          Promise.resolve({ kind: 'feed', feed: streams.follow(runId, 0, { closed, stop: shutdown }) }),
        );
        return;
      }
      case 'resume': {
        this.#refuseWhileFollowing();
        const target = { tenantId, conversationId, runId: message.runId };
        const after = resumeAfter(message);
        this.#follow(message.runId, after, (closed) =>
          streams.attach(target, after, { closed, stop: shutdown }),
        );
        return;
      }
      case 'cancel': {
        const runId = this.#following?.runId;
        if (runId === undefined)
          throw new AgentdError('NOT_FOUND', 'this connection follows no run to cancel');
        await streams.cancel({ tenantId, conversationId, runId });
        return;
      }
    }
  }

  #refuseWhileFollowing(): void {
    const runId = this.#following?.runId;
    if (runId !== undefined)
      throw new AgentdError('CONVERSATION_BUSY', `run ${runId} of this connection is still active`, {
        recoverable: true,
        details: { runId },
      });
  }

  /** Marks `runId` followed at once (a next chat is refused), then streams it in the background. */
  #follow(runId: string, after: number, open: (closed: AbortSignal) => Promise<Attachment>): void {
    const following = { runId, closed: new AbortController() };
    this.#following = following;
    void this.#pump(following, after, open)
      .catch(async (err: unknown) => {
        if (this.options.socket.readyState === this.options.socket.OPEN) await this.#sendError(err, runId);
      })
      .catch(() => undefined)
      .finally(() => {
        if (this.#following === following) this.#following = undefined;
      });
  }

  async #pump(following: Following, after: number, open: (closed: AbortSignal) => Promise<Attachment>) {
    const { runId, closed } = following;
    const attachment = await open(closed.signal);
    if (attachment.kind === 'ended') {
      // A resume at or past a finished run's end: nothing more will come.
      await this.#sendEnd(runId);
      return;
    }
    let lastSeq = after;
    for await (const item of attachment.feed) {
      switch (item.kind) {
        case 'events': {
          const { socket } = this.options;
          const frames = item.events.map((event) => loggedEventFrame(event, runId));
          const last = frames.pop();
          // ws writes in order: once the batch's last frame is on the wire, so is the rest. The next batch is
          // read only then (backpressure); a reader that stays behind the log's bound gets STREAM_LAGGED.
          for (const frame of frames) socket.send(frame);
          if (last !== undefined) await sendText(socket, last);
          lastSeq = item.events.at(-1)?.seq ?? lastSeq;
          break;
        }
        case 'done':
          await this.#sendEnd(runId);
          return;
        case 'expired':
        case 'lagged': {
          const { body } = feedErrorMessage(item, runId, lastSeq);
          await this.#send({ ...body, requestId: this.options.requestId });
          return;
        }
        case 'shutdown':
          // The connection says `server_shutdown` once, for everything it followed.
          return;
      }
    }
  }

  async #sendEnd(runId: string): Promise<void> {
    const run = await this.options.streams.get({ ...this.#conversation(), runId });
    await this.#send({ type: 'end', runId, status: run.status });
  }

  #sayShutdown(): void {
    const runId = this.#following?.runId;
    void this.#send({
      type: 'server_shutdown',
      message: 'this node is shutting down; reconnect and resume with the last seq received',
      ...(runId === undefined ? {} : { runId }),
    })
      .catch(() => undefined)
      .finally(() => closeSocket(this.options.socket, CLOSE.shutdown, 'server shutdown'));
  }

  async #sendError(err: unknown, runId: string | undefined): Promise<void> {
    const known = isAgentdError(err);
    if (!known) this.options.log.error({ err }, 'WebSocket request failed');
    await this.#send({
      type: 'error',
      ...(runId === undefined ? {} : { runId }),
      code: known ? err.code : 'INTERNAL_ERROR',
      // Unexpected errors keep their message in the log only (like a 5xx body).
      message: known ? err.message : 'internal error',
      severity: known ? err.severity : 'error',
      recoverable: known ? err.recoverable : false,
      requestId: this.options.requestId,
      ...(known && err.details ? { details: err.details } : {}),
      ...(known && err.retryAfterSeconds !== undefined ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
    });
  }

  #conversation(): { tenantId: string; conversationId: string } {
    return { tenantId: this.options.tenantId, conversationId: this.options.conversationId };
  }

  /** A message of this connection's own (not a run event): a fresh id and the time it is sent. */
  #send(body: Record<string, unknown>): Promise<void> {
    this.#sent += 1;
    const id = `${this.options.requestId}.${this.#sent}`;
    return sendText(
      this.options.socket,
      JSON.stringify({ id, timestamp: new Date().toISOString(), ...body }),
    );
  }
}

/**
 * A run event as SSE's `data:`, with an `id` that is the same on every replay (`<runId>:<seq>`, so a client
 * can drop duplicates after a resume). tool_call and tool_result name their tool use in `toolUseId` on every
 * transport; only SSE also keeps it in `id` (its older field), which here is the message id.
 */
export function runEventFrame(event: RunEvent): string {
  return JSON.stringify({ ...event, id: `${event.runId}:${event.seq}` });
}

/**
 * `runEventFrame` of a logged event of run `runId`, from its JSON: the `id` goes on the end, as the spread
 * would put it. `"id":` can only occur in an event's JSON as a key (a quote inside a string is escaped), so
 * an event with an `id` of its own, at any depth, is parsed and framed the long way.
 */
export function loggedEventFrame(event: LoggedEvent, runId: string): string {
  const { json } = event;
  if (json.includes('"id":') || json.length < 3 || !json.endsWith('}'))
    return runEventFrame(parseLoggedEvent(event));
  return `${json.slice(0, -1)},"id":${JSON.stringify(`${runId}:${event.seq}`)}}`;
}
