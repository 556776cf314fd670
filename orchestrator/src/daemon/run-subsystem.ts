import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import { TenantPolicyCache } from '../controlplane/tenant-policy-cache.js';
import type { SharedCache } from '../common/shared-cache.js';
import type { Coordination } from '../coordination/coordination.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ModelProvider } from '../model/model-provider.js';
import { ModelGateway } from '../runs/model-gateway.js';
import { RunRecovery } from '../runs/run-recovery.js';
import { RunService } from '../runs/run-service.js';
import { RunStreamService } from '../runs/run-stream-service.js';
import { RunnerBridge } from '../runs/runner-bridge.js';
import type { SkillSync } from '../runs/skill-sync.js';
import type { RunTools } from '../runs/run-tools.js';
import type { WorkspaceSync } from '../runs/workspace-sync.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import type { SandboxRegistry } from '../sandbox/sandbox-registry.js';
import type { SandboxUsageReader } from '../sandbox/sandbox-usage.js';
import type { ActiveRun } from '../runs/active-run.js';
import type { Tenant, TenantPolicy } from '../store/entities.js';
import type { Store } from '../store/repositories.js';
import type { EgressPolicy } from '../config/egress-policy.js';

export interface RunSubsystemDeps {
  config: AgentdConfig;
  store: Store;
  callHome: CallHomeServer;
  coordination: Coordination;
  registry: SandboxRegistry;
  sandboxes: SandboxManager;
  usage: SandboxUsageReader;
  workspace: WorkspaceSync;
  skills: SkillSync;
  providers: Map<string, ModelProvider>;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Tenant policies for the rate limiter, emptied on every node when a tenant changes. */
  tenantPolicies: SharedCache<TenantPolicy>;
  /** Tools beyond the built-ins (tenants' MCP servers). */
  tools?: RunTools;
  egressPolicy: (tenant: Tenant, profile: string | undefined) => EgressPolicy;
  prepareEgress?: (run: ActiveRun) => Promise<string | undefined>;
}

/** Runs and everything around them: the executor, the gateway and bridge the runner calls, recovery, streams. */
export function createRunSubsystem(deps: RunSubsystemDeps) {
  const { config, store, callHome, coordination, registry, sandboxes, logger, metrics } = deps;
  const { nodeId } = config;
  const { locks, eventLog, signals, nodes } = coordination;
  const gateway: ModelGateway = new ModelGateway({
    providers: deps.providers,
    store,
    emit: (run, event) => runs.relay(run, event),
    // A fast model's deltas are joined into fewer events; 0 keeps one event per delta.
    coalescing:
      config.models.deltaWindowMs === 0
        ? { maxChars: 1, maxDelayMs: 0 }
        : { maxChars: 16 * 1024, maxDelayMs: config.models.deltaWindowMs },
    logger,
    metrics,
    ...(deps.tools ? { tools: deps.tools } : {}),
  });
  const recovery = new RunRecovery({ nodeId, store, eventLog, nodes, registry, logger });
  const runs: RunService = new RunService({
    nodeId,
    signals,
    recovery,
    store,
    sandboxes,
    locks,
    eventLog,
    workspace: deps.workspace,
    skills: deps.skills,
    usage: deps.usage,
    gateway,
    egressPolicy: deps.egressPolicy,
    prepareEgress: deps.prepareEgress,
    settings: config.runs,
    clock: deps.clock,
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
  const tenantPolicies = new TenantPolicyCache(store, deps.tenantPolicies);
  const streams = new RunStreamService({
    runs,
    store,
    eventLog,
    signals,
    limiter: coordination.limiter,
    rateLimit: config.rateLimit,
    tenantRateLimit: async (tenantId) => (await tenantPolicies.get(tenantId))?.rateLimitPerPeriod,
  });
  return { runs, streams, recovery };
}
