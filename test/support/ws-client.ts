import WebSocket, { type ClientOptions } from 'ws';

/** A server message as received: every one carries `id` and `timestamp`. */
export type WsMessage = Record<string, unknown> & {
  id: string;
  type: string;
  timestamp: string;
  seq?: number;
};

export interface WsClosed {
  code: number;
  reason: string;
}

/** A `ws` client for tests: collects every message and waits on the ones that matter (no sleeps). */
export class WsTestClient {
  readonly messages: WsMessage[] = [];
  readonly closed: Promise<WsClosed>;
  #cursor = 0;
  #wake: (() => void) | undefined;

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString() });
        this.#wake?.();
      });
    });
    socket.on('message', (data) => {
      this.messages.push(JSON.parse((data as Buffer).toString('utf8')) as WsMessage);
      this.#wake?.();
    });
  }

  /** Connects; resolves once the upgrade is done (a refused connection is then closed with its code). */
  static async open(url: string, options: ClientOptions = {}): Promise<WsTestClient> {
    const socket = new WebSocket(url, options);
    const client = new WsTestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The next message (after those already taken) that matches; fails if the socket closes first. */
  async next(match: (m: WsMessage) => boolean = () => true, timeoutMs = 30_000): Promise<WsMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.#cursor < this.messages.length) {
        const message = this.messages[this.#cursor++] as WsMessage;
        if (match(message)) return message;
      }
      if (this.socket.readyState === WebSocket.CLOSED) throw new Error('socket closed while waiting');
      if (Date.now() > deadline) throw new Error(`no matching message in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** Messages from the current position up to and including `end` of `runId` (or of any run). */
  async untilEnd(runId?: string): Promise<WsMessage[]> {
    const start = this.#cursor;
    await this.next((m) => m.type === 'end' && (runId === undefined || m.runId === runId));
    return this.messages.slice(start, this.#cursor);
  }

  close(): Promise<WsClosed> {
    this.socket.close();
    return this.closed;
  }
}

export function wsUrl(httpUrl: string, path: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}${path}`;
}
