/**
 * A counting proxy in front of an S3 server that runs in its own worker thread, so forwarding 50 MiB never
 * competes with the in-process daemon's event loop (a real S3 endpoint is another machine). It stamps each
 * request with `clockMs()`, one monotonic clock across threads, when it arrives and when its answer ends.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { S3Request } from '../support/s3-test-server.js';
import { clockMs } from './sse-reader-worker.js';

type Message = { kind: 'listening'; port: number } | { kind: 'flushed'; requests: S3Request[] };

/** The main thread's handle on the proxy thread. */
export class S3ProxyThread {
  readonly requests: S3Request[] = [];
  #waiting: ((requests: S3Request[]) => void) | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly endpoint: string,
  ) {
    worker.on('message', (message: Message) => {
      if (message.kind !== 'flushed') return;
      this.requests.push(...message.requests);
      this.#waiting?.(message.requests);
      this.#waiting = undefined;
    });
  }

  static async start(upstream: string): Promise<S3ProxyThread> {
    const worker = new Worker(new URL(import.meta.url), { workerData: { role: 's3-proxy', upstream } });
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('message', (message: Message) => {
        if (message.kind === 'listening') resolve(message.port);
      });
      worker.once('error', reject);
    });
    return new S3ProxyThread(worker, `http://127.0.0.1:${port}`);
  }

  /** Brings `requests` up to date with every request answered so far. */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting = () => resolve();
      this.worker.postMessage('flush');
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 's3-proxy') {
  const target = new URL((workerData as { upstream: string }).upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  let done: S3Request[] = [];
  const proxy = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://s3');
    const seen: S3Request = {
      method: req.method ?? '',
      path: decodeURIComponent(url.pathname),
      query: url.search,
      copy: req.headers['x-amz-copy-source'] !== undefined,
      at: clockMs(),
    };
    res.on('close', () => {
      seen.doneAt = clockMs();
      done.push(seen);
    });
    const forward = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  proxy.listen(0, '127.0.0.1', () => {
    parentPort?.postMessage({
      kind: 'listening',
      port: (proxy.address() as AddressInfo).port,
    } satisfies Message);
  });
  parentPort?.on('message', () => {
    parentPort?.postMessage({ kind: 'flushed', requests: done } satisfies Message);
    done = [];
  });
}
