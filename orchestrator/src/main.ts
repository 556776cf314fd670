import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './api/app.js';
import { adminRoutes } from './api/routes/admin.js';
import { auditLogRoutes } from './api/routes/audit.js';
import { conversationRoutes } from './api/routes/conversations.js';
import { keyRoutes } from './api/routes/keys.js';
import { modelRoutes } from './api/routes/models.js';
import { tenantRoutes } from './api/routes/tenants.js';
import { usageRoutes } from './api/routes/usage.js';
import { workspaceRoutes } from './api/routes/workspace.js';
import { ApiKeyAuth } from './auth/api-key-auth.js';
import { CallHomeServer } from './callhome/call-home-server.js';
import { systemClock, type Clock } from './common/clock.js';
import { AgentdError, errorMessage, isAgentdError, ValidationError } from './common/errors.js';
import type { Logger } from './common/logger.js';
import { PeriodicTask } from './common/timers.js';
import type { AgentdConfig } from './config/config.js';
import { createCoordination, type Coordination } from './coordination/coordination.js';
import type { LockService } from './coordination/lock-service.js';
import type { RunEventLog } from './coordination/run-event-log.js';
import type { SandboxRegistry } from './coordination/sandbox-registry.js';
import { ensureBuiltinModels } from './db/builtin-models.js';
import { createDatabase, type Database } from './db/create-database.js';
import { IsolationAuditor } from './audit/isolation-auditor.js';
import { runnerProbe } from './audit/runner-probe.js';
import { AuditService } from './controlplane/audit-service.js';
import { ConversationService } from './controlplane/conversation-service.js';
import { ModelService } from './controlplane/model-service.js';
import { TenantPolicyCache } from './controlplane/tenant-policy-cache.js';
import { TenantService, type ConversationCleanup } from './controlplane/tenant-service.js';
import { DockerEngine } from './docker/docker-engine.js';
import { HealthService, type DependencyCheck } from './health/health-service.js';
import { detectDebianMirror } from './image/debian-mirror.js';
import { AgentdImageBuilder } from './image/agentd-image-builder.js';
import { RunnerImageBuilder } from './image/runner-image-builder.js';
import { Metrics } from './metrics/metrics.js';
import { PolicyService } from './policy/policy-service.js';
import { BedrockProvider } from './model/bedrock-provider.js';
import type { ModelProvider } from './model/model-provider.js';
import { ScriptedProvider } from './model/scripted-provider.js';
import { ModelGateway } from './runs/model-gateway.js';
import { RunRecovery } from './runs/run-recovery.js';
import { RunService } from './runs/run-service.js';
import { RunnerBridge } from './runs/runner-bridge.js';
import type { LifecyclePolicy } from './sandbox/lifecycle-policy.js';
import { NodeCapacity } from './sandbox/node-capacity.js';
import type { SandboxProfile } from './sandbox/profile.js';
import { loadProfiles } from './sandbox/profile-loader.js';
import { Reaper } from './sandbox/reaper.js';
import { Reconciler } from './sandbox/reconciler.js';
import { SandboxFactory } from './sandbox/sandbox-factory.js';
import { SandboxManager } from './sandbox/sandbox-manager.js';
import { SandboxRemover } from './sandbox/sandbox-remover.js';
import { SandboxSupervisor } from './sandbox/sandbox-supervisor.js';
import { WarmPool } from './sandbox/warm-pool.js';
import { detectHostSecurity, type HostSecurityFacts } from './security/host-security.js';
import { decideIsolation } from './security/isolation-policy.js';
import { createWorkspaces } from './workspace/create-workspaces.js';
import type { Store } from './store/repositories.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RUNNER_DIST_DIR = path.join(REPO_ROOT, 'sandbox-runner', 'dist');

