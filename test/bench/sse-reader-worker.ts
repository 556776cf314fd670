/**
 * An SSE reader for benchmarks that runs in its own worker thread, so parsing the streams never competes with
 * the in-process daemon's event loop (a real client is another process). It reads agentd and the baseline
 * server with the same code and stamps each event with `clockMs()`, one monotonic clock across threads.
 */
import http from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export interface ReadRequest {
  url: string;
  headers?: Record<string, string>;
  /** Sent as the POST body (JSON). */
  body: string;
  /** Keep each event's raw SSE block, to replay the very same bytes from the baseline server. */
  keepBlocks?: boolean;
}

export interface ReadResult {
  status: number;
  /** `clockMs()` just before the request was sent. */
  sentAt: number;
  /** Per event, in order: its `type`, the `clockMs()` of the read that completed it, and its bytes on the wire. */
  types: string[];
  arrivals: Float64Array;
  sizes: Uint32Array;
  /** `runId` of the first event that had one. */
  runId: string | undefined;
  /** The body had `: done`. */
  done: boolean;
  /** The `data` of each `error` event, for diagnostics. */
  errors: string[];
  blocks?: string[];
  /** The body when the answer was not an event stream. */
  errorBody?: string;
}

/** Milliseconds (µs resolution) on CLOCK_MONOTONIC: the same clock in every thread and process of this host. */
export function clockMs(): number {
  return Number(process.hrtime.bigint() / 1000n) / 1000;
}

type Reply = { id: number; result: ReadResult } | { id: number; error: string };

/** The main thread's handle on the reader thread. */
export class SseReaderWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (r: ReadResult) => void; reject: (e: Error) => void }>();
  #next = 0;

  private constructor() {
    this.#worker = new Worker(new URL(import.meta.url), { workerData: { role: 'sse-reader' } });
    this.#worker.on('message', (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      if ('error' in reply) pending?.reject(new Error(reply.error));
      else pending?.resolve(reply.result);
    });
    this.#worker.on('error', (err) => {
      for (const pending of this.#pending.values()) pending.reject(err);
      this.#pending.clear();
    });
  }

  static start(): SseReaderWorker {
    return new SseReaderWorker();
  }

  /** POSTs and reads the stream to its end. */
  read(request: ReadRequest): Promise<ReadResult> {
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, request });
    });
  }

  /** Milliseconds the reader thread's event loop has been busy since it started. */
  busyMs(): number {
    return this.#worker.performance.eventLoopUtilization().active;
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const BOUNDARY = Buffer.from('\n\n');

function readStream(request: ReadRequest): Promise<ReadResult> {
  return new Promise((resolve, reject) => {
    const types: string[] = [];
    let arrivals = new Float64Array(1024);
    let sizes = new Uint32Array(1024);
    const blocks: string[] | undefined = request.keepBlocks ? [] : undefined;
    const result: ReadResult = {
      status: 0,
      sentAt: 0,
      types,
      arrivals,
      sizes,
      runId: undefined,
      done: false,
      errors: [],
      ...(blocks ? { blocks } : {}),
    };
    const push = (type: string, at: number, size: number): void => {
      const n = types.length;
      if (n === arrivals.length) {
        const grownArrivals = new Float64Array(n * 2);
        grownArrivals.set(arrivals);
        arrivals = grownArrivals;
        const grownSizes = new Uint32Array(n * 2);
        grownSizes.set(sizes);
        sizes = grownSizes;
      }
      types.push(type);
      arrivals[n] = at;
      sizes[n] = size;
    };
    const req = http.request(request.url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'content-length': Buffer.byteLength(request.body),
        ...request.headers,
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      result.status = res.statusCode ?? 0;
      if (!res.headers['content-type']?.startsWith('text/event-stream')) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          result.errorBody = Buffer.concat(chunks).toString('utf8');
          resolve(result);
        });
        return;
      }
      let pending: Buffer = Buffer.alloc(0);
      res.on('data', (chunk: Buffer) => {
        const at = clockMs();
        const buffer = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
        let start = 0;
        for (let end = buffer.indexOf(BOUNDARY, start); end >= 0; end = buffer.indexOf(BOUNDARY, start)) {
          const text = buffer.toString('utf8', start, end);
          const size = end + 2 - start;
          start = end + 2;
          if (blocks) blocks.push(`${text}\n\n`);
          let data = '';
          for (const line of text.split('\n')) {
            if (line.startsWith('data:')) data += line.slice(5).trimStart();
            else if (line === ': done') result.done = true;
          }
          if (data === '') continue;
          const event = JSON.parse(data) as { type: string; runId?: string };
          result.runId ??= event.runId;
          if (event.type === 'error') result.errors.push(data);
          push(event.type, at, size);
        }
        pending = start === buffer.length ? Buffer.alloc(0) : Buffer.from(buffer.subarray(start));
      });
      res.on('end', () => {
        result.arrivals = arrivals.slice(0, types.length);
        result.sizes = sizes.slice(0, types.length);
        resolve(result);
      });
      res.on('error', reject);
    });
    result.sentAt = clockMs();
    req.end(request.body);
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'sse-reader') {
  const port = parentPort;
  port?.on('message', ({ id, request }: { id: number; request: ReadRequest }) => {
    readStream(request).then(
      (result) => port.postMessage({ id, result } satisfies Reply),
      (err: unknown) => port.postMessage({ id, error: String(err) } satisfies Reply),
    );
  });
}
