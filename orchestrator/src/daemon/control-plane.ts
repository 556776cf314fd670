import { ReapHistory } from '../controlplane/reap-history.js';
import type { ApiDependencies } from '../api/app.js';
import { IsolationAuditor } from '../audit/isolation-auditor.js';
import { runnerProbe } from '../audit/runner-probe.js';
import type { ApiKeyAuth } from '../auth/api-key-auth.js';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import type { AuditService } from '../controlplane/audit-service.js';
import { EgressAuditService } from '../egress/egress-audit-service.js';
import { ConversationService } from '../controlplane/conversation-service.js';
import { KeyService } from '../controlplane/key-service.js';
import { ModelService } from '../controlplane/model-service.js';
import { SessionService } from '../controlplane/session-service.js';
import { TenantService } from '../controlplane/tenant-service.js';
import { UsageService } from '../controlplane/usage-service.js';
import type { Coordination } from '../coordination/coordination.js';
import type { DockerEngine } from '../docker/docker-engine.js';
import type { McpServerService } from '../mcp/mcp-server-service.js';
import { OperatorService } from '../operators/operator-service.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { SandboxRegistry } from '../sandbox/sandbox-registry.js';
import type { SecretService } from '../secrets/secret-service.js';
import type { Store } from '../store/repositories.js';
import type { WorkspaceFiles } from '../workspace/workspace-files.js';
import { conversationCleanup } from './conversation-cleanup.js';
import { sandboxEgressView } from './egress-wiring.js';
import { tenantPolicyIssues } from './tenant-policy-issues.js';
import type { PreflightResult } from './preflight.js';
import type { SharedCaches } from './shared-caches.js';
import type { SandboxSubsystem } from './sandbox-subsystem.js';

export interface ControlPlaneDeps {
  config: AgentdConfig;
  host: PreflightResult;
  store: Store;
  auth: ApiKeyAuth;
  audit: AuditService;
  policy: PolicyService;
  coordination: Coordination;
  registry: SandboxRegistry;
  subsystem: SandboxSubsystem;
  files: WorkspaceFiles;
  secrets: SecretService;
  docker: DockerEngine;
  callHome: CallHomeServer;
  clock: Clock;
  logger: Logger;
  mcpServers: McpServerService;
  caches: SharedCaches;
}

/** The services behind the control-plane, operator and audit routes. */
export function createControlPlane(deps: ControlPlaneDeps): Omit<ApiDependencies['services'], 'skills'> {
  const { config, host, store, audit, registry, subsystem, files, docker, logger } = deps;
  const { nodeId } = config;
  const { sandboxes } = subsystem;
  const profiles = () => deps.policy.profiles();
  const cleanup = conversationCleanup({ nodeId, files, registry, sandboxes, logger });
  const reapHistory = new ReapHistory({
    store,
    nodeId,
    retentionMs: config.sandbox.reapRetentionMs,
    now: () => deps.clock.now(),
    logger,
  });
  subsystem.remover.on('reaped', (reap) => void reapHistory.record(reap));
  const auditor = new IsolationAuditor({
    nodeId,
    containers: docker.containers,
    registry,
    hostSecurity: host.hostSecurityNow,
    profiles,
    probeRunner: (sandboxId) => runnerProbe(deps.callHome, sandboxId),
    idleProcesses: () => deps.policy.lifecycle.idleProcesses,
    egressOf: sandboxEgressView(store, deps.policy, host.defaultProfile.name),
    posture: host.posture,
    logger,
  });
  const conversations = new ConversationService({
    store,
    locks: deps.coordination.locks,
    profileNames: () => [...host.profiles.keys()],
    defaultModelId: config.models.defaultModelId,
    cleanup,
    audit,
  });
  return {
    tenants: new TenantService(store, audit, tenantPolicyIssues(sandboxes), cleanup, (change) => {
      deps.caches.tenantPolicies.invalidate();
      if (change === 'deleted') deps.auth.keysChanged();
    }),
    models: new ModelService(store, audit, deps.caches.models),
    conversations,
    sessions: new SessionService(store, conversations),
    files,
    usage: new UsageService(store),
    keys: new KeyService(deps.auth, store, audit),
    secrets: deps.secrets,
    audit: { audit, auditor, profiles },
    egressAudit: new EgressAuditService(store.egressAudit),
    operators: new OperatorService({
      nodeId,
      registry,
      sandboxes,
      remover: subsystem.remover,
      pool: subsystem.pool,
      reaper: subsystem.reaper,
      usage: subsystem.usage,
      reapHistory,
      policy: deps.policy,
      nodes: deps.coordination.nodes,
      signals: deps.coordination.signals,
      audit,
      clock: deps.clock,
      logger,
    }),
    mcpServers: deps.mcpServers,
  };
}