export interface Daemon {
  config: AgentdConfig;
  logger: Logger;
  metrics: Metrics;
  docker: DockerEngine;
  hostSecurity: HostSecurityFacts;
  profiles: ReadonlyMap<string, SandboxProfile>;
  registry: SandboxRegistry;
  callHome: CallHomeServer;
  remover: SandboxRemover;
  pool: WarmPool;
  reaper: Reaper;
  reconciler: Reconciler;
  sandboxes: SandboxManager;
  supervisor: SandboxSupervisor;
  database: Database;
  store: Store;
  auth: ApiKeyAuth;
  locks: LockService;
  eventLog: RunEventLog;
  runs: RunService;
  health: HealthService;
  app: FastifyInstance;
  /** The live lifecycle policy; replace it to apply a change without a restart. */
  policy: { current: LifecyclePolicy };
  /** The development admin key (generated when API_KEYS is empty outside production). */
  developmentAdminKey: string | undefined;
  /** `http://host:port` once started. */
  url: string | undefined;
  start(): Promise<void>;
  /** Graceful: refuse new runs, tell streams, let runs finish until SHUTDOWN_TIMEOUT, then interrupt them. */
  shutdown(): Promise<void>;
  /** Immediate: stop everything this process runs (sandboxes stay and are adopted or reaped later). */
  close(): Promise<void>;
}

export interface DaemonOverrides {
  clock?: Clock;
  registry?: SandboxRegistry;
  /** Extra model providers by name (tests point `bedrock` at a local ConverseStream server this way). */
  providers?: Map<string, ModelProvider>;
}

