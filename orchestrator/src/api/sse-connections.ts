import type { ServerResponse } from 'node:http';

/** Open SSE responses, so operators can see how many clients stream and how much agentd buffers for them. */
export class SseConnections {
  readonly #open = new Set<ServerResponse>();

  add(res: ServerResponse): void {
    this.#open.add(res);
    res.once('close', () => this.#open.delete(res));
  }

  get count(): number {
    return this.#open.size;
  }

  /** Bytes written to open streams but not yet handed to the kernel (slow readers show up here). */
  bufferedBytes(): number {
    let total = 0;
    for (const res of this.#open) total += res.writableLength;
    return total;
  }
}
