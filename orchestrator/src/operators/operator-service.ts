import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import { NotFoundError } from '../common/errors.js';
import type { AuditContext, AuditService } from '../controlplane/audit-service.js';
import type { ReapHistory } from '../controlplane/reap-history.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { NodeDirectory, NodeInfo } from '../runs/node-directory.js';
import type { RunSignals } from '../runs/run-signals.js';
import type { Reaper } from '../sandbox/reaper.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import type { SandboxRegistry } from '../sandbox/sandbox-registry.js';
import type { SandboxRemover } from '../sandbox/sandbox-remover.js';
import type { SandboxUsageReader } from '../sandbox/sandbox-usage.js';
import type { WarmPool } from '../sandbox/warm-pool.js';
import { sandboxView, type SandboxView } from './sandbox-view.js';

export interface OperatorServiceOptions {
  nodeId: string;
  registry: SandboxRegistry;
  sandboxes: SandboxManager;
  remover: SandboxRemover;
  pool: WarmPool;
  reaper: Reaper;
  usage: SandboxUsageReader;
  reapHistory: ReapHistory;
  policy: PolicyService;
  nodes: NodeDirectory;
  signals: RunSignals;
  audit: AuditService;
  clock: Clock;
  logger: Logger;
}

/** What operators do to the fleet, every change audited: see sandboxes, force removals, reap, tune policy. */
export class OperatorService {
  constructor(private readonly options: OperatorServiceOptions) {}

  /**
   * Carries out removals other nodes forward to this one (only the owning node removes): an operator's forced
   * removal, or an eviction another node claimed, which carries its own reason.
   */
  async listenForForcedRemovals(): Promise<void> {
    const { signals, registry, sandboxes, nodeId, logger } = this.options;
    await signals.onRemoveSandbox((sandboxId) => {
      void registry
        .get(sandboxId)
        .then(async (record) => {
          if (record?.nodeId === nodeId) await sandboxes.remove(sandboxId, record.removalReason ?? 'manual');
        })
        .catch((err: unknown) => logger.warn({ err, sandboxId }, 'Forced removal failed'));
    });
  }

  async sandboxes(): Promise<SandboxView[]> {
    const now = this.options.clock.now();
    const records = (await this.options.registry.list()).sort((a, b) => a.createdAt - b.createdAt);
    return records.map((r) => sandboxView(r, now));
  }

  /** One sandbox with its live usage (read by its own node; null elsewhere) and the limits it reached here. */
  async sandbox(sandboxId: string) {
    const record = await this.options.registry.get(sandboxId);
    if (!record) throw new NotFoundError('sandbox', sandboxId);
    const { usage, nodeId } = this.options;
    const live = record.nodeId === nodeId ? await usage.read(record).catch(() => undefined) : undefined;
    return {
      ...sandboxView(record, this.options.clock.now()),
      usage: live ?? null,
      limitEvents: [...usage.limitEvents(sandboxId)],
    };
  }

  /** Removes a sandbox now; one on another node is removed by that node (`forwarded`). */
  async removeSandbox(context: AuditContext, sandboxId: string) {
    const { registry, audit, signals, sandboxes, nodeId } = this.options;
    const record = await registry.get(sandboxId);
    if (!record) throw new NotFoundError('sandbox', sandboxId);
    await audit.record(context, 'sandbox.remove', `sandbox:${sandboxId}`, {
      node: record.nodeId,
      tenantId: record.tenantId,
      conversationId: record.conversationId,
      state: record.state,
    });
    if (record.nodeId !== nodeId) {
      await signals.requestRemoveSandbox(sandboxId);
      return { sandboxId, status: 'forwarded' as const, node: record.nodeId };
    }
    const reap = await sandboxes.remove(sandboxId, 'manual');
    return { sandboxId, status: 'removed' as const, reap };
  }

  pool() {
    return { node: this.options.nodeId, pools: this.options.pool.status() };
  }

  /** The fleet's removals, newest first, from the database (kept for the reap retention period). */
  async reaps(limit = 100) {
    return {
      node: this.options.nodeId,
      scope: 'fleet' as const,
      items: await this.options.reapHistory.list(limit),
    };
  }

  /** What one reaper tick would remove now, and why. */
  async reapPlan() {
    const now = this.options.clock.now();
    const items = (await this.options.reaper.plan()).map((c) => ({
      reason: c.reason,
      sandbox: sandboxView(c.record, now),
    }));
    return { node: this.options.nodeId, dryRun: true as const, items };
  }

  async reapNow(context: AuditContext) {
    await this.options.audit.record(context, 'reaper.run', `node:${this.options.nodeId}`);
    return { node: this.options.nodeId, dryRun: false as const, items: await this.options.reaper.reapOnce() };
  }

  nodes(): Promise<NodeInfo[]> {
    return this.options.nodes.list();
  }

  get policy() {
    return this.options.policy.state;
  }

  updatePolicy(context: AuditContext, document: unknown) {
    return this.options.policy.update(context, document);
  }
}
