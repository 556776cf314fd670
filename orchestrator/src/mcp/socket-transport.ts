import type { Duplex } from 'node:stream';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * The MCP stdio framing (newline-delimited JSON-RPC) over an upgraded call-home connection: the runner only
 * relays the server's stdin and stdout bytes, agentd speaks MCP. A line longer than `maxLineBytes` (a server
 * that never ends its answer) closes the channel.
 */
export class SocketTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly #buffer: ReadBuffer;
  #closed = false;

  constructor(
    private readonly socket: Duplex,
    private readonly head: Buffer,
    maxLineBytes: number,
  ) {
    this.#buffer = new ReadBuffer({ maxBufferSize: maxLineBytes });
  }

  start(): Promise<void> {
    this.socket.on('data', (chunk: Buffer) => this.#receive(chunk));
    this.socket.on('error', (err: Error) => this.onerror?.(err));
    // The runner ends its side when the server exits; a half-open channel would leave calls waiting.
    this.socket.on('end', () => this.socket.destroy());
    this.socket.on('close', () => this.#closeOnce());
    if (this.head.length > 0) this.#receive(this.head);
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#closed || this.socket.destroyed) {
        reject(new Error('the stdio channel is closed'));
        return;
      }
      if (this.socket.write(serializeMessage(message))) resolve();
      else this.socket.once('drain', resolve);
    });
  }

  close(): Promise<void> {
    this.socket.destroy();
    this.#closeOnce();
    return Promise.resolve();
  }

  #receive(chunk: Buffer): void {
    try {
      this.#buffer.append(chunk);
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.#buffer.readMessage();
        } catch (err) {
          // One malformed line is the server's problem, reported; the channel goes on.
          this.onerror?.(err instanceof Error ? err : new Error(String(err)));
          continue;
        }
        if (message === null) break;
        this.onmessage?.(message);
      }
    } catch (err) {
      this.onerror?.(err instanceof Error ? err : new Error(String(err)));
      void this.close();
    }
  }

  #closeOnce(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onclose?.();
  }
}
