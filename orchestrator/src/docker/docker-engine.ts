import { PassThrough, type Readable } from 'node:stream';
import Docker from 'dockerode';
import { AgentdError, errorMessage } from '../common/errors.js';
import { shortContainerId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import { toCreateOptions } from './container-options.js';
import { assertHardened } from './hardening-guard.js';
import type { HardenedContainerSpec } from './hardened-spec.js';
import { LABELS, MANAGED_FILTER } from './labels.js';

export interface EngineInfo {
  serverVersion: string;
  apiVersion: string;
  kernelVersion: string;
  operatingSystem: string;
  cgroupVersion: string;
  securityOptions: string[];
  usernsRemap: boolean;
  seccomp: boolean;
  runtimes: string[];
  defaultRuntime: string;
}

export interface ManagedContainer {
  id: string;
  name: string;
  state: string;
  labels: Record<string, string>;
  createdAt: number;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  user?: string;
  env?: string[];
  workingDir?: string;
  timeoutMs?: number;
  /** Bytes kept of each output stream; the rest is dropped. */
  maxOutputBytes?: number;
}

export type ContainerInspect = Docker.ContainerInspectInfo;

/** The fields of GET /info agentd reads (dockerode types it as any). */
interface RawEngineInfo {
  ServerVersion?: string;
  KernelVersion?: string;
  OperatingSystem?: string;
  CgroupVersion?: string;
  SecurityOptions?: string[];
  Runtimes?: Record<string, unknown>;
  DefaultRuntime?: string;
}

export interface DockerEngineOptions {
  /** `unix:///var/run/docker.sock` (default), `tcp://host:port`, or a socket path. */
  dockerHost: string;
  logger: Logger;
}

/** The only place that talks to the Docker Engine API. Every call logs what it does with a short id. */
export class DockerEngine {
  readonly #docker: Docker;
  readonly #log: Logger;

  constructor(options: DockerEngineOptions) {
    this.#docker = new Docker(dockerodeOptions(options.dockerHost));
    this.#log = options.logger.child({ component: 'docker' });
  }

  async ping(): Promise<void> {
    await this.#docker.ping();
  }

  async info(): Promise<EngineInfo> {
    const [info, version] = await Promise.all([
      this.#docker.info() as Promise<RawEngineInfo>,
      this.#docker.version(),
    ]);
    const securityOptions = info.SecurityOptions ?? [];
    return {
      serverVersion: info.ServerVersion ?? version.Version,
      apiVersion: version.ApiVersion,
      kernelVersion: info.KernelVersion ?? '',
      operatingSystem: info.OperatingSystem ?? '',
      cgroupVersion: info.CgroupVersion ?? '',
      securityOptions,
      usernsRemap: securityOptions.some((o) => o.split(',').includes('name=userns')),
      seccomp: securityOptions.some((o) => o.split(',').includes('name=seccomp')),
      runtimes: Object.keys(info.Runtimes ?? {}),
      defaultRuntime: info.DefaultRuntime ?? 'runc',
    };
  }

  /** Creates a sandbox container from a hardened spec; the options are checked once more right before the call. */
  async createSandbox(spec: HardenedContainerSpec): Promise<string> {
    const options = toCreateOptions(spec);
    assertHardened(options);
    this.#log.debug({ name: spec.name }, 'Creating container');
    try {
      const container = await this.#docker.createContainer(options);
      this.#log.debug({ containerId: shortContainerId(container.id), name: spec.name }, 'Created container');
      return container.id;
    } catch (err) {
      this.#log.error({ err, name: spec.name }, 'Failed to create container');
      throw new AgentdError(
        'SANDBOX_START_FAILED',
        `cannot create container ${spec.name}: ${errorMessage(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  async start(containerId: string): Promise<void> {
    const id = shortContainerId(containerId);
    try {
      await this.#docker.getContainer(containerId).start();
      this.#log.debug({ containerId: id }, 'Started container');
    } catch (err) {
      this.#log.error({ err, containerId: id }, 'Failed to start container');
      throw new AgentdError('SANDBOX_START_FAILED', `cannot start container ${id}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }

  async inspect(containerId: string): Promise<ContainerInspect | undefined> {
    try {
      return await this.#docker.getContainer(containerId).inspect();
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  }

  /** Kills (if running) and removes a managed container; a container that is already gone is not an error. */
  async remove(containerId: string): Promise<void> {
    const id = shortContainerId(containerId);
    const container = this.#docker.getContainer(containerId);
    try {
      const info = await container.inspect();
      if (info.Config.Labels[LABELS.managed] !== 'true') {
        throw new AgentdError(
          'INTERNAL_ERROR',
          `refusing to remove container ${id}: it is not managed by agentd`,
        );
      }
      await container.remove({ force: true, v: true });
      this.#log.debug({ containerId: id }, 'Removed container');
    } catch (err) {
      if (statusCode(err) === 404) return;
      // A concurrent removal of the same container reports 409 "removal already in progress".
      if (statusCode(err) === 409 && /already in progress/.test(errorMessage(err))) return;
      this.#log.error({ err, containerId: id }, 'Failed to remove container');
      throw err;
    }
  }

  async stop(containerId: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.#docker.getContainer(containerId).stop({ t: timeoutSeconds });
    } catch (err) {
      const code = statusCode(err);
      if (code === 304 || code === 404) return;
      throw err;
    }
  }

  /** Sends a signal to the container's init process (Init: true forwards it to the whole tree). */
  async kill(containerId: string, signal = 'SIGKILL'): Promise<void> {
    try {
      await this.#docker.getContainer(containerId).kill({ signal });
    } catch (err) {
      const code = statusCode(err);
      if (code === 404 || code === 409) return;
      throw err;
    }
  }

  /** Containers labelled agentd.managed=true, optionally narrowed by more label filters. */
  async listManaged(extraLabels: Record<string, string> = {}): Promise<ManagedContainer[]> {
    const label = [MANAGED_FILTER, ...Object.entries(extraLabels).map(([k, v]) => `${k}=${v}`)];
    const containers = await this.#docker.listContainers({ all: true, filters: { label } });
    return containers.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      state: c.State,
      labels: c.Labels,
      createdAt: c.Created * 1000,
    }));
  }

  /** Runs a command in a running container through the exec API; output is bounded. */
  async exec(containerId: string, cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const container = this.#docker.getContainer(containerId);
    const exec = await container.exec({
      Cmd: cmd,
      User: options.user ?? '1000:1000',
      Env: options.env,
      WorkingDir: options.workingDir,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const max = options.maxOutputBytes ?? 1024 * 1024;
    const stdout = new BoundedSink(max);
    const stderr = new BoundedSink(max);
    const out = new PassThrough();
    const err = new PassThrough();
    out.on('data', (c: Buffer) => stdout.push(c));
    err.on('data', (c: Buffer) => stderr.push(c));
    this.#docker.modem.demuxStream(stream, out, err);
    await waitForEnd(stream, options.timeoutMs, () => {
      stream.destroy();
    });
    const inspected = await exec.inspect();
    return { exitCode: inspected.ExitCode ?? -1, stdout: stdout.text(), stderr: stderr.text() };
  }

  /** The command lines of the container's processes (`docker top`). */
  async processes(containerId: string): Promise<string[]> {
    const top = (await this.#docker.getContainer(containerId).top({ ps_args: '-o pid,args' })) as {
      Titles?: string[];
      Processes?: string[][];
    };
    // Columns are PID and the command line; keep the command line.
    return (top.Processes ?? []).map((row) => row.slice(1).join(' '));
  }

  async logs(containerId: string, tailLines: number): Promise<string> {
    try {
      const buffer = await this.#docker
        .getContainer(containerId)
        .logs({ stdout: true, stderr: true, tail: tailLines, follow: false });
      return demuxBuffer(buffer);
    } catch {
      return '';
    }
  }

  async imageLabels(reference: string): Promise<Record<string, string> | undefined> {
    try {
      const info = await this.#docker.getImage(reference).inspect();
      return info.Config.Labels;
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      throw err;
    }
  }

  /** `docker import`: a root filesystem tar becomes an image. */
  async importImage(rootfsTar: Readable, repo: string, tag: string, changes: string[]): Promise<void> {
    const stream = await this.#docker.importImage(rootfsTar, { repo, tag, changes });
    await followProgress(this.#docker, stream, () => undefined);
  }

  /** Builds an image from a tar build context; `onProgress` receives the builder's output lines. */
  async buildImage(
    context: Readable,
    options: { tag: string; buildArgs: Record<string, string>; labels: Record<string, string> },
    onProgress: (line: string) => void,
  ): Promise<void> {
    const stream = await this.#docker.buildImage(context, {
      t: options.tag,
      buildargs: options.buildArgs,
      labels: options.labels,
      rm: true,
      forcerm: true,
      pull: false,
    });
    await followProgress(this.#docker, stream, onProgress);
  }

  /**
   * Live container events for managed containers (`die`, `oom`, …); returns a stop function. `onEnd` is called
   * once when the stream breaks or ends (for example, the engine restarted).
   */
  async watchEvents(
    onEvent: (event: { action: string; containerId: string; labels: Record<string, string> }) => void,
    onEnd: () => void = () => undefined,
  ): Promise<() => void> {
    const stream: NodeJS.ReadableStream = await this.#docker.getEvents({
      filters: { type: ['container'], label: [MANAGED_FILTER] },
    });
    let buffered = '';
    let ended = false;
    let stopped = false;
    const end = (): void => {
      if (ended || stopped) return;
      ended = true;
      onEnd();
    };
    stream.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        try {
          const e = JSON.parse(line) as {
            Action?: string;
            Actor?: { ID?: string; Attributes?: Record<string, string> };
          };
          onEvent({
            action: e.Action ?? '',
            containerId: e.Actor?.ID ?? '',
            labels: e.Actor?.Attributes ?? {},
          });
        } catch {
          // A partial or foreign line on the events stream is not worth failing over.
        }
      }
    });
    stream.on('error', (err) => {
      this.#log.warn({ err }, 'Docker events stream failed');
      end();
    });
    stream.on('end', end);
    stream.on('close', end);
    return () => {
      stopped = true;
      (stream as unknown as { destroy(): void }).destroy();
    };
  }
}

