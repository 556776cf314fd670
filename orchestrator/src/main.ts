import { buildApp } from './api/app.js';
import { CallHomeServer } from './callhome/call-home-server.js';
import { systemClock } from './common/clock.js';
import type { Logger } from './common/logger.js';
import { PeriodicTask } from './common/timers.js';
import type { AgentdConfig } from './config/config.js';
import { AuditService } from './controlplane/audit-service.js';
import { createCoordination } from './coordination/coordination.js';
import { registerFleetMetrics } from './daemon/fleet-metrics.js';
import { createCredentials } from './daemon/credentials.js';
import { createSharedCaches } from './daemon/shared-caches.js';
import { createControlPlane } from './daemon/control-plane.js';
import { dependencyChecks } from './daemon/dependency-checks.js';
import { createEgress, egressPolicyOf, resolverLookup } from './daemon/egress-wiring.js';
import { createInjection } from './daemon/injection-wiring.js';
import { secretExpander } from './interception/secret-expander.js';
import { modelProviders } from './daemon/model-providers.js';
import { ensureDevelopmentKey } from './daemon/development-key.js';
import { openDatabase } from './daemon/open-database.js';
import { createSecretService, openSecretKeyring } from './daemon/secrets.js';
import { preflight } from './daemon/preflight.js';
import { healthPosture, registerPostureMetrics } from './daemon/posture-reporting.js';
import { daemonLifecycle } from './daemon/daemon-lifecycle.js';
import type { Daemon, DaemonOverrides } from './daemon/daemon.js';
import { ResourceStack } from './daemon/resource-stack.js';
import { createMcpSubsystem } from './daemon/mcp-subsystem.js';
import { createRunSubsystem } from './daemon/run-subsystem.js';
import { createSandboxSubsystem } from './daemon/sandbox-subsystem.js';
import { DockerEngine } from './docker/docker-engine.js';
import { HealthService } from './health/health-service.js';
import { Metrics } from './metrics/metrics.js';
import { OutboundGuard } from './outbound/outbound-guard.js';
import { protectedEndpoints } from './daemon/outbound-endpoints.js';
import { PolicyService } from './policy/policy-service.js';
import { SimpleChatService } from './runs/simple-chat-service.js';
import { createSkills } from './skills/create-skills.js';
import { createWorkspaces } from './workspace/create-workspaces.js';

export { createAgentdImageBuilder, createImageBuilder } from './daemon/image-builders.js';

export type { Daemon, DaemonOverrides } from './daemon/daemon.js';

/**
 * The composition root: every client and service is built here, with `new`, and connected; checks,
 * lifecycle and shutdown live in ./daemon. Whatever was opened is closed again if building fails.
 */
export async function createDaemon(
  config: AgentdConfig,
  logger: Logger,
  overrides: DaemonOverrides = {},
): Promise<Daemon> {
  const resources = new ResourceStack(logger);
  try {
    return await wire(config, logger, overrides, resources);
  } catch (err) {
    await resources.closeAll();
    throw err;
  }
}

