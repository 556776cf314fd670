import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import type { RunnerVersionHeader } from './protocol.js';

const VERSION_HEADER: RunnerVersionHeader = 'x-agentd-runner';

export interface CallHomeResponse {
  status: number;
  body: Buffer;
}

export interface RequestOptions {
  method: 'GET' | 'POST';
  path: string;
  body?: string | Buffer;
  contentType?: string;
  /** Socket idle time before the request is abandoned. */
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface UploadOptions {
  path: string;
  contentType: string;
  signal?: AbortSignal;
}

/** A request whose body the caller writes as it goes (chunked), and agentd's answer once it comes. */
export interface Upload {
  request: ClientRequest;
  response: Promise<IncomingMessage>;
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

  async request(options: RequestOptions): Promise<CallHomeResponse> {
    const res = await this.stream(options);
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
  }

  /** Resolves as soon as the response headers arrive; the caller reads (or destroys) the body. */
  stream(options: RequestOptions): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const headers = this.#headers();
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
          ...(options.signal ? { signal: options.signal } : {}),
        },
        resolve,
      );
      req.setTimeout(options.timeoutMs, () =>
        req.destroy(new Error(`${options.method} ${options.path} timed out`)),
      );
      req.on('error', reject);
      req.end(options.body);
    });
  }

  /** Starts a POST whose body is written by the caller; no idle timeout, as an event stream may be quiet. */
  upload(options: UploadOptions): Upload {
    const headers = this.#headers();
    headers['content-type'] = options.contentType;
    headers['transfer-encoding'] = 'chunked';
    const request = http.request({
      socketPath: this.socketPath,
      path: options.path,
      method: 'POST',
      headers,
      agent: this.#agent,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.on('error', reject);
    });
    // Headers go out now, so agentd can refuse the stream before the first event.
    request.flushHeaders();
    return { request, response };
  }

  async postJson(path: string, value: unknown, timeoutMs = 30_000): Promise<CallHomeResponse> {
    return this.request({ method: 'POST', path, body: JSON.stringify(value), timeoutMs });
  }

  close(): void {
    this.#agent.destroy();
  }

  #headers(): http.OutgoingHttpHeaders {
    return { [VERSION_HEADER]: this.runnerVersion };
  }
}
