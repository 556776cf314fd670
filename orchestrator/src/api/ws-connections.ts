import type { WebSocket } from '@fastify/websocket';

/** Open WebSocket connections on this node: per-principal caps, the gauge, and the cut-off at close. */
export class WsConnections {
  readonly #open = new Set<WebSocket>();
  readonly #perPrincipal = new Map<string, number>();

  constructor(private readonly maxPerPrincipal: number) {}

  /** Counts `socket` against `principalId`; false (and nothing counted) when the principal is at its cap. */
  admit(principalId: string, socket: WebSocket): boolean {
    const held = this.#perPrincipal.get(principalId) ?? 0;
    if (held >= this.maxPerPrincipal) return false;
    this.#perPrincipal.set(principalId, held + 1);
    this.#open.add(socket);
    socket.once('close', () => {
      this.#open.delete(socket);
      const left = (this.#perPrincipal.get(principalId) ?? 1) - 1;
      if (left <= 0) this.#perPrincipal.delete(principalId);
      else this.#perPrincipal.set(principalId, left);
    });
    return true;
  }

  get count(): number {
    return this.#open.size;
  }

  /** Waits up to `graceMs` for connections to finish closing (server_shutdown was sent), then cuts the rest. */
  async drain(graceMs: number): Promise<void> {
    const open = [...this.#open].filter((socket) => socket.readyState !== socket.CLOSED);
    const closed = open.map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(closed), timer]);
    for (const socket of this.#open) socket.terminate();
  }
}