function dockerodeOptions(dockerHost: string): Docker.DockerOptions {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  if (dockerHost.startsWith('/')) return { socketPath: dockerHost };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
}

export function statusCode(err: unknown): number | undefined {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

class BoundedSink {
  readonly #chunks: Buffer[] = [];
  #size = 0;
  constructor(private readonly max: number) {}
  push(chunk: Buffer): void {
    if (this.#size >= this.max) return;
    const slice = chunk.subarray(0, this.max - this.#size);
    this.#chunks.push(slice);
    this.#size += slice.length;
  }
  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

function waitForEnd(
  stream: NodeJS.ReadableStream,
  timeoutMs: number | undefined,
  onTimeout: () => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            onTimeout();
            reject(new AgentdError('INTERNAL_ERROR', `exec did not finish within ${timeoutMs} ms`));
          }, timeoutMs);
    const done = (): void => {
      clearTimeout(timer);
      resolve();
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** Docker's multiplexed log format: 8-byte header (stream, 0, 0, 0, size32) per frame. */
function demuxBuffer(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 ? buffer.toString('utf8') : Buffer.concat(parts).toString('utf8');
}

function followProgress(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  onProgress: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null, output: { error?: string; errorDetail?: { message?: string } }[]) => {
        if (err) return reject(err);
        const failure = output.find((o) => o.error ?? o.errorDetail);
        if (failure)
          return reject(new Error(failure.error ?? failure.errorDetail?.message ?? 'image operation failed'));
        resolve();
      },
      (event: { stream?: string; status?: string; progress?: string }) => {
        const line = (event.stream ?? [event.status, event.progress].filter(Boolean).join(' ')).trimEnd();
        if (line) onProgress(line);
      },
    );
  });
}