/** The composition root: every client and service is built here, with `new`, and nowhere else. */
export async function createDaemon(
  config: AgentdConfig,
  logger: Logger,
  overrides: DaemonOverrides = {},
): Promise<Daemon> {
  const clock = overrides.clock ?? systemClock;
  const metrics = new Metrics({ defaultMetrics: true });
  const docker = new DockerEngine({ dockerHost: config.docker.host, logger });
  let engineInfo;
  try {
    engineInfo = await docker.info();
  } catch (err) {
    throw new AgentdError(
      'DEPENDENCY_UNAVAILABLE',
      `the Docker engine at ${config.docker.host} does not answer: ${errorMessage(err)}`,
      {
        cause: err,
        details: { dependency: 'docker' },
      },
    );
  }
  const profiles = await loadProfiles(config.sandbox);
  const defaultProfile = profiles.get(config.sandbox.defaultProfile);
  if (!defaultProfile) {
    throw new AgentdError(
      'VALIDATION_FAILED',
      `default profile ${config.sandbox.defaultProfile} is not in ${config.sandbox.profilesDir}`,
    );
  }
  const hostSecurity = await detectHostSecurity(engineInfo, defaultProfile.apparmorProfile);
  const decisions = new Map<string, string | null>();
  const problems = config.appEnv === 'production' ? [...config.productionIssues] : [];
  for (const profile of profiles.values()) {
    const decision = decideIsolation(hostSecurity, config.sandbox.isolation, profile.apparmorProfile);
    decisions.set(profile.name, decision.apparmorProfile);
    for (const warning of decision.warnings) logger.warn({ profile: profile.name }, warning);
    for (const refusal of decision.refusals) if (!problems.includes(refusal)) problems.push(refusal);
  }
  if (problems.length > 0) {
    throw new AgentdError('VALIDATION_FAILED', `agentd refuses to start:\n  - ${problems.join('\n  - ')}`, {
      severity: 'critical',
      details: { issues: problems },
    });
  }
  if (!(await docker.imageLabels(config.sandbox.image))) {
    throw new AgentdError(
      'SANDBOX_START_FAILED',
      `runner image ${config.sandbox.image} is missing: run \`agentd image build\``,
    );
  }

  await mkdir(config.stateDir, { recursive: true, mode: 0o711 });
  await chmod(config.stateDir, 0o711);
  const database = await createDatabase({
    url: config.database.url,
    stateDir: config.stateDir,
    logger,
    migrate: config.database.url === undefined || config.database.autoMigrate,
  });
  const store = database.store;
  if (config.appEnv === 'development') await ensureBuiltinModels(store);
  const auth = new ApiKeyAuth({ store, bootstrapKeys: config.auth.apiKeys, clock, logger });
  let developmentAdminKey: string | undefined;
  if (config.appEnv === 'development' && config.auth.apiKeys.length === 0) {
    const admin = await auth.ensureDevelopmentAdminKey(config.stateDir);
    developmentAdminKey = admin.plain;
    if (admin.created)
      logger.warn(
        { file: admin.file, apiKey: admin.plain },
        'Generated a development admin API key (shown once)',
      );
  }

  const policy = { current: config.sandbox.lifecycle };
  const audit = new AuditService(store, logger);
  const policyService = new PolicyService({
    store,
    audit,
    baseProfiles: profiles,
    environment: config.sandbox.lifecycle,
    file: config.sandbox.policyFile,
    logger,
    onChange: (state) => {
      policy.current = state.effective.lifecycle;
    },
  });
  await policyService.load();
  let coordination: Coordination;
  try {
    coordination = await createCoordination(
      {
        nodeId: config.nodeId,
        redis: config.redis,
        lockTtlMs: config.lockTtlMs,
        heartbeatTtlMs: config.heartbeatTtlMs,
        eventLog: config.eventLog,
      },
      clock,
      logger,
    );
  } catch (err) {
    await database.close();
    throw err;
  }
  const registry = overrides.registry ?? coordination.registry;
  const locks: LockService = coordination.locks;
  const eventLog: RunEventLog = coordination.eventLog;
  const callHome = new CallHomeServer({ stateDir: config.stateDir, logger, ...config.callHome });
  const remover = new SandboxRemover({
    docker,
    callHome,
    registry,
    clock,
    logger,
    metrics,
    historySize: 1000,
  });
  const capacity = new NodeCapacity({ nodeId: config.nodeId, registry, policy: () => policy.current });
  const factory = new SandboxFactory({
    docker,
    callHome,
    nodeId: config.nodeId,
    image: config.sandbox.image,
    apparmorProfileFor: (profile) => decisions.get(profile.name) ?? null,
    startTimeoutMs: config.sandbox.startTimeoutMs,
    logger,
    metrics,
  });
  const pool = new WarmPool({
    nodeId: config.nodeId,
    registry,
    factory,
    capacity,
    profiles: () => policyService.profiles(),
    poolSize: () => policy.current.poolSize,
    clock,
    logger,
    metrics,
  });
  const sandboxes = new SandboxManager({
    nodeId: config.nodeId,
    registry,
    callHome,
    factory,
    remover,
    pool,
    capacity,
    profiles: () => policyService.profiles(),
    defaultProfile: defaultProfile.name,
    policy: () => policy.current,
    clock,
    logger,
    metrics,
    healthCheckTimeoutMs: 5_000,
  });
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
  const reaper = new Reaper({
    nodeId: config.nodeId,
    registry,
    capacity,
    remover,
    pool,
    policy: () => policy.current,
    clock,
    logger,
    conversationExists: async (tenantId, conversationId) =>
      (await store.conversations.get(tenantId, conversationId)) !== undefined,
  });
  const reconciler = new Reconciler({
    nodeId: config.nodeId,
    docker,
    registry,
    callHome,
    remover,
    pool,
    logger,
    metrics,
    adoptTimeoutMs: 10_000,
  });
  const supervisor = new SandboxSupervisor({
    nodeId: config.nodeId,
    docker,
    manager: sandboxes,
    pool,
    reaper,
    reconciler,
    policy: () => policy.current,
    reconcileIntervalMs: 60_000,
    logger,
  });
  metrics.computedGauge('agentd_sandboxes', 'Sandboxes on this node by state.', ['state'], async () => {
    const counts = new Map<string, number>();
    for (const r of await registry.list({ nodeId: config.nodeId }))
      counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
    return [...counts].map(([state, value]) => ({ labels: { state }, value }));
  });

  const providers = new Map<string, ModelProvider>([
    ['scripted', new ScriptedProvider({ deltaDelayMs: config.models.scriptedDeltaDelayMs })],
    [
      'bedrock',
      new BedrockProvider({
        region: config.models.bedrock.region,
        ...(config.models.bedrock.endpoint === undefined ? {} : { endpoint: config.models.bedrock.endpoint }),
        maxAttempts: config.models.bedrock.maxAttempts,
        logger,
      }),
    ],
    ...(overrides.providers ?? new Map<string, ModelProvider>()),
  ]);
  const gateway = new ModelGateway({ providers, store, logger, metrics });
  const recovery = new RunRecovery({
    nodeId: config.nodeId,
    store,
    eventLog,
    nodes: coordination.nodes,
    registry,
    logger,
  });
  const runs = new RunService({
    nodeId: config.nodeId,
    signals: coordination.signals,
    recovery,
    store,
    sandboxes,
    locks,
    eventLog,
    workspace: workspaces.sync,
    settings: config.runs,
    clock,
    logger,
    metrics,
  });
  new RunnerBridge({
    callHome,
    gateway,
    findRun: (runId, sandboxId) => runs.findForSandbox(runId, sandboxId),
    relay: (run, event) => runs.relay(run, event),
    limits: {
      ...config.runnerLimits,
      maxConverseBytes: 32 * 1024 * 1024,
      controlPollMs: config.callHome.pollTimeoutMs,
    },
    logger,
  });

  const checks: DependencyCheck[] = [
    {
      name: 'postgres',
      mode: database.kind === 'pglite' ? 'embedded' : 'service',
      critical: true,
      check: async () => {
        await store.ping();
        return database.kind === 'pglite' ? 'embedded PGlite in the state directory' : undefined;
      },
    },
    {
      name: 'docker',
      mode: 'service',
      critical: true,
      check: async () => {
        await docker.ping();
        return `engine ${engineInfo.serverVersion}`;
      },
    },
    workspaces.check,
    coordination.mode === 'redis'
      ? {
          name: 'redis',
          mode: 'service',
          critical: true,
          check: async () => {
            await coordination.ping();
            return undefined;
          },
        }
      : {
          name: 'redis',
          mode: 'embedded',
          critical: false,
          check: () =>
            Promise.resolve(
              'not configured: locks, sandbox registry, rate limits and the event log are in-process (single node)',
            ),
        },
  ];
  const cleanup: ConversationCleanup = {
    conversationDeleted: async (tenantId, conversationId) => {
      workspaces.files.deleteInBackground(tenantId, conversationId);
      const record = await registry.findByConversation(tenantId, conversationId);
      if (record?.nodeId !== config.nodeId) return;
      await sandboxes.remove(record.id, 'conversation_deleted').catch((err: unknown) => {
        logger.warn({ err, sandboxId: record.id }, 'Could not remove the sandbox of a deleted conversation');
      });
    },
  };
  const tenantPolicyIssues = (policy: {
    profile?: string;
    limits?: Record<string, number | undefined>;
  }): string[] => {
    try {
      sandboxes.resolve(policy.profile, policy.limits);
      return [];
    } catch (err) {
      if (err instanceof ValidationError)
        return err.issues.map((i) => `/limits${i.startsWith('/') ? i : `: ${i}`}`);
      if (isAgentdError(err) && err.code === 'NOT_FOUND')
        return [`/profile: no sandbox profile ${policy.profile ?? ''}`];
      throw err;
    }
  };
  const tenants = new TenantService(store, audit, tenantPolicyIssues, cleanup);
  const tenantPolicies = new TenantPolicyCache(store, 5_000);
  const models = new ModelService(store, audit);
  const conversations = new ConversationService({
    store,
    locks,
    profileNames: () => [...profiles.keys()],
    defaultModelId: config.models.defaultModelId,
    cleanup,
  });

  const auditor = new IsolationAuditor({
    nodeId: config.nodeId,
    docker,
    registry,
    hostSecurity: async () => detectHostSecurity(await docker.info(), defaultProfile.apparmorProfile),
    profiles: () => policyService.profiles(),
    probeRunner: (sandboxId) => runnerProbe(callHome, sandboxId),
    logger,
  });

  const health = new HealthService(checks, { nodeId: config.nodeId, timeoutMs: 2_000, cacheMs: 1_000 });
  const shutdownController = new AbortController();
  const app = await buildApp({
    http: config.http,
    logger,
    auth,
    store,
    runs,
    eventLog,
    health,
    metrics,
    metricsEnabled: config.metrics.enabled,
    metricsPublic: config.metrics.public,
    rateLimit: { ...config.rateLimit, redis: coordination.rateLimitClient, prefix: config.redis.prefix },
    tenantRateLimit: async (tenantId) =>
      tenantId === null ? undefined : (await tenantPolicies.get(tenantId))?.rateLimitPerPeriod,
    signals: coordination.signals,
    shutdown: shutdownController.signal,
    plugins: [
      async (api) => {
        await api.register(tenantRoutes, { tenants });
        await api.register(modelRoutes, { models });
        await api.register(conversationRoutes, { conversations });
        await api.register(workspaceRoutes, { files: workspaces.files });
        await api.register(usageRoutes, { store });
        await api.register(keyRoutes, { auth, store, audit });
        await api.register(auditLogRoutes, { store, auditor, profiles: () => policyService.profiles() });
        await api.register(adminRoutes, {
          nodeId: config.nodeId,
          registry,
          sandboxes,
          remover,
          pool,
          reaper,
          policy: policyService,
          nodes: coordination.nodes,
          signals: coordination.signals,
          audit,
        });
      },
    ],
  });

  const janitor = new PeriodicTask(
    Math.max(1_000, Math.floor(config.heartbeatTtlMs / 2)),
    async () => {
      await recovery.sweep();
      await policyService.refresh();
    },
    (err) => logger.warn({ err }, 'Run recovery sweep failed'),
  );

  let closed: Promise<void> | undefined;
  let shuttingDown: Promise<void> | undefined;
  const daemon: Daemon = {
    config,
    logger,
    metrics,
    docker,
    hostSecurity,
    profiles,
    registry,
    callHome,
    remover,
    pool,
    reaper,
    reconciler,
    sandboxes,
    supervisor,
    database,
    store,
    auth,
    locks,
    eventLog,
    runs,
    health,
    app,
    policy,
    developmentAdminKey,
    url: undefined,
    start: async () => {
      await supervisor.start();
      await runs.start();
      await coordination.signals.onRemoveSandbox((sandboxId) => {
        void registry
          .get(sandboxId)
          .then(async (record) => {
            if (record?.nodeId === config.nodeId) await sandboxes.remove(sandboxId, 'manual');
          })
          .catch((err: unknown) => logger.warn({ err, sandboxId }, 'Forced removal failed'));
      });
      janitor.start();
      const address = await app.listen({ host: config.http.host, port: config.http.port });
      daemon.url = address;
      await coordination.nodes.start({
        nodeId: config.nodeId,
        url: address,
        startedAt: new Date().toISOString(),
      });
      logger.info(
        { url: address, node: config.nodeId, apparmor: hostSecurity.apparmor.reason },
        'agentd listening',
      );
    },
    shutdown: () =>
      (shuttingDown ??= (async () => {
        health.markShuttingDown();
        runs.stopAccepting();
        shutdownController.abort();
        const deadline = setTimeout(
          () => void runs.interruptAll('the node shut down before the run finished'),
          config.shutdownTimeoutMs,
        );
        while (runs.activeCount > 0) await new Promise((r) => setTimeout(r, 100));
        clearTimeout(deadline);
        if (config.shutdownSandboxes === 'remove') {
          for (const record of await sandboxes.list())
            await sandboxes.remove(record.id, 'shutdown').catch(() => undefined);
        }
        await daemon.close();
      })()),
    close: () =>
      (closed ??= (async () => {
        shutdownController.abort();
        await app.close();
        await janitor.stop();
        await supervisor.stop();
        await callHome.detachAll();
        await coordination.close();
        await database.close();
      })()),
  };
  return daemon;
}

