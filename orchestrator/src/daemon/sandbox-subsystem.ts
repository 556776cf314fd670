import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import type { LifecyclePolicy } from '../config/lifecycle-policy.js';
import type { DockerEngine } from '../docker/docker-engine.js';
import type { Metrics } from '../metrics/metrics.js';
import { CgroupReader } from '../docker/cgroup-reader.js';
import { IdleProcesses } from '../sandbox/idle-processes.js';
import { NodeCapacity } from '../sandbox/node-capacity.js';
import type { SandboxProfile } from '../sandbox/profile.js';
import { Reaper } from '../sandbox/reaper.js';
import { Reconciler } from '../sandbox/reconciler.js';
import { SandboxFactory } from '../sandbox/sandbox-factory.js';
import { SandboxManager } from '../sandbox/sandbox-manager.js';
import type { SandboxRegistry } from '../sandbox/sandbox-registry.js';
import { SandboxRemover } from '../sandbox/sandbox-remover.js';
import { SandboxSupervisor } from '../sandbox/sandbox-supervisor.js';
import { SandboxUsageReader } from '../sandbox/sandbox-usage.js';
import { WarmPool } from '../sandbox/warm-pool.js';
import { registerSandboxUsageMetrics } from './sandbox-usage-metrics.js';

export interface SandboxSubsystemDeps {
  config: AgentdConfig;
  docker: DockerEngine;
  callHome: CallHomeServer;
  registry: SandboxRegistry;
  /** The profiles in force (the lifecycle policy may change them live). */
  profiles: () => ReadonlyMap<string, SandboxProfile>;
  defaultProfile: string;
  apparmorFor: (profile: SandboxProfile) => string | null;
  policy: () => LifecyclePolicy;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Tells the node that owns a sandbox to remove it (the fleet's signals; in-process on a single node). */
  forwardRemoval: (sandboxId: string) => Promise<void>;
}

/** Everything that makes, hands out, watches and removes this node's sandboxes, wired together. */
export interface SandboxSubsystem {
  remover: SandboxRemover;
  pool: WarmPool;
  sandboxes: SandboxManager;
  reaper: Reaper;
  reconciler: Reconciler;
  supervisor: SandboxSupervisor;
  usage: SandboxUsageReader;
}

export function createSandboxSubsystem(deps: SandboxSubsystemDeps): SandboxSubsystem {
  const { config, docker, callHome, registry, profiles, policy, clock, logger, metrics } = deps;
  const nodeId = config.nodeId;
  const cgroups = new CgroupReader();
  const usage = new SandboxUsageReader({ containers: docker.containers, cgroups });
  const remover = new SandboxRemover({
    exitFacts: (record) => usage.exitFacts(record),
    containers: docker.containers,
    callHome,
    registry,
    clock,
    logger,
    metrics,
    historySize: 1000,
  });
  const capacity = new NodeCapacity({ nodeId, registry, policy });
  const factory = new SandboxFactory({
    containers: docker.containers,
    callHome,
    nodeId,
    image: config.sandbox.image,
    apparmorProfileFor: deps.apparmorFor,
    startTimeoutMs: config.sandbox.startTimeoutMs,
    logger,
    metrics,
  });
  const pool = new WarmPool({
    nodeId,
    registry,
    factory,
    capacity,
    profiles,
    poolSize: () => policy().poolSize,
    clock,
    logger,
    metrics,
  });
  const idle = new IdleProcesses({
    containers: docker.containers,
    cgroup: cgroups,
    logger,
    watchMs: 1_000,
  });
  const sandboxes = new SandboxManager({
    nodeId,
    registry,
    callHome,
    factory,
    remover,
    pool,
    idle,
    capacity,
    profiles,
    defaultProfile: deps.defaultProfile,
    policy,
    clock,
    logger,
    metrics,
    healthCheckTimeoutMs: 5_000,
    livenessWindowMs: config.callHome.pollTimeoutMs + 5_000,
    forwardRemoval: deps.forwardRemoval,
  });
  const reaper = new Reaper({
    nodeId,
    registry,
    remover,
    pool,
    policy,
    clock,
    logger,
  });
  const reconciler = new Reconciler({
    nodeId,
    containers: docker.containers,
    registry,
    callHome,
    remover,
    pool,
    idle,
    logger,
    metrics,
    adoptTimeoutMs: 10_000,
  });
  const supervisor = new SandboxSupervisor({
    nodeId,
    events: docker.events,
    manager: sandboxes,
    pool,
    reaper,
    reconciler,
    policy,
    reconcileIntervalMs: 60_000,
    logger,
  });
  metrics.computedGauge('agentd_sandboxes', 'Sandboxes on this node by state.', ['state'], async () => {
    const counts = new Map<string, number>();
    for (const r of await registry.list({ nodeId })) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
    return [...counts].map(([state, value]) => ({ labels: { state }, value }));
  });
  registerSandboxUsageMetrics(metrics, registry, nodeId, usage);
  return { remover, pool, sandboxes, reaper, reconciler, supervisor, usage };
}
