import { AgentdError, type Severity } from './agentd-error.js';
import type { RunEvent } from './run-events.js';

/** What a client sends over the conversation WebSocket. */
export type WsClientMessage =
  | { type: 'chat'; content: string }
  | { type: 'cancel' }
  | { type: 'ping' }
  | { type: 'resume'; runId: string; lastEventId: number };

/** What agentd sends: every run event (its `id` is `<runId>:<seq>`), `end` after a run, `pong`, `error`. */
export type WsServerMessage =
  | (RunEvent & { id: string })
  | { type: 'end'; id: string; timestamp: string; runId: string; status: string }
  | { type: 'pong'; id: string; timestamp: string }
  | {
      type: 'error';
      id: string;
      timestamp: string;
      code: string;
      message: string;
      severity: Severity;
      recoverable: boolean;
      requestId?: string;
      runId?: string;
      details?: Record<string, unknown>;
    };

/**
 * One WebSocket on a conversation (the global `WebSocket` of Node 22 and browsers). `chat()` starts a run and
 * iterates its messages up to `end`; `messages()` iterates everything. Close codes are agentd's: 1000 normal,
 * 1001 shutdown, 1008 policy, 4000 heartbeat, 4001 unauthenticated.
 */
export class ConversationSocket {
  readonly #ws: WebSocket;
  readonly #queue: WsServerMessage[] = [];
  #wake: (() => void) | undefined;
  #closed: { code: number; reason: string } | undefined;

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.addEventListener('message', (e: MessageEvent) => {
      this.#queue.push(JSON.parse(String(e.data)) as WsServerMessage);
      this.#notify();
    });
    ws.addEventListener('close', (e: Event) => {
      const { code, reason } = e as Event & CloseInfo;
      this.#closed = { code, reason };
      this.#notify();
    });
  }

  /** Opens `url` (with its credential in the query) and waits until the socket is open. */
  static open(url: string): Promise<ConversationSocket> {
    const ws = new WebSocket(url);
    const socket = new ConversationSocket(ws);
    return new Promise((resolve, reject) => {
      ws.addEventListener('open', () => resolve(socket), { once: true });
      ws.addEventListener(
        'close',
        (e: Event) => {
          const { code, reason } = e as Event & CloseInfo;
          reject(closeError(code, reason || 'the WebSocket closed before it opened'));
        },
        { once: true },
      );
    });
  }

  /** The close code and reason, once closed. */
  get closed(): { code: number; reason: string } | undefined {
    return this.#closed;
  }

  send(message: WsClientMessage): void {
    this.#ws.send(JSON.stringify(message));
  }

  /** Starts a run and yields its messages up to and including `end`. */
  chat(content: string): AsyncGenerator<WsServerMessage> {
    this.send({ type: 'chat', content });
    return this.#untilEnd();
  }

  /** Follows a run of the conversation after `lastEventId`, up to `end`. */
  resume(runId: string, lastEventId: number): AsyncGenerator<WsServerMessage> {
    this.send({ type: 'resume', runId, lastEventId });
    return this.#untilEnd();
  }

  /** Every message until the socket closes (a close other than 1000 throws `AgentdError`). */
  async *messages(): AsyncGenerator<WsServerMessage> {
    for (;;) {
      const next = this.#queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.#closed) {
        if (this.#closed.code === 1000 || this.#closed.code === 1005) return;
        throw closeError(this.#closed.code, this.#closed.reason);
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  close(code = 1000, reason = ''): void {
    this.#ws.close(code, reason);
  }

  async *#untilEnd(): AsyncGenerator<WsServerMessage> {
    for await (const message of this.messages()) {
      yield message;
      // `end` closes a run; an error without a `seq` is the connection's own (a refused `chat`): no `end` follows.
      if (message.type === 'end' || (message.type === 'error' && !('seq' in message))) return;
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** What a close event carries (`CloseEvent`, named without the DOM library). */
interface CloseInfo {
  code: number;
  reason: string;
}

function closeError(code: number, reason: string): AgentdError {
  return new AgentdError({
    code: code === 4001 ? 'UNAUTHENTICATED' : code === 1008 ? 'FORBIDDEN' : 'WEBSOCKET_CLOSED',
    message: `WebSocket closed with ${code}${reason ? `: ${reason}` : ''}`,
    severity: 'error',
    // A shutting-down node (1001), a missed heartbeat (4000) or a lost connection: connect again and resume.
    recoverable: [1001, 1006, 4000].includes(code),
    details: { closeCode: code },
  });
}
