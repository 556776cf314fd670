import type { FastifyInstance } from 'fastify';
import { listenAgentCore } from '../api/agentcore-listener.js';
import { listenHttp2, type Http2Urls } from '../api/http2-listeners.js';
import type { Logger } from '../common/logger.js';
import type { PeriodicTask } from '../common/timers.js';
import type { AgentdConfig } from '../config/config.js';
import type { HealthService } from '../health/health-service.js';
import type { OperatorService } from '../operators/operator-service.js';
import type { NodeDirectory } from '../runs/node-directory.js';
import type { RunService } from '../runs/run-service.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import type { SandboxSupervisor } from '../sandbox/sandbox-supervisor.js';
import type { ResourceStack } from './resource-stack.js';

export interface LifecycleParts {
  config: AgentdConfig;
  logger: Logger;
  resources: ResourceStack;
  supervisor: SandboxSupervisor;
  sandboxes: SandboxManager;
  runs: RunService;
  operators: OperatorService;
  janitor: PeriodicTask;
  app: FastifyInstance;
  nodes: NodeDirectory;
  health: HealthService;
  /** Aborted at shutdown: open streams say `server_shutdown` and end. */
  shutdownController: AbortController;
  /** Why AppArmor is or is not applied here, for the start-up line. */
  apparmor: string;
}

export interface DaemonLifecycle {
  /** Starts serving and returns the URLs; a failed start closes everything the daemon opened. */
  start: () => Promise<{ url: string; http2: Http2Urls; agentCore: string | undefined }>;
  /** Graceful: refuse new runs, tell streams, let runs finish until SHUTDOWN_TIMEOUT, then interrupt them. */
  shutdown: () => Promise<void>;
  /** Immediate: closes what was opened, in reverse order (sandboxes stay and are adopted or reaped later). */
  close: () => Promise<void>;
}

export function daemonLifecycle(parts: LifecycleParts): DaemonLifecycle {
  const { config, logger, resources, supervisor, runs, janitor, app, nodes } = parts;
  let closed: Promise<void> | undefined;
  let shuttingDown: Promise<void> | undefined;
  const close = (): Promise<void> => (closed ??= resources.closeAll());
  return {
    start: async () => {
      try {
        await supervisor.start();
        resources.defer('sandbox supervisor', () => supervisor.stop());
        await runs.start();
        await parts.operators.listenForForcedRemovals();
        janitor.start();
        resources.defer('janitor', () => janitor.stop());
        const url = await app.listen({ host: config.http.host, port: config.http.port });
        const http2 = await listenHttp2(app, config.http.host, config.http.http2, logger);
        resources.defer('http/2 listeners', async () => {
          // Streams on these listeners end with `server_shutdown` before their connections go.
          parts.shutdownController.abort();
          await http2.close();
        });
        const { agentCorePort } = config.http;
        const agentCore =
          agentCorePort === undefined
            ? undefined
            : await listenAgentCore(app, config.http.host, agentCorePort);
        if (agentCore) {
          resources.defer('agentcore listener', async () => {
            parts.shutdownController.abort();
            await agentCore.close();
          });
        }
        await nodes.start({ nodeId: config.nodeId, url, startedAt: new Date().toISOString() });
        logger.info(
          { url, ...http2.urls, agentCore: agentCore?.url, node: config.nodeId, apparmor: parts.apparmor },
          'agentd listening',
        );
        return { url, http2: http2.urls, agentCore: agentCore?.url };
      } catch (err) {
        await close();
        throw err;
      }
    },
    shutdown: () =>
      (shuttingDown ??= (async () => {
        parts.health.markShuttingDown();
        runs.stopAccepting();
        parts.shutdownController.abort();
        const deadline = setTimeout(
          () => void runs.interruptAll('the node shut down before the run finished'),
          config.shutdownTimeoutMs,
        );
        await runs.whenIdle();
        clearTimeout(deadline);
        if (config.shutdownSandboxes === 'remove') {
          for (const record of await parts.sandboxes.list())
            await parts.sandboxes.remove(record.id, 'shutdown').catch(() => undefined);
        }
        await close();
      })()),
    close,
  };
}
