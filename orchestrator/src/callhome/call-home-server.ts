import { chmod, lstat, mkdir, rm, unlink } from 'node:fs/promises';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
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

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: RouteHandler;
}

interface Endpoint {
  channel: SandboxChannel;
  server: http.Server;
}

/**
 * Listens on one Unix socket per sandbox. agentd creates the socket in a directory the sandbox sees read-only,
 * so agentd never opens or connects to a path that code in a sandbox can write (docs/architecture.md: call home).
 */
export class CallHomeServer {
  readonly #endpoints = new Map<string, Endpoint>();
  readonly #routes: Route[] = [];
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
    const keys: string[] = [];
    const regex = pattern.replace(/:([a-zA-Z]+)/g, (_, key: string) => {
      keys.push(key);
      return '([A-Za-z0-9_-]{1,64})';
    });
    this.#routes.push({ method, pattern: new RegExp(`^${regex}$`), keys, handler });
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
    this.#endpoints.set(sandboxId, { channel, server });
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
      for (const route of this.#routes) {
        if (route.method !== req.method) continue;
        const match = route.pattern.exec(url);
        if (!match) continue;
        const params: Record<string, string> = {};
        route.keys.forEach((key, i) => (params[key] = match[i + 1] ?? ''));
        await route.handler({ channel, req, res, params });
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
