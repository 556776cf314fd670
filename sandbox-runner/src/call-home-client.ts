import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
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

/** An upgraded call-home connection: raw bytes both ways from here on. */
export interface UpgradedChannel {
  socket: Duplex;
  /** Bytes agentd sent right after its 101 answer. */
  head: Buffer;
}

/** agentd answered an upgrade request with something other than 101 (its JSON error body, parsed if it can be). */
export class UpgradeRefused extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'UpgradeRefused';
  }
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

  /**
   * Asks agentd to turn a fresh connection into a raw byte channel (`GET path` with `Connection: Upgrade`). Upgraded
   * connections never go back to the keep-alive pool, so each one uses its own socket.
   */
  upgrade(path: string, protocol: string, timeoutMs: number, signal?: AbortSignal): Promise<UpgradedChannel> {
    return new Promise((resolve, reject) => {
      const headers = this.#headers();
      headers.connection = 'Upgrade';
      headers.upgrade = protocol;
      const req = http.request({
        socketPath: this.socketPath,
        path,
        method: 'GET',
        headers,
        agent: false,
        ...(signal ? { signal } : {}),
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`upgrade ${path} timed out`)));
      req.on('upgrade', (_res: IncomingMessage, socket: Duplex, head: Buffer) => {
        req.setTimeout(0);
        resolve({ socket, head });
      });
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => reject(refusalOf(res.statusCode ?? 0, Buffer.concat(chunks))));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
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

function refusalOf(status: number, body: Buffer): UpgradeRefused {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof parsed.error?.code === 'string' ? parsed.error.code : 'UPGRADE_REFUSED';
    const message = typeof parsed.error?.message === 'string' ? parsed.error.message : `status ${status}`;
    return new UpgradeRefused(status, code, message);
  } catch {
    return new UpgradeRefused(status, 'UPGRADE_REFUSED', `status ${status}`);
  }
}
