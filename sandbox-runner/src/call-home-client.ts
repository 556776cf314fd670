import http from 'node:http';

export interface CallHomeResponse {
  status: number;
  body: Buffer;
}

export interface RequestOptions {
  method: 'GET' | 'POST';
  path: string;
  body?: string | Buffer;
  contentType?: string;
  timeoutMs: number;
}

/** HTTP/1.1 to agentd over the per-sandbox Unix socket. The runner is always the client. */
export class CallHomeClient {
  readonly #agent: http.Agent;

  constructor(
    private readonly socketPath: string,
    private readonly runnerVersion: string,
  ) {
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  }

  request(options: RequestOptions): Promise<CallHomeResponse> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { 'x-agentd-runner': this.runnerVersion };
      if (options.body !== undefined) {
        headers['content-type'] = options.contentType ?? 'application/json';
        headers['content-length'] = Buffer.byteLength(options.body);
      }
      const req = http.request(
        {
          socketPath: this.socketPath,
          path: options.path,
          method: options.method,
          headers,
          agent: this.#agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
          res.on('error', reject);
        },
      );
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(new Error(`${options.method} ${options.path} timed out`)),
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  async postJson(path: string, value: unknown, timeoutMs = 30_000): Promise<CallHomeResponse> {
    return this.request({ method: 'POST', path, body: JSON.stringify(value), timeoutMs });
  }

  close(): void {
    this.#agent.destroy();
  }
}