async function wire(
  config: AgentdConfig,
  logger: Logger,
  overrides: DaemonOverrides,
  resources: ResourceStack,
): Promise<Daemon> {
  const clock = overrides.clock ?? systemClock;
  const nodeId = config.nodeId;
  const metrics = new Metrics({ defaultMetrics: true });
  const docker = new DockerEngine({ dockerHost: config.docker.host, logger });
  const host = await preflight(config, docker, logger, overrides.versionSource);
  const secretKeyring = await openSecretKeyring(config, logger);

  const database = await openDatabase(config, logger);
  resources.defer('database', () => database.close());
  const store = database.store;
  const policy = { current: config.sandbox.lifecycle };
  const audit = new AuditService(store, logger);
  const secrets = createSecretService(config, secretKeyring, store, audit, logger);
  const policyService = new PolicyService({
    store,
    audit,
    baseProfiles: host.profiles,
    environment: config.sandbox.lifecycle,
    file: config.sandbox.policyFile,
    logger,
    onChange: (state) => {
      policy.current = state.effective.lifecycle;
    },
  });
  await policyService.load();
  const { redis, lockTtlMs, heartbeatTtlMs, eventLog: eventLogConfig } = config;
  const coordination = await createCoordination(
    { nodeId, redis, lockTtlMs, heartbeatTtlMs, eventLog: eventLogConfig },
    clock,
    logger,
  );
  resources.defer('coordination', () => coordination.close());
  const caches = createSharedCaches({ config, notifier: coordination.notifier, clock, logger });
  const { auth, tickets, authenticate } = createCredentials({
    config,
    store,
    coordination,
    keyCache: caches.apiKeys,
    clock,
    logger,
  });
  const developmentAdminKey = await ensureDevelopmentKey(config, auth, logger);
  const registry = overrides.registry ?? coordination.registry;
  const { locks, eventLog, nodes } = coordination;
  const callHome = new CallHomeServer({ stateDir: config.stateDir, logger, ...config.callHome });
  resources.defer('call-home sockets', () => callHome.detachAll());
  const profiles = () => policyService.profiles();
  const subsystem = createSandboxSubsystem({
    config,
    docker,
    callHome,
    registry,
    profiles,
    defaultProfile: host.defaultProfile.name,
    apparmorFor: host.apparmorFor,
    policy: () => policy.current,
    clock,
    logger,
    metrics,
    forwardRemoval: (sandboxId) => coordination.signals.requestRemoveSandbox(sandboxId),
  });
  const { sandboxes, remover, supervisor } = subsystem;
  // Also for a daemon that never started: a refill a claim set off must not create a container after close.
  resources.defer('warm pool', () => subsystem.pool.stop());
  const workspaces = createWorkspaces({
    config: config.workspace,
    store,
    registry,
    callHome,
    locks,
    sandboxes,
    remover,
    logger,
    metrics,
  });

  const skills = createSkills({ store, objects: workspaces.objects, audit, callHome, logger });

  // One guard for every outbound connection (remote MCP servers, egress). Its protected endpoints are read at
  // every check: the listeners' ports are known once the daemon has started.
  const outbound = new OutboundGuard({
    protectedEndpoints: protectedEndpoints(config, database.url, () => daemon),
    ...(config.egress.dnsServer !== undefined ? { lookup: resolverLookup(config.egress.dnsServer) } : {}),
  });
  const mcp = createMcpSubsystem({
    config,
    store,
    audit,
    callHome,
    eventLog,
    secrets,
    outbound,
    metrics,
    logger,
  });
  const injection = await createInjection({ config, callHome, secrets: secretExpander(secrets), logger });
  const { runs, streams, recovery } = createRunSubsystem({
    config,
    store,
    callHome,
    coordination,
    registry,
    sandboxes,
    usage: subsystem.usage,
    workspace: workspaces.sync,
    skills: skills.delivery,
    providers: modelProviders(config.models, logger, overrides.providers),
    egressPolicy: egressPolicyOf(policyService, host.defaultProfile.name),
    prepareEgress: injection.prepareEgress,
    clock,
    logger,
    metrics,
    tools: mcp.tools,
    tenantPolicies: caches.tenantPolicies,
  });
  mcp.installCallRoute((runId, sandboxId) => runs.findForSandbox(runId, sandboxId));

  const egress = createEgress({
    config,
    callHome,
    runs,
    store,
    metrics,
    logger,
    dialer: outbound,
    interceptor: injection.interceptor,
  });
  resources.defer('egress audit', () => egress.audit.close());

  const controlPlane = createControlPlane({
    config,
    host,
    store,
    auth,
    audit,
    policy: policyService,
    coordination,
    registry,
    subsystem,
    files: workspaces.files,
    secrets,
    docker,
    callHome,
    clock,
    logger,
    mcpServers: mcp.service,
    caches,
  });
  const services = { ...controlPlane, skills: skills.service };

  const health = new HealthService(
    dependencyChecks({
      database,
      docker,
      engineVersion: host.engineInfo.serverVersion,
      workspaceStore: workspaces.check,
      coordination,
    }),
    { nodeId, timeoutMs: 2_000, cacheMs: 1_000, posture: healthPosture(host.posture) },
  );
  registerPostureMetrics(metrics, host.posture);
  registerFleetMetrics(metrics, { health, nodes: coordination.nodes });
  const shutdownController = new AbortController();
  const app = await buildApp({
    http: config.http,
    logger,
    authenticate,
    tickets,
    streams,
    chats: new SimpleChatService({ conversations: services.conversations, streams }),
    health,
    metrics,
    metricsEnabled: config.metrics.enabled,
    metricsPublic: config.metrics.public,
    shutdown: shutdownController.signal,
    activeRuns: () => runs.activeCount,
    services,
  });
  resources.defer('http', () => app.close());
  // Streams end (with `server_shutdown`) before the server closes under them.
  resources.defer('streams', () => Promise.resolve(shutdownController.abort()));

  const janitor = new PeriodicTask(
    Math.max(1_000, Math.floor(config.heartbeatTtlMs / 2)),
    async () => {
      await recovery.sweep();
      await policyService.refresh();
    },
    (err) => logger.warn({ err }, 'Run recovery sweep failed'),
  );

  const lifecycle = daemonLifecycle({
    config,
    logger,
    resources,
    supervisor,
    sandboxes,
    runs,
    operators: services.operators,
    janitor,
    app,
    nodes,
    health,
    shutdownController,
    apparmor: host.hostSecurity.apparmor.reason,
  });
  const daemon: Daemon = {
    ...subsystem,
    config,
    logger,
    metrics,
    docker,
    hostSecurity: host.hostSecurity,
    profiles: host.profiles,
    registry,
    callHome,
    database,
    store,
    auth,
    tickets,
    authenticate,
    locks,
    eventLog,
    runs,
    health,
    app,
    policy,
    developmentAdminKey,
    secrets,
    outbound,
    url: undefined,
    http2Urls: { h2c: undefined, tls: undefined },
    agentCoreUrl: undefined,
    start: async () => {
      const started = await lifecycle.start();
      daemon.url = started.url;
      daemon.http2Urls = started.http2;
      daemon.agentCoreUrl = started.agentCore;
    },
    shutdown: lifecycle.shutdown,
    close: lifecycle.close,
  };
  return daemon;
}