export function createImageBuilder(
  config: AgentdConfig,
  logger: Logger,
  onProgress: (line: string) => void,
): Promise<RunnerImageBuilder> {
  // The base image gets a copy of the running Node binary; the runner needs Node 22 or newer.
  if (Number(process.versions.node.split('.')[0]) < 22) {
    return Promise.reject(
      new AgentdError(
        'INTERNAL_ERROR',
        `Node ${process.version} is too old to seed the runner image: use Node 22 (. scripts/ensure-node.sh)`,
      ),
    );
  }
  return detectDebianMirror().then(
    (mirror) =>
      new RunnerImageBuilder({
        docker: new DockerEngine({ dockerHost: config.docker.host, logger }),
        dockerfileDir: path.join(config.deploymentDir, 'images', 'sandbox-runner'),
        runnerDistDir: RUNNER_DIST_DIR,
        runnerVersion: config.sandbox.image.split(':').pop() ?? '0.0.0',
        image: config.sandbox.image,
        nodeBinary: process.execPath,
        nodeVersion: process.version,
        debianMirror: config.image.debianMirror ?? mirror,
        ...(config.image.baseImage === undefined ? {} : { baseImage: config.image.baseImage }),
        onProgress,
      }),
  );
}

/** agentd's own image, FROM the runner's offline base (`agentd image build --agentd`). */
export async function createAgentdImageBuilder(
  config: AgentdConfig,
  logger: Logger,
  onProgress: (line: string) => void,
): Promise<AgentdImageBuilder> {
  const runner = await createImageBuilder(config, logger, onProgress);
  return new AgentdImageBuilder({
    docker: new DockerEngine({ dockerHost: config.docker.host, logger }),
    repoRoot: REPO_ROOT,
    image: `agentd/agentd:${config.sandbox.image.split(':').pop() ?? '0.0.0'}`,
    base: async () => (await runner.ensureBase(false)).base,
    onProgress,
  });
}
