/**
 * The reference relay for bench:relay, written plainly in one process: a producer POSTs a run's events as an
 * SSE body over a Unix socket (as a runner calls home), the relay parses each event, renumbers it (runId, seq,
 * timestamp) and writes it to the client's loopback SSE response, one `write` per event, waiting for 'drain'.
 * No validation, no event log, no batching: what any relay must do at least, so agentd's figure is read
 * against it. Its client is the same reader (worker thread) that reads agentd.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The producer's event, shaped like the scripted model's word deltas (`@repeat N word`). */
const TEXT_EVENT = 'data: {"type":"text","delta":"word "}\n\n';

export class NaiveRelay {
  /** Clients waiting for their run's events, by run id. */
  readonly #clients = new Map<string, http.ServerResponse>();

  private constructor(
    private readonly api: http.Server,
    private readonly ingest: http.Server,
    private readonly dir: string,
    private readonly socketPath: string,
  ) {}

  static async start(): Promise<NaiveRelay> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'naive-relay-'));
    const socketPath = path.join(dir, 'relay.sock');
    const api = http.createServer();
    const ingest = http.createServer();
    const relay = new NaiveRelay(api, ingest, dir, socketPath);
    api.on('request', (req, res) => void relay.#stream(req, res));
    ingest.on('request', (req, res) => void relay.#ingest(req, res));
    // The reader keeps connections alive between runs: never close one under it while it is idle.
    api.keepAliveTimeout = 0;
    api.listen(0, '127.0.0.1');
    ingest.listen(socketPath);
    await Promise.all([once(api, 'listening'), once(ingest, 'listening')]);
    return relay;
  }

  /** The URL a reader POSTs to for one run of `events` text events. */
  url(events: number): string {
    const { port } = this.api.address() as AddressInfo;
    return `http://127.0.0.1:${port}/stream?events=${events}`;
  }

  async close(): Promise<void> {
    this.api.closeAllConnections();
    this.ingest.closeAllConnections();
    await Promise.all([
      new Promise<void>((resolve) => this.api.close(() => resolve())),
      new Promise<void>((resolve) => this.ingest.close(() => resolve())),
    ]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** The client's side: open the SSE response, then start the producer for a new run. */
  async #stream(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const events = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('events') ?? 0);
    req.resume();
    await once(req, 'end');
    const runId = randomUUID();
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    this.#clients.set(runId, res);
    void this.#produce(runId, events).catch(() => res.destroy());
  }

  /** The runner's side: `run_start`, the text events, `final` and `usage`, as one SSE request body. */
  async #produce(runId: string, events: number): Promise<void> {
    const req = http.request({
      socketPath: this.socketPath,
      method: 'POST',
      path: `/runs/${runId}/events`,
      headers: { 'content-type': 'text/event-stream' },
    });
    const answered = once(req, 'response');
    const send = async (text: string): Promise<void> => {
      if (!req.write(text)) await once(req, 'drain');
    };
    await send('data: {"type":"run_start"}\n\n');
    for (let i = 0; i < events; i++) await send(TEXT_EVENT);
    await send('data: {"type":"final","content":"done"}\n\n');
    await send('data: {"type":"usage","inputTokens":1,"outputTokens":1}\n\n');
    req.end();
    const [res] = (await answered) as [http.IncomingMessage];
    res.resume();
  }

  /** The relay: parse each SSE event, renumber it, write it to the run's client. */
  async #ingest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const runId = decodeURIComponent(req.url?.split('/')[2] ?? '');
    const client = this.#clients.get(runId);
    if (!client) {
      req.resume();
      res.writeHead(404).end();
      return;
    }
    this.#clients.delete(runId);
    let seq = 0;
    let pending = '';
    req.setEncoding('utf8');
    for await (const chunk of req as AsyncIterable<string>) {
      pending += chunk;
      let start = 0;
      for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n', start)) {
        const block = pending.slice(start, end);
        start = end + 2;
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        if (data === '') continue;
        seq += 1;
        const event = {
          ...(JSON.parse(data) as Record<string, unknown>),
          runId,
          seq,
          timestamp: new Date().toISOString(),
        };
        if (!client.write(`id: ${seq}\ndata: ${JSON.stringify(event)}\n\n`)) await once(client, 'drain');
      }
      pending = pending.slice(start);
    }
    client.end(': done\n\n');
    res.writeHead(204).end();
  }
}
