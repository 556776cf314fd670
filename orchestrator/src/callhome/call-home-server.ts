import { chmod, lstat, mkdir, rm, unlink } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import type { JobResultPathPrefix, NextJobPath, RunnerVersionHeader } from '@agentd/sandbox-runner/protocol';
import { AgentdError, errorMessage, isAgentdError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { validate } from '../common/validate.js';
import { readJson } from './read-body.js';
import { JobResultSchema } from '../protocol/job-schemas.js';
import { SandboxChannel } from './sandbox-channel.js';

const NEXT_PATH: NextJobPath = '/v1/runner/next';
const JOB_RESULT_PREFIX: JobResultPathPrefix = '/v1/jobs/';
const RUNNER_VERSION_HEADER: RunnerVersionHeader = 'x-agentd-runner';
const SOCKET_NAME = 'agentd.sock';
/** sockaddr_un.sun_path is 108 bytes including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

export interface CallHomeServerOptions {
  /** agentd's state directory; sockets live in `<stateDir>/sandboxes/<id>/agentd.sock`. */
  stateDir: string;
  logger: Logger;
  /** How long a runner poll is held open before a 204 (the runner then polls again). */
  pollTimeoutMs: number;
  /** Upper bound on one JSON body from the runner. */
  maxJsonBytes: number;
  /** Connections one runner may hold open at once. */
  maxConnectionsPerSandbox: number;
}

export interface RouteContext {
  channel: SandboxChannel;
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
}

export type RouteHandler = (ctx: RouteContext) => Promise<void>;

/** A runner request that asks to turn its connection into a raw byte stream (HTTP/1.1 Upgrade). */
export interface UpgradeContext {
  channel: SandboxChannel;
  req: IncomingMessage;
  /** The runner's connection; answer with `acceptUpgrade` or `refuseUpgrade` before using it. */
  socket: Duplex;
  /** Bytes the runner sent after its request head (already part of the stream). */
  head: Buffer;
  params: Record<string, string>;
}

export type UpgradeHandler = (ctx: UpgradeContext) => Promise<void>;

interface Route<H = RouteHandler> {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: H;
}

interface Endpoint {
  channel: SandboxChannel;
  server: http.Server;
  /** Upgraded connections leave the HTTP server's bookkeeping, so closing the endpoint ends them itself. */
  upgraded: Set<Duplex>;
}

/**
 * Listens on one Unix socket per sandbox. agentd creates the socket in a directory the sandbox sees read-only,
 * so agentd never opens or connects to a path that code in a sandbox can write (docs/architecture.md: call home).
 */
export class CallHomeServer {
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #routes: Route[] = [];
  readonly #upgradeRoutes: Route<UpgradeHandler>[] = [];
  readonly #log: Logger;

  constructor(private readonly options: CallHomeServerOptions) {
    this.#log = options.logger.child({ component: 'call-home' });
    this.route('GET', NEXT_PATH, ({ channel, req, res }) => {
      channel.poll(res, this.options.pollTimeoutMs, runnerVersion(req));
      return Promise.resolve();
    });
    this.route('POST', `${JOB_RESULT_PREFIX}:jobId/result`, async ({ channel, req, res, params }) => {
      const body = await readJson(req, this.options.maxJsonBytes, 30_000);
      const result = validate(JobResultSchema, body, 'job result');
      if (result.jobId !== params.jobId)
        throw new AgentdError('RUNNER_PROTOCOL_ERROR', 'job id in path and body differ');
      channel.complete(result, runnerVersion(req));
      res.writeHead(204).end();
    });
  }

  get sandboxesDir(): string {
    return path.join(this.options.stateDir, 'sandboxes');
  }

  socketDirOf(sandboxId: string): string {
    return path.join(this.sandboxesDir, sandboxId);
  }

  /** Registers a handler for runner requests; `:name` segments become params. */
  route(method: 'GET' | 'POST', pattern: string, handler: RouteHandler): void {
    this.#routes.push({ method, ...compilePattern(pattern), handler });
  }

