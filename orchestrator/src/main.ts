import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CallHomeServer } from './callhome/call-home-server.js';
import { systemClock, type Clock } from './common/clock.js';
import { AgentdError, errorMessage } from './common/errors.js';
import type { Logger } from './common/logger.js';
import type { AgentdConfig } from './config/config.js';
import { LocalSandboxRegistry } from './coordination/local-sandbox-registry.js';
import type { SandboxRegistry } from './coordination/sandbox-registry.js';
import { DockerEngine } from './docker/docker-engine.js';
import { detectDebianMirror } from './image/debian-mirror.js';
import { RunnerImageBuilder } from './image/runner-image-builder.js';
import { Metrics } from './metrics/metrics.js';
import { detectHostSecurity, type HostSecurityFacts } from './security/host-security.js';
import { decideIsolation } from './security/isolation-policy.js';
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
  /** The live lifecycle policy; replace it to apply a change without a restart. */
  policy: { current: LifecyclePolicy };
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface DaemonOverrides {
  clock?: Clock;
  registry?: SandboxRegistry;
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
  for (const profile of profiles.values()) {
    const decision = decideIsolation(hostSecurity, config.sandbox.isolation, profile.apparmorProfile);
    decisions.set(profile.name, decision.apparmorProfile);
    for (const warning of decision.warnings) logger.warn({ profile: profile.name }, warning);
  }
  if (!(await docker.imageLabels(config.sandbox.image))) {
    throw new AgentdError(
      'SANDBOX_START_FAILED',
      `runner image ${config.sandbox.image} is missing: run \`agentd image build\``,
    );
  }

  await mkdir(config.stateDir, { recursive: true, mode: 0o711 });
  await chmod(config.stateDir, 0o711);
  const policy = { current: config.sandbox.lifecycle };
  const registry = overrides.registry ?? new LocalSandboxRegistry();
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
    profiles: () => profiles,
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
    profiles: () => profiles,
    defaultProfile: defaultProfile.name,
    policy: () => policy.current,
    clock,
    logger,
    metrics,
    healthCheckTimeoutMs: 5_000,
  });
  const reaper = new Reaper({
    nodeId: config.nodeId,
    capacity,
    remover,
    pool,
    policy: () => policy.current,
    clock,
    logger,
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

  let closed: Promise<void> | undefined;
  return {
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
    policy,
    start: () => supervisor.start(),
    // Safe to call twice. Sandboxes stay running: the next start adopts them (or reconcile removes them).
    close: () =>
      (closed ??= (async () => {
        await supervisor.stop();
        await callHome.detachAll();
      })()),
  };
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
