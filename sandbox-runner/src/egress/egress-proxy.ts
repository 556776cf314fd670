import net from 'node:net';
import { UpgradeRefused, type CallHomeClient } from '../call-home-client.js';
import { log } from '../log.js';
import { headEnd, MAX_HEAD_BYTES, parseProxyRequest } from './proxy-request.js';

/** A client must send its whole request head within this time (slowloris). */
const HEAD_TIMEOUT_MS = 10_000;
/** agentd resolves and connects within the policy's connect timeout (at most 2 min). */
const UPGRADE_TIMEOUT_MS = 130_000;
/** Client connections the proxy holds at once; agentd enforces the policy's own (smaller) cap. */
const MAX_CLIENTS = 256;
const EGRESS_PROTOCOL = 'agentd-egress';

/**
 * The sandbox's HTTP proxy on 127.0.0.1: each client connection becomes one call-home connection to agentd,
 * which decides, resolves and connects. Nothing here resolves a name or opens a network socket outward.
 */
export class EgressProxy {
  readonly #server: net.Server;
  readonly #clients = new Set<net.Socket>();

  private constructor(
    private readonly client: CallHomeClient,
    private readonly runId: string,
  ) {
    this.#server = net.createServer((socket) => this.#accept(socket));
    this.#server.maxConnections = MAX_CLIENTS;
  }

  static async start(client: CallHomeClient, runId: string): Promise<EgressProxy> {
    const proxy = new EgressProxy(client, runId);
    await new Promise<void>((resolve, reject) => {
      proxy.#server.once('error', reject);
      proxy.#server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as net.AddressInfo).port;
  }

  /** What tool processes need to use the proxy (curl, git, pip, Python, Node's fetch). */
  env(base: Record<string, string>): Record<string, string> {
    const url = `http://127.0.0.1:${this.port}`;
    const noProxy = 'localhost,127.0.0.1';
    const nodeOptions = [
      base.NODE_OPTIONS,
      '--disable-warning=ExperimentalWarning --disable-warning=UNDICI-EHPA',
    ]
      .filter(Boolean)
      .join(' ');
    return {
      HTTP_PROXY: url,
      HTTPS_PROXY: url,
      http_proxy: url,
      https_proxy: url,
      NO_PROXY: noProxy,
      no_proxy: noProxy,
      NODE_USE_ENV_PROXY: '1',
      NODE_OPTIONS: nodeOptions,
    };
  }

  /** Stops listening and closes every connection: egress ends with the run. */
  async close(): Promise<void> {
    for (const socket of this.#clients) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(socket: net.Socket): void {
    this.#clients.add(socket);
    socket.once('close', () => this.#clients.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffer = Buffer.alloc(0);
    const timer = setTimeout(() => answer(socket, 408, 'request head not received in time'), HEAD_TIMEOUT_MS);
    const onData = (chunk: Buffer): void => {
      buffer = Buffer.concat([buffer, chunk]);
      const end = headEnd(buffer);
      if (end < 0) {
        if (buffer.length > MAX_HEAD_BYTES) {
          cleanup();
          answer(socket, 431, 'request head too large');
        }
        return;
      }
      cleanup();
      socket.pause();
      if (end > MAX_HEAD_BYTES) return answer(socket, 431, 'request head too large');
      void this.#forward(socket, buffer.subarray(0, end), buffer.subarray(end));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      socket.off('data', onData);
    };
    socket.on('data', onData);
    socket.once('close', cleanup);
  }

  async #forward(socket: net.Socket, head: Buffer, rest: Buffer): Promise<void> {
    const request = parseProxyRequest(head);
    if (request.kind === 'bad') return answer(socket, request.status, request.message);
    const path =
      `/v1/runs/${encodeURIComponent(this.runId)}/egress?host=${encodeURIComponent(request.host)}` +
      `&port=${request.port}`;
    let channel;
    try {
      channel = await this.client.upgrade(path, EGRESS_PROTOCOL, UPGRADE_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof UpgradeRefused)
        return answer(socket, err.status === 429 ? 429 : 403, `${err.code}: ${err.message}`, err.code);
      log('egress upgrade failed', err);
      return answer(socket, 502, 'agentd could not be reached');
    }
    if (socket.destroyed) {
      channel.socket.destroy();
      return;
    }
    const upstream = channel.socket;
    upstream.on('error', () => upstream.destroy());
    socket.once('close', () => upstream.destroy());
    upstream.once('close', () => socket.destroy());
    if (request.kind === 'connect') socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    else upstream.write(request.head);
    if (channel.head.length > 0) socket.write(channel.head);
    if (rest.length > 0) upstream.write(rest);
    socket.pipe(upstream);
    upstream.pipe(socket);
    socket.resume();
  }
}

/** A proxy error answer the client (curl, pip, git) shows: status, agentd's code and its reason. */
function answer(socket: net.Socket, status: number, message: string, code = 'EGRESS_PROXY'): void {
  if (socket.destroyed) return;
  const body = `agentd egress: ${message}\n`;
  const reason =
    {
      400: 'Bad Request',
      403: 'Forbidden',
      408: 'Request Timeout',
      414: 'URI Too Long',
      429: 'Too Many Requests',
      431: 'Request Header Fields Too Large',
      502: 'Bad Gateway',
    }[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nX-Agentd-Error: ${code}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