  /**
   * Registers a handler for runner upgrade requests (`GET` with `Connection: Upgrade`): channels that carry raw
   * bytes both ways, such as egress connections or a stdio MCP server's pipes. The handler owns the socket.
   */
  upgradeRoute(pattern: string, handler: UpgradeHandler): void {
    this.#upgradeRoutes.push({ method: 'GET', ...compilePattern(pattern), handler });
  }

  /** Creates the sandbox's socket directory (0755, agentd-owned) and starts listening in it. */
  async open(sandboxId: string): Promise<SandboxChannel> {
    const existing = this.#endpoints.get(sandboxId);
    if (existing) return existing.channel;
    if (!/^[a-z0-9]{4,32}$/.test(sandboxId))
      throw new AgentdError('INTERNAL_ERROR', `bad sandbox id ${sandboxId}`);
    const dir = this.socketDirOf(sandboxId);
    const socketPath = path.join(dir, SOCKET_NAME);
    assertSocketPathFits(socketPath);
    await mkdir(this.sandboxesDir, { recursive: true, mode: 0o711 });
    await mkdir(dir, { recursive: true, mode: 0o755 });
    const stat = await lstat(dir);
    if (!stat.isDirectory() || stat.uid !== process.getuid?.()) {
      throw new AgentdError('INTERNAL_ERROR', `${dir} is not a directory owned by agentd`);
    }
    await chmod(dir, 0o755);
    // A socket left by a previous agentd process (adoption after restart) must go before listen().
    await unlink(socketPath).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    });
    const channel = new SandboxChannel(sandboxId, socketPath);
    const server = http.createServer({
      // Event uploads are long-lived request bodies; Node's default 300 s would cut them.
      requestTimeout: 0,
      headersTimeout: 15_000,
      keepAliveTimeout: 65_000,
      maxHeaderSize: 16 * 1024,
    });
    server.maxConnections = this.options.maxConnectionsPerSandbox;
    server.on('request', (req, res) => {
      void this.#handle(channel, req, res);
    });
    const upgraded = new Set<Duplex>();
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      upgraded.add(socket);
      socket.once('close', () => upgraded.delete(socket));
      void this.#handleUpgrade(channel, req, socket, head);
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // uid 1000 inside a user-namespace-remapped container is "other" to this root-owned socket.
    await chmod(socketPath, 0o666);
    this.#endpoints.set(sandboxId, { channel, server, upgraded });
    return channel;
  }

  channel(sandboxId: string): SandboxChannel | undefined {
    return this.#endpoints.get(sandboxId)?.channel;
  }

  /** Stops listening and removes the sandbox's socket directory (the sandbox is gone). */
  async close(sandboxId: string): Promise<void> {
    await this.#stop(sandboxId);
    await rm(this.socketDirOf(sandboxId), { recursive: true, force: true });
  }

  /**
   * Stops listening on every socket but keeps the directories: a running container's bind mount refers to the
   * directory itself, so the next agentd process must listen in that same directory to adopt the sandbox.
   */
  async detachAll(): Promise<void> {
    await Promise.all([...this.#endpoints.keys()].map((id) => this.#stop(id)));
  }

  async #stop(sandboxId: string): Promise<void> {
    const endpoint = this.#endpoints.get(sandboxId);
    this.#endpoints.delete(sandboxId);
    if (!endpoint) return;
    endpoint.channel.close();
    for (const socket of endpoint.upgraded) socket.destroy();
    await new Promise<void>((resolve) => {
      endpoint.server.close(() => resolve());
      endpoint.server.closeAllConnections();
    });
  }

  get openSandboxIds(): string[] {
    return [...this.#endpoints.keys()];
  }

  async #handle(channel: SandboxChannel, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = (req.url ?? '').split('?')[0] ?? '';
    try {
      const found = matchRoute(this.#routes, req.method, url);
      if (found) {
        await found.route.handler({ channel, req, res, params: found.params });
        return;
      }
      sendError(res, 404, 'NOT_FOUND', `no route ${req.method ?? ''} ${url}`);
    } catch (err) {
      const protocolError =
        isAgentdError(err) && (err.code === 'RUNNER_PROTOCOL_ERROR' || err.code === 'VALIDATION_FAILED');
      // A run this sandbox may not speak for (not active, or another sandbox's) is the runner's mistake or an attack.
      if (isAgentdError(err) && err.code === 'NOT_FOUND') {
        this.#log.warn(
          { sandboxId: channel.sandboxId, url, reason: errorMessage(err) },
          'Refused runner request',
        );
        sendError(res, 404, 'NOT_FOUND', errorMessage(err));
        return;
      }
      if (!protocolError)
        this.#log.error({ err, sandboxId: channel.sandboxId, url }, 'Call-home handler failed');
      else
        this.#log.warn(
          { sandboxId: channel.sandboxId, url, reason: errorMessage(err) },
          'Rejected runner request',
        );
      sendError(
        res,
        protocolError ? 400 : 500,
        protocolError ? 'RUNNER_PROTOCOL_ERROR' : 'INTERNAL_ERROR',
        errorMessage(err),
      );
    }
  }

  async #handleUpgrade(
    channel: SandboxChannel,
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
  ): Promise<void> {
    const url = (req.url ?? '').split('?')[0] ?? '';
    socket.on('error', () => socket.destroy());
    const found = matchRoute(this.#upgradeRoutes, req.method, url);
    if (!found) {
      refuseUpgrade(socket, 404, 'NOT_FOUND', `no upgrade route ${req.method ?? ''} ${url}`);
      return;
    }
    try {
      await found.route.handler({ channel, req, socket, head, params: found.params });
    } catch (err) {
      if (isAgentdError(err) && err.code !== 'INTERNAL_ERROR') {
        this.#log.warn(
          { sandboxId: channel.sandboxId, url, reason: errorMessage(err) },
          'Refused runner upgrade',
        );
        refuseUpgrade(socket, upgradeStatusOf(err.code), err.code, errorMessage(err));
        return;
      }
      this.#log.error({ err, sandboxId: channel.sandboxId, url }, 'Call-home upgrade handler failed');
      refuseUpgrade(socket, 500, 'INTERNAL_ERROR', errorMessage(err));
    }
  }
}

