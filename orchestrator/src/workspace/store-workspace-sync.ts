import type { JobResult, WorkspaceLimits } from '@agentd/sandbox-runner/protocol';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { JobRequest, SandboxChannel } from '../callhome/sandbox-channel.js';
import { AgentdError, errorMessage, isAgentdError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { retry, RIDE_OUT_OUTAGE } from '../common/retry.js';
import type { SandboxRegistry } from '../sandbox/sandbox-registry.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ActiveRun } from '../runs/active-run.js';
import type { WorkspaceSync } from '../runs/workspace-sync.js';
import type { ReapReason } from '../sandbox/reap-reason.js';
import type { SandboxRecord } from '../sandbox/sandbox-record.js';
import type { WorkspaceRef } from '../storage/workspace-store.js';
import type { Conversation, Tenant } from '../store/entities.js';
import type { Store } from '../store/repositories.js';
import type { InboundSession, OutboundSession, SyncSessions } from './sync-sessions.js';
import { MAX_PATH_BYTES } from './workspace-path.js';
import type { WorkspaceService } from './workspace-service.js';

export interface WorkspaceSyncSettings {
  maxFiles: number;
  maxFileBytes: number;
  /** How long one sync job may take before the runner counts as unresponsive. */
  syncTimeoutMs: number;
}

export interface StoreWorkspaceSyncOptions {
  workspaces: WorkspaceService;
  sessions: SyncSessions;
  store: Store;
  registry: SandboxRegistry;
  callHome: CallHomeServer;
  /** The sandbox /workspace size for a conversation: the store's quota for it. */
  workspaceBytes: (tenant: Tenant, conversation: Conversation) => number;
  settings: WorkspaceSyncSettings;
  logger: Logger;
  metrics: Metrics;
}

/** Reasons a sandbox goes without a final sync-out: its workspace is being deleted, or its runner is not trusted. */
const NO_SYNC_REASONS: ReadonlySet<ReapReason> = new Set([
  'conversation_deleted',
  'run_aborted',
  'unhealthy',
]);
/** A runner that cannot be reached defers its reap this many times; after that its unsaved files are given up. */
const MAX_UNREACHABLE_DEFERRALS = 3;

interface SyncTarget {
  ws: WorkspaceRef;
  channel: SandboxChannel;
  sandboxId: string;
  limits: WorkspaceLimits;
  fencingToken: bigint;
  /** A run's sync-out: commit without waiting for the roll-forward, which `settle(run)` awaits. */
  cleanupOf?: string;
}

/**
 * Moves workspaces between the store and sandboxes through the call-home channel (agentd never touches a
 * sandbox's files through a host path). The sandbox record remembers which store version the sandbox holds:
 * sync-in is skipped when it is current, and a sandbox whose version is unknown or stale never syncs out
 * (its content is not based on the current version, so its deletions would be wrong).
 */
export class StoreWorkspaceSync implements WorkspaceSync {
  readonly #log: Logger;
  readonly #unreachable = new Map<string, number>();
  /** Roll-forwards a run's sync-out left running, by run id (see `settle`). */
  readonly #cleanups = new Map<string, Promise<void>>();

  constructor(private readonly options: StoreWorkspaceSyncOptions) {
    this.#log = options.logger.child({ component: 'workspace-sync' });
  }

  async syncIn(run: ActiveRun): Promise<void> {
    if (!run.conversation.workspaceEnabled) return;
    const { registry, metrics, workspaces, store } = this.options;
    // Read again under the run's lock: an API change may have committed after the run read the conversation.
    const current = await store.conversations.get(run.conversation.tenantId, run.conversation.id);
    const committed = current?.workspaceVersion ?? run.conversation.workspaceVersion;
    if (run.lease.record.workspaceVersion === committed) {
      metrics.workspaceSyncs.inc({ direction: 'in', result: 'skipped' });
      return;
    }
    const ws = refOf(run.conversation);
    const limits = this.#limits(run.tenant, run.conversation);
    const started = performance.now();
    try {
      const version = await workspaces.exclusive(ws, async (manifest) => {
        const session = this.options.sessions.openInbound({
          ws,
          sandboxId: run.lease.record.id,
          limits,
          manifest,
        });
        try {
          await this.#job(
            run.lease.channel,
            { kind: 'sync_in', syncId: session.syncId, version: manifest.version, limits },
            session,
          );
        } finally {
          this.options.sessions.close(session);
        }
        metrics.workspaceSyncBytes.inc({ direction: 'in' }, session.bytes);
        run.addSyncedBytes(session.bytes);
        metrics.workspaceSyncFiles.inc({ direction: 'in' }, session.written);
        return manifest.version;
      });
      // The manifest is ahead when a commit was written but not recorded (a crash in between). It was written
      // under the conversation's row lock by the then newest run, so nothing newer was committed since: adopt it.
      if (version > committed)
        await store.conversations.setWorkspaceVersion(
          ws.tenantId,
          ws.conversationId,
          version,
          run.fencingToken,
        );
      // What the sandbox holds is bookkeeping after the fact: ride out a Redis blip rather than fail the sync.
      await retry(() => registry.update(run.lease.record.id, { workspaceVersion: version }), RIDE_OUT_OUTAGE);
      metrics.workspaceSyncs.inc({ direction: 'in', result: 'ok' });
    } catch (err) {
      await registry.update(run.lease.record.id, { workspaceVersion: null });
      metrics.workspaceSyncs.inc({ direction: 'in', result: resultOf(err) });
      if (isAgentdError(err) && err.code === 'RUNNER_PROTOCOL_ERROR') run.markSandboxForDiscard();
      throw syncFailed('in', err);
    } finally {
      metrics.workspaceSyncSeconds.observe({ direction: 'in' }, (performance.now() - started) / 1000);
    }
  }

  async syncOut(run: ActiveRun): Promise<void> {
    if (!run.conversation.workspaceEnabled) return;
    try {
      const bytes = await this.#syncOut({
        ws: refOf(run.conversation),
        channel: run.lease.channel,
        sandboxId: run.lease.record.id,
        limits: this.#limits(run.tenant, run.conversation),
        fencingToken: run.fencingToken,
        cleanupOf: run.id,
      });
      run.addSyncedBytes(bytes);
    } catch (err) {
      if (isAgentdError(err) && err.code === 'RUNNER_PROTOCOL_ERROR') run.markSandboxForDiscard();
      throw syncFailed('out', err);
    }
  }

  /**
   * Waits for the roll-forward the run's sync-out left behind (copies into place, deletions), which runs while
   * the run emits `final` and `usage`; the run's lock is held throughout, so no other node writes meanwhile.
   */
  async settle(run: ActiveRun): Promise<void> {
    await this.#cleanups.get(run.id);
  }

  /**
   * The reaper's pre-remove hook: saves an idle sandbox's files before it goes. Throwing defers a deferrable
   * removal (the store is down: keep the files); a runner that breaks the rules, or files over the limits,
   * do not keep a sandbox alive.
   */
  async beforeRemove(record: SandboxRecord, reason: ReapReason): Promise<void> {
    if (NO_SYNC_REASONS.has(reason) || record.tenantId === null || record.conversationId === null) return;
    const { store } = this.options;
    const [tenant, conversation] = await Promise.all([
      store.tenants.get(record.tenantId),
      store.conversations.get(record.tenantId, record.conversationId),
    ]);
    if (!tenant || !conversation?.workspaceEnabled) return;
    if (record.workspaceVersion !== conversation.workspaceVersion) return;
    const log = this.#log.child({ sandboxId: record.id, conversationId: conversation.id, reason });
    const channel = this.options.callHome.channel(record.id);
    try {
      if (!channel?.isConnected) throw new AgentdError('SANDBOX_LOST', 'the runner has not called home');
      const fencingToken = await store.conversations.currentFencingToken(tenant.id, conversation.id);
      if (fencingToken === undefined) return;
      await this.#syncOut({
        ws: refOf(conversation),
        channel,
        sandboxId: record.id,
        limits: this.#limits(tenant, conversation),
        fencingToken,
      });
      this.#unreachable.delete(record.id);
    } catch (err) {
      const code = isAgentdError(err) ? err.code : 'INTERNAL_ERROR';
      if (code === 'DEPENDENCY_UNAVAILABLE' || code === 'INTERNAL_ERROR') throw err;
      if (code === 'SANDBOX_LOST' || code === 'WORKSPACE_SYNC_FAILED') {
        const attempts = (this.#unreachable.get(record.id) ?? 0) + 1;
        this.#unreachable.set(record.id, attempts);
        if (attempts < MAX_UNREACHABLE_DEFERRALS) throw err;
      }
      this.#unreachable.delete(record.id);
      log.warn(
        { code, reason: errorMessage(err) },
        'Sandbox removed without saving its unsaved workspace changes',
      );
    }
  }

  /** Returns the file bytes it moved. */
  async #syncOut(target: SyncTarget): Promise<number> {
    const { workspaces, metrics, registry } = this.options;
    const started = performance.now();
    try {
      // The runner scans while the base manifest is read: its requests wait for the read, not the other way round.
      const outcome = await workspaces.exclusiveWhileReading(target.ws, async (reading) => {
        const session = this.options.sessions.openOutbound({
          ws: target.ws,
          sandboxId: target.sandboxId,
          limits: target.limits,
          manifest: reading,
        });
        try {
          await this.#job(
            target.channel,
            { kind: 'sync_out', syncId: session.syncId, limits: target.limits },
            session,
          );
          const base = await reading;
          this.#reportSkipped(target, session);
          if (!session.changed) return { version: base.version, session, changed: false };
          const change = { files: session.files(), staged: session.staged };
          if (target.cleanupOf === undefined) {
            const committed = await workspaces.commit(target.ws, base, change, target.fencingToken);
            return { version: committed.version, session, changed: true };
          }
          const runId = target.cleanupOf;
          const { manifest, cleanup } = await workspaces.commitDeferred(
            target.ws,
            base,
            change,
            target.fencingToken,
          );
          const tracked = cleanup.finally(() => {
            if (this.#cleanups.get(runId) === tracked) this.#cleanups.delete(runId);
          });
          this.#cleanups.set(runId, tracked);
          return { version: manifest.version, session, changed: true };
        } catch (err) {
          await session.abandon(err);
          await workspaces.discard(target.ws, session.uploaded);
          throw err;
        } finally {
          this.options.sessions.close(session);
        }
      });
      // The commit is done: recording which version the sandbox holds rides out a Redis blip.
      await retry(
        () => registry.update(target.sandboxId, { workspaceVersion: outcome.version }),
        RIDE_OUT_OUTAGE,
      );
      metrics.workspaceSyncBytes.inc({ direction: 'out' }, outcome.session.bytes);
      metrics.workspaceSyncFiles.inc({ direction: 'out' }, outcome.session.received);
      metrics.workspaceSyncs.inc({ direction: 'out', result: outcome.changed ? 'ok' : 'unchanged' });
      return outcome.session.bytes;
    } catch (err) {
      metrics.workspaceSyncs.inc({ direction: 'out', result: resultOf(err) });
      throw err;
    } finally {
      metrics.workspaceSyncSeconds.observe({ direction: 'out' }, (performance.now() - started) / 1000);
    }
  }

  /** Sends a sync job and waits for its result, or for the first failure agentd saw in the runner's requests. */
  async #job(
    channel: SandboxChannel,
    job: JobRequest,
    session: InboundSession | OutboundSession,
  ): Promise<void> {
    const result = channel.send(job, this.options.settings.syncTimeoutMs);
    result.catch(() => undefined);
    let outcome: JobResult;
    try {
      outcome = await Promise.race([result, session.failed]);
    } catch (err) {
      throw session.failure ?? err;
    }
    if (!outcome.ok) {
      if (session.failure) throw session.failure;
      const code = outcome.error.code === 'WORKSPACE_LIMIT' ? 'WORKSPACE_LIMIT' : 'WORKSPACE_SYNC_FAILED';
      throw new AgentdError(code, `the runner reported ${outcome.error.code}: ${outcome.error.message}`);
    }
    if (!session.complete)
      throw new AgentdError(
        'RUNNER_PROTOCOL_ERROR',
        `the runner reported ${job.kind} done without completing it`,
      );
  }

  #reportSkipped(target: SyncTarget, session: OutboundSession): void {
    const scan = session.scan;
    if (!scan || scan.skippedTotal === 0) return;
    for (const entry of scan.skipped)
      this.options.metrics.workspaceSkippedEntries.inc({ reason: entry.reason });
    this.#log.info(
      {
        sandboxId: target.sandboxId,
        conversationId: target.ws.conversationId,
        skipped: scan.skippedTotal,
        examples: scan.skipped.slice(0, 10),
      },
      'Workspace entries not exported (only regular files are saved)',
    );
  }

  #limits(tenant: Tenant, conversation: Conversation): WorkspaceLimits {
    const quota = this.options.workspaceBytes(tenant, conversation);
    return {
      maxFiles: this.options.settings.maxFiles,
      maxFileBytes: Math.min(this.options.settings.maxFileBytes, quota),
      maxTotalBytes: quota,
      maxPathBytes: MAX_PATH_BYTES,
    };
  }
}

export function refOf(conversation: Conversation): WorkspaceRef {
  return { tenantId: conversation.tenantId, conversationId: conversation.id };
}

function resultOf(err: unknown): string {
  return isAgentdError(err) && err.code === 'WORKSPACE_LIMIT' ? 'limit' : 'failed';
}

/** WORKSPACE_LIMIT keeps its code (the client must shrink the workspace); everything else is a failed sync. */
function syncFailed(direction: 'in' | 'out', err: unknown): AgentdError {
  if (isAgentdError(err) && err.code === 'WORKSPACE_LIMIT') return err;
  const message =
    direction === 'in'
      ? `workspace sync-in failed: ${errorMessage(err)}`
      : `${errorMessage(err)} (the previous workspace version is intact)`;
  return new AgentdError('WORKSPACE_SYNC_FAILED', message, {
    cause: err,
    recoverable: true,
    details: { cause: isAgentdError(err) ? err.code : 'INTERNAL_ERROR' },
  });
}
