/**
 * The baseline for relay benchmarks: a bare `node:http` server that writes recorded SSE blocks (the very bytes
 * a client got from agentd) to a socket, one `write` per event with agentd's drain handling, optionally paced
 * like the scripted model. It stamps each timed block just before writing it, with the reader's clock.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { clockMs } from './sse-reader-worker.js';

export interface Replay {
  /** Raw SSE blocks, each ending in a blank line (comments such as `: done` included). */
  blocks: readonly string[];
  /** Per block: sleep `paceMs` before writing it, and stamp its write (the scripted model paces text deltas). */
  timed: readonly boolean[];
  paceMs: number;
}

export class SseReplayServer {
  readonly #replays = new Map<string, Replay>();
  readonly #writes = new Map<string, number[]>();
  #next = 0;

  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<SseReplayServer> {
    const server = http.createServer();
    const replay = new SseReplayServer(server);
    server.on('request', (req, res) => void replay.#serve(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return replay;
  }

  /** Registers one replay and returns the URL that serves it (once). */
  add(replay: Replay): string {
    const key = String(this.#next++);
    this.#replays.set(key, replay);
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/replay/${key}`;
  }

  /** `clockMs()` just before each timed block was written. */
  writes(url: string): number[] {
    return this.#writes.get(url.slice(url.lastIndexOf('/') + 1)) ?? [];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const key = req.url?.slice('/replay/'.length) ?? '';
    const replay = this.#replays.get(key);
    this.#replays.delete(key);
    req.resume();
    await once(req, 'end');
    if (!replay) {
      res.writeHead(404).end();
      return;
    }
    const stamps: number[] = [];
    this.#writes.set(key, stamps);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    for (let i = 0; i < replay.blocks.length; i++) {
      const timed = replay.timed[i] === true;
      if (timed && replay.paceMs > 0) await sleep(replay.paceMs);
      if (timed) stamps.push(clockMs());
      if (!res.write(replay.blocks[i])) await once(res, 'drain');
    }
    res.end();
  }
}