/** The runner reads the code; the status only separates "no such thing", "not now" and "not allowed". */
function upgradeStatusOf(code: string): number {
  if (code === 'NOT_FOUND') return 404;
  if (code === 'RATE_LIMITED' || code === 'SANDBOX_LIMIT') return 429;
  if (code === 'RUNNER_PROTOCOL_ERROR' || code === 'VALIDATION_FAILED') return 400;
  return 403;
}

function compilePattern(pattern: string): { pattern: RegExp; keys: string[] } {
  const keys: string[] = [];
  const regex = pattern.replace(/:([a-zA-Z]+)/g, (_, key: string) => {
    keys.push(key);
    return '([A-Za-z0-9_-]{1,64})';
  });
  return { pattern: new RegExp(`^${regex}$`), keys };
}

function matchRoute<H>(
  routes: Route<H>[],
  method: string | undefined,
  url: string,
): { route: Route<H>; params: Record<string, string> } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(url);
    if (!match) continue;
    const params: Record<string, string> = {};
    route.keys.forEach((key, i) => (params[key] = match[i + 1] ?? ''));
    return { route, params };
  }
  return undefined;
}

/** Answers an upgrade request with 101; from here on the socket carries the channel's raw bytes. */
export function acceptUpgrade(socket: Duplex, protocol: string): void {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${protocol}\r\n\r\n`);
}

/** Answers an upgrade request with an error in the same JSON shape as other call-home errors, then closes. */
export function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function runnerVersion(req: IncomingMessage): string | undefined {
  const value = req.headers[RUNNER_VERSION_HEADER];
  return typeof value === 'string' ? value : undefined;
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  res
    .writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    .end(body);
}

export function assertSocketPathFits(socketPath: string): void {
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
    throw new AgentdError(
      'INTERNAL_ERROR',
      `socket path ${socketPath} is longer than ${MAX_SOCKET_PATH_BYTES} bytes: choose a shorter state directory`,
    );
  }
}
