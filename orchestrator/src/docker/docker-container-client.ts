import type Docker from 'dockerode';
import { AgentdError, errorMessage } from '../common/errors.js';
import { shortContainerId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import type { ContainerClient, ManagedContainer } from './container-client.js';
import type { ContainerInspection } from './container-inspection.js';
import { toCreateOptions } from './container-options.js';
import { isRemovalInProgress, statusCode } from './engine-errors.js';
import { demuxBuffer } from './engine-streams.js';
import { assertHardened } from './hardening-guard.js';
import type { HardenedContainerSpec } from './hardened-spec.js';
import { LABELS, MANAGED_FILTER } from './labels.js';
import { toContainerInspection } from './to-container-inspection.js';

export class DockerContainerClient implements ContainerClient {
  constructor(
    private readonly docker: Docker,
    private readonly log: Logger,
  ) {}

  async createSandbox(spec: HardenedContainerSpec): Promise<string> {
    const options = toCreateOptions(spec);
    try {
      assertHardened(options);
    } catch (err) {
      this.log.error({ err, name: spec.name }, 'Refused to create a weakened container');
      throw err;
    }
    this.log.debug({ name: spec.name, image: spec.image }, 'Creating container');
    try {
      const container = await this.docker.createContainer(options);
      this.log.debug({ containerId: shortContainerId(container.id), name: spec.name }, 'Created container');
      return container.id;
    } catch (err) {
      this.log.warn({ err, name: spec.name }, 'Failed to create container');
      throw new AgentdError(
        'SANDBOX_START_FAILED',
        `cannot create container ${spec.name}: ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }

  async start(containerId: string): Promise<void> {
    const id = shortContainerId(containerId);
    this.log.debug({ containerId: id }, 'Starting container');
    try {
      await this.docker.getContainer(containerId).start();
      this.log.debug({ containerId: id }, 'Started container');
    } catch (err) {
      this.log.warn({ err, containerId: id }, 'Failed to start container');
      throw new AgentdError('SANDBOX_START_FAILED', `cannot start container ${id}: ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }

  // Polled while a sandbox starts: only failures are logged.
  async inspect(containerId: string): Promise<ContainerInspection | undefined> {
    try {
      return toContainerInspection(await this.docker.getContainer(containerId).inspect());
    } catch (err) {
      if (statusCode(err) === 404) return undefined;
      this.log.warn({ err, containerId: shortContainerId(containerId) }, 'Failed to inspect container');
      throw err;
    }
  }

  async remove(containerId: string): Promise<void> {
    const id = shortContainerId(containerId);
    const container = this.docker.getContainer(containerId);
    this.log.debug({ containerId: id }, 'Removing container');
    try {
      const info = await container.inspect();
      if (info.Config.Labels[LABELS.managed] !== 'true') {
        throw new AgentdError(
          'INTERNAL_ERROR',
          `refusing to remove container ${id}: it is not managed by agentd`,
        );
      }
      await container.remove({ force: true, v: true });
      this.log.debug({ containerId: id }, 'Removed container');
    } catch (err) {
      if (statusCode(err) === 404 || isRemovalInProgress(err)) return;
      this.log.warn({ err, containerId: id }, 'Failed to remove container');
      throw err;
    }
  }

  async stop(containerId: string, timeoutSeconds: number): Promise<void> {
    const id = shortContainerId(containerId);
    this.log.debug({ containerId: id, timeoutSeconds }, 'Stopping container');
    try {
      await this.docker.getContainer(containerId).stop({ t: timeoutSeconds });
      this.log.debug({ containerId: id }, 'Stopped container');
    } catch (err) {
      const code = statusCode(err);
      if (code === 304 || code === 404) return;
      this.log.warn({ err, containerId: id }, 'Failed to stop container');
      throw err;
    }
  }

  async pause(containerId: string): Promise<void> {
    const id = shortContainerId(containerId);
    this.log.debug({ containerId: id }, 'Pausing container');
    try {
      await this.docker.getContainer(containerId).pause();
      this.log.debug({ containerId: id }, 'Paused container');
    } catch (err) {
      // 409/500 "already paused" is the state asked for.
      if (/already paused/i.test(errorMessage(err))) return;
      this.log.warn({ err, containerId: id }, 'Failed to pause container');
      throw err;
    }
  }

  async unpause(containerId: string): Promise<void> {
    const id = shortContainerId(containerId);
    this.log.debug({ containerId: id }, 'Unpausing container');
    try {
      await this.docker.getContainer(containerId).unpause();
      this.log.debug({ containerId: id }, 'Unpaused container');
    } catch (err) {
      if (statusCode(err) === 404 || /not paused|is not running/i.test(errorMessage(err))) return;
      this.log.warn({ err, containerId: id }, 'Failed to unpause container');
      throw err;
    }
  }

  async kill(containerId: string, signal = 'SIGKILL'): Promise<void> {
    const id = shortContainerId(containerId);
    this.log.debug({ containerId: id, signal }, 'Killing container');
    try {
      await this.docker.getContainer(containerId).kill({ signal });
      this.log.debug({ containerId: id, signal }, 'Killed container');
    } catch (err) {
      const code = statusCode(err);
      if (code === 404 || code === 409) return;
      this.log.warn({ err, containerId: id, signal }, 'Failed to kill container');
      throw err;
    }
  }

  async listManaged(extraLabels: Record<string, string> = {}): Promise<ManagedContainer[]> {
    const label = [MANAGED_FILTER, ...Object.entries(extraLabels).map(([k, v]) => `${k}=${v}`)];
    try {
      const containers = await this.docker.listContainers({ all: true, filters: { label } });
      this.log.debug({ label, count: containers.length }, 'Listed managed containers');
      return containers.map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? '').replace(/^\//, ''),
        state: c.State,
        labels: c.Labels,
        createdAt: c.Created * 1000,
      }));
    } catch (err) {
      this.log.warn({ err, label }, 'Failed to list managed containers');
      throw err;
    }
  }

  async processes(containerId: string): Promise<string[]> {
    const id = shortContainerId(containerId);
    try {
      const top = (await this.docker.getContainer(containerId).top({ ps_args: '-o pid,args' })) as {
        Processes?: string[][];
      };
      this.log.debug({ containerId: id }, 'Listed container processes');
      // Columns are PID and the command line; keep the command line.
      return (top.Processes ?? []).map((row) => row.slice(1).join(' '));
    } catch (err) {
      this.log.warn({ err, containerId: id }, 'Failed to list container processes');
      throw err;
    }
  }

  async logs(containerId: string, tailLines: number): Promise<string> {
    const id = shortContainerId(containerId);
    try {
      const buffer = await this.docker
        .getContainer(containerId)
        .logs({ stdout: true, stderr: true, tail: tailLines, follow: false });
      this.log.debug({ containerId: id, tailLines }, 'Read container logs');
      return demuxBuffer(buffer);
    } catch (err) {
      // Logs are read for diagnostics only; their absence must not hide the failure being diagnosed.
      this.log.warn({ err, containerId: id }, 'Failed to read container logs');
      return '';
    }
  }
}
