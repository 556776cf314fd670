import Docker from 'dockerode';
import type { Logger } from '../common/logger.js';
import type { ContainerClient } from './container-client.js';
import { DockerContainerClient } from './docker-container-client.js';
import { DockerEventClient } from './docker-event-client.js';
import { DockerExecClient } from './docker-exec-client.js';
import { DockerImageClient } from './docker-image-client.js';
import type { EventClient } from './event-client.js';
import type { ExecClient } from './exec-client.js';
import type { ImageClient } from './image-client.js';

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

/** One entry of GET /version `Components` (Engine, containerd, runc, docker-init). */
export interface EngineComponent {
  name: string;
  version: string;
  gitCommit: string | undefined;
}

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

/**
 * One connection to the Docker Engine API and the four clients over it. Hand each consumer only the client
 * it needs (the sandbox factory `containers`, the supervisor `events`, image builders `images`).
 */
export class DockerEngine {
  readonly containers: ContainerClient;
  readonly exec: ExecClient;
  readonly images: ImageClient;
  readonly events: EventClient;
  readonly #docker: Docker;

  constructor(options: DockerEngineOptions) {
    this.#docker = new Docker(dockerodeOptions(options.dockerHost));
    const log = options.logger.child({ component: 'docker' });
    this.containers = new DockerContainerClient(this.#docker, log);
    this.exec = new DockerExecClient(this.#docker, log);
    this.images = new DockerImageClient(this.#docker, log);
    this.events = new DockerEventClient(this.#docker, log);
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

  /** The engine's own account of its parts (GET /version `Components`); empty on engines that predate it. */
  async components(): Promise<EngineComponent[]> {
    const version = (await this.#docker.version()) as { Components?: RawVersionComponent[] };
    return (version.Components ?? []).map((c) => ({
      name: c.Name ?? '',
      version: c.Version ?? '',
      gitCommit: c.Details?.GitCommit || undefined,
    }));
  }
}

interface RawVersionComponent {
  Name?: string;
  Version?: string;
  Details?: { GitCommit?: string };
}

function dockerodeOptions(dockerHost: string): Docker.DockerOptions {
  if (dockerHost.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  if (dockerHost.startsWith('/')) return { socketPath: dockerHost };
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
}
