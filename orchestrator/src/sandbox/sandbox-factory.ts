import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { SandboxChannel } from '../callhome/sandbox-channel.js';
import { AgentdError, errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { sleep } from '../common/timers.js';
import type { ContainerClient } from '../docker/container-client.js';
import { LABELS } from '../docker/labels.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SandboxLimits, SandboxProfile } from './profile.js';
import type { SandboxRecord } from './sandbox-record.js';

export interface SandboxFactoryOptions {
  containers: ContainerClient;
  callHome: CallHomeServer;
  nodeId: string;
  image: string;
  /** Returns the AppArmor profile to request (null where the kernel cannot enforce it). */
  apparmorProfileFor: (profile: SandboxProfile) => string | null;
  startTimeoutMs: number;
  logger: Logger;
  metrics: Metrics;
}

export interface CreateRequest {
  record: SandboxRecord;
  profile: SandboxProfile;
  limits: SandboxLimits;
}

/** Turns a `starting` record into a running container whose runner has called home. */
export class SandboxFactory {
  readonly #log: Logger;

  constructor(private readonly options: SandboxFactoryOptions) {
    this.#log = options.logger.child({ component: 'sandbox-factory' });
  }

  /** Returns the container id once the runner is connected; cleans up everything on failure. */
  async create({
    record,
    profile,
    limits,
  }: CreateRequest): Promise<{ containerId: string; channel: SandboxChannel }> {
    const { containers, callHome } = this.options;
    const log = this.#log.child({
      sandboxId: record.id,
      tenantId: record.tenantId,
      conversationId: record.conversationId,
    });
    const channel = await callHome.open(record.id);
    let containerId = '';
    try {
      containerId = await containers.createSandbox({
        name: `agentd-${record.id}`,
        image: this.options.image,
        labels: this.labelsFor(record),
        env: {
          AGENTD_SOCKET: '/run/agentd/agentd.sock',
          HOME: '/tmp',
          LANG: 'C.UTF-8',
          PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        },
        runtime: profile.runtime,
        seccompJson: profile.seccompJson,
        apparmorProfile: this.options.apparmorProfileFor(profile),
        socketDir: callHome.socketDirOf(record.id),
        tmpExec: profile.tmpExec,
        limits,
        log: profile.log,
        stopTimeoutSeconds: profile.stopTimeoutSeconds,
      });
      await containers.start(containerId);
      await this.#awaitCallHome(containerId, channel);
      log.info({ containerId: containerId.slice(0, 12), profile: profile.name }, 'Sandbox started');
      return { containerId, channel };
    } catch (err) {
      this.options.metrics.sandboxStartFailures.inc();
      const logs = containerId ? await containers.logs(containerId, 20) : '';
      log.error({ err, logs }, 'Sandbox failed to start');
      if (containerId)
        await containers.remove(containerId).catch((e: unknown) => log.warn({ err: e }, 'Cleanup failed'));
      await callHome.close(record.id);
      if (err instanceof AgentdError && err.code === 'SANDBOX_START_FAILED') throw err;
      throw new AgentdError(
        'SANDBOX_START_FAILED',
        `sandbox ${record.id} failed to start: ${errorMessage(err)}`,
        {
          cause: err,
          recoverable: true,
          details: logs ? { logs: logs.slice(-2000) } : undefined,
        },
      );
    }
  }

  labelsFor(record: SandboxRecord): Record<string, string> {
    const labels: Record<string, string> = {
      [LABELS.managed]: 'true',
      [LABELS.node]: record.nodeId,
      [LABELS.sandboxId]: record.id,
      [LABELS.profile]: record.profile,
      [LABELS.profileVersion]: String(record.profileVersion),
      [LABELS.limits]: record.limitsKey,
      [LABELS.created]: new Date(record.createdAt).toISOString(),
    };
    // Labels are fixed at create time: a warm sandbox is labelled with its pool, its later owner lives in the registry.
    if (record.tenantId !== null && record.conversationId !== null) {
      labels[LABELS.tenant] = record.tenantId;
      labels[LABELS.conversation] = record.conversationId;
    } else {
      labels[LABELS.pool] = record.profile;
    }
    return labels;
  }

  async #awaitCallHome(containerId: string, channel: SandboxChannel): Promise<void> {
    const deadline = Date.now() + this.options.startTimeoutMs;
    // Check the container now and then while waiting, so a runner that crashes fails fast instead of timing out.
    let nextInspect = Date.now() + 250;
    while (!channel.isConnected) {
      if (Date.now() > deadline) {
        throw new AgentdError(
          'SANDBOX_START_FAILED',
          `runner did not call home within ${this.options.startTimeoutMs} ms`,
          {
            recoverable: true,
          },
        );
      }
      if (Date.now() >= nextInspect) {
        const info = await this.options.containers.inspect(containerId);
        if (!info?.state.running) {
          throw new AgentdError(
            'SANDBOX_START_FAILED',
            `container exited before calling home (exit code ${info?.state.exitCode ?? 'unknown'}${info?.state.oomKilled ? ', OOM-killed' : ''})`,
            { recoverable: true },
          );
        }
        nextInspect = Date.now() + 500;
      }
      await Promise.race([channel.connected, sleep(50)]);
    }
  }
}
