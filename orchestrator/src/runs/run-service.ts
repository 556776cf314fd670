import type { Clock } from '../common/clock.js';
import { AgentdError, errorMessage, isAgentdError, type ErrorCode } from '../common/errors.js';
import { randomId } from '../common/ids.js';
import type { LockService } from '../common/lock-service.js';
import type { Logger } from '../common/logger.js';
import type { RunSettings } from '../config/run-settings.js';
import type { Metrics } from '../metrics/metrics.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import type { SandboxRecord } from '../sandbox/sandbox-record.js';
import type { SandboxUsageReader } from '../sandbox/sandbox-usage.js';
import type { Tenant } from '../store/entities.js';
import type { Store } from '../store/repositories.js';
import type { EgressPolicy } from '../config/egress-policy.js';
import { ActiveRun, type RunOutcome } from './active-run.js';
import { driveChat } from './chat-driver.js';
import type { ModelGateway } from './model-gateway.js';
import { admitRun, conversationBusy } from './run-admission.js';
import { driveRun } from './run-driver.js';
import type { RunEventLog } from './run-event-log.js';
import type { RelayedRunnerEvent, RunEventBody } from './run-events.js';
import { RunFinisher, type RunResult } from './run-finisher.js';
import type { RunResourceWatch } from './run-resource-watch.js';
import { watchRunSandbox } from './watch-run-sandbox.js';
import type { RunRecovery } from './run-recovery.js';
import type { RunSignals } from './run-signals.js';
import type { SkillSync } from './skill-sync.js';
import type { WorkspaceSync } from './workspace-sync.js';

export type { RunResult } from './run-finisher.js';

export interface RunServiceOptions {
  nodeId: string;
  signals: RunSignals;
  recovery: RunRecovery;
  store: Store;
  sandboxes: SandboxManager;
  locks: LockService;
  eventLog: RunEventLog;
  workspace: WorkspaceSync;
  /** Delivers the tenant's skills into the sandbox before each run; absent, runs get none. */
  skills?: SkillSync;
  settings: RunSettings;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** Watches each run's sandbox for limits and usage; absent, runs are not watched. */
  usage?: SandboxUsageReader;
  /** Drives chats (runs without a sandbox) directly. */
  gateway: Pick<ModelGateway, 'converseDirect'>;
  /** The egress policy of a run (tenant override, else the profile's in the lifecycle policy); absent: none. */
  egressPolicy?: (tenant: Tenant, profile: string | undefined) => EgressPolicy;
  /** Readies a run's egress in its sandbox (credential injection's CA bundle). */
  prepareEgress?: (run: ActiveRun) => Promise<string | undefined>;
}

export interface StartRunRequest {
  tenantId: string;
  conversationId: string;
  message: string;
  userId?: string | undefined;
}

/**
 * Executes agent turns on this node: one per conversation at a time (the conversation lock), in the
 * conversation's sandbox (a chat has none: agentd calls the model itself), with agentd numbering and logging
 * every event and deciding how each run ends.
 * Transports do not call it directly: they go through RunStreamService.
 */
export class RunService {
  readonly #active = new Map<string, ActiveRun>();
  readonly #done = new Map<string, Promise<RunResult>>();
  /** When each run started, until its first event past run_start and allocating (every run ends with one). */
  readonly #awaitingFirstEvent = new Map<string, number>();
  readonly #watches = new Map<string, RunResourceWatch>();
  readonly #log: Logger;
  readonly #finisher: RunFinisher;
  #accepting = true;
  #idle = idleSignal();

  constructor(private readonly options: RunServiceOptions) {
    this.#log = options.logger.child({ component: 'runs' });
    this.#idle.resolve();
    this.#finisher = new RunFinisher({
      store: options.store,
      sandboxes: options.sandboxes,
      eventLog: options.eventLog,
      workspace: options.workspace,
      metrics: options.metrics,
      finalMaxChars: options.settings.finalMaxChars,
      emit: (run, body) => this.#emitted(run, body),
      deactivate: (run) => this.#deactivate(run),
    });
    options.sandboxes.on('lost', (record: SandboxRecord) => this.#onSandboxLost(record));
  }

  /** Listens for cancel requests from other nodes and ends runs this node left behind when it died. */
  async start(): Promise<void> {
    await this.options.signals.onCancel((runId) => {
      this.cancel(runId);
    });
    const recovered = await this.options.recovery.recoverOwn();
    if (recovered > 0)
      this.#log.warn({ recovered }, 'Marked runs interrupted by the previous process as interrupted');
  }

  get activeCount(): number {
    return this.#active.size;
  }

  /** Settles when no run is active on this node (at once when none is). */
  async whenIdle(): Promise<void> {
    await this.#idle.promise;
  }

  /** The run if it is active here and runs in `sandboxId` (call-home requests speak only for their sandbox). */
  findForSandbox(runId: string, sandboxId: string): ActiveRun | undefined {
    const run = this.#active.get(runId);
    return run?.sandboxId === sandboxId ? run : undefined;
  }

  get(runId: string): ActiveRun | undefined {
    return this.#active.get(runId);
  }

  /** Resolves when the run (active on this node) has ended. */
  result(runId: string): Promise<RunResult> | undefined {
    return this.#done.get(runId);
  }

  /**
   * Starts a run. Everything that can refuse it (busy conversation, caps, a sandbox that cannot start) is
   * decided before this returns, so the caller can still answer with an error instead of a stream.
   */
  async startRun(request: StartRunRequest): Promise<ActiveRun> {
    if (!this.#accepting) {
      throw new AgentdError('DEPENDENCY_UNAVAILABLE', 'this node is shutting down', {
        recoverable: true,
        retryAfterSeconds: 1,
      });
    }
    const { store } = this.options;
    const { tenant, conversation, model, limits } = await admitRun(store, this.options.settings, request);
    const lock = await this.options.locks.tryAcquire(`conversation:${tenant.id}:${conversation.id}`);
    if (!lock) throw await conversationBusy(store, conversation.id);
    let sandbox;
    try {
      await this.options.recovery.takeOver(conversation.id, (runId) => this.#active.has(runId));
      // Capacity is reserved here; a new container starts while the run begins (the client is told at once).
      // A chat needs none: no sandbox, no workspace, no runner.
      sandbox =
        conversation.kind === 'chat'
          ? undefined
          : await this.options.sandboxes.claim({
              tenantId: tenant.id,
              conversationId: conversation.id,
              profile: conversation.profile ?? tenant.policy.profile,
              limits: tenant.policy.limits,
              ...(tenant.policy.idleProcesses ? { idleProcesses: tenant.policy.idleProcesses } : {}),
            });
    } catch (err) {
      await lock.release();
      throw err;
    }
    const runId = `run_${randomId(16)}`;
    let row;
    try {
      row = await store.runs.start({
        id: runId,
        tenantId: tenant.id,
        conversationId: conversation.id,
        modelId: model.id,
        nodeId: this.options.nodeId,
        ...(sandbox ? { sandboxId: sandbox.record.id } : {}),
      });
    } catch (err) {
      const lease = await sandbox?.ready.catch(() => undefined);
      if (lease) await this.options.sandboxes.release(lease);
      await lock.release();
      throw err;
    }
    const run = new ActiveRun({
      id: runId,
      tenant,
      conversation,
      model,
      lock,
      sandbox,
      limits,
      fencingToken: row.fencingToken,
      // A chat has no sandbox, so nothing of it can connect anywhere.
      ...(this.options.egressPolicy && sandbox
        ? { egress: this.options.egressPolicy(tenant, conversation.profile ?? tenant.policy.profile) }
        : {}),
    });
    if (this.#active.size === 0) this.#idle = idleSignal();
    this.#active.set(runId, run);
    // Without the lock another node may start a run on this conversation: stop (its commits are fenced anyway).
    lock.lost.addEventListener('abort', () => {
      this.#stop(run, {
        kind: 'failed',
        code: 'DEPENDENCY_UNAVAILABLE',
        message: 'the conversation lock was lost (Redis unavailable or too slow)',
      });
    });
    this.options.metrics.runsStarted.inc();
    this.#awaitingFirstEvent.set(runId, performance.now());
    await this.#emit(run, { type: 'run_start', conversationId: conversation.id, modelId: model.id });
    if (sandbox) await this.#emit(run, { type: 'allocating', source: sandbox.source });
    const done = this.#execute(run, request.message);
    this.#done.set(runId, done);
    void done.finally(() => setTimeout(() => this.#done.delete(runId), 60_000).unref());
    return run;
  }

  /** Asks a run to stop; it ends with `code` (RUN_CANCELLED by default). Returns false when it is not active here. */
  cancel(
    runId: string,
    message = 'cancelled by request',
    code: 'RUN_CANCELLED' | 'RUN_TIMEOUT' = 'RUN_CANCELLED',
  ): boolean {
    const run = this.#active.get(runId);
    if (!run) return false;
    this.#stop(run, { kind: 'cancelled', code, message });
    return true;
  }

  /** A client started reading the run's events. */
  attach(runId: string): void {
    this.#active.get(runId)?.addSubscriber();
  }

  /**
   * A client stopped reading; with nobody left here or on another node, the run waits `disconnectGraceMs` for
   * a resume, then is cancelled.
   */
  detach(runId: string): void {
    const run = this.#active.get(runId);
    if (!run || run.removeSubscriber() > 0) return;
    const check = async (): Promise<void> => {
      if (run.subscribers > 0 || !this.#active.has(run.id)) return;
      // A client that resumed on another node keeps the run alive; if Redis cannot tell, assume it did not.
      if (await this.options.signals.watchedElsewhere(run.id).catch(() => false)) {
        setTimeout(() => void check(), Math.max(1_000, this.options.settings.disconnectGraceMs)).unref();
        return;
      }
      this.#stop(run, {
        kind: 'cancelled',
        code: 'RUN_CANCELLED',
        message: 'the client disconnected and did not resume',
      });
    };
    setTimeout(() => void check(), this.options.settings.disconnectGraceMs).unref();
  }

  /** Cancels a run wherever it runs: here, or by asking the fleet. */
  async requestCancel(runId: string, nodeId: string): Promise<'cancelling' | 'forwarded'> {
    if (this.cancel(runId)) return 'cancelling';
    if (nodeId === this.options.nodeId) return 'cancelling';
    await this.options.signals.requestCancel(runId);
    return 'forwarded';
  }

  /**
   * Not `async` on the way through: a model's every delta passes here. Returns nothing when the event log
   * stored the event before returning (see `RunEventLog.append`).
   */
  relay(run: ActiveRun, event: RelayedRunnerEvent): Promise<void> | undefined {
    if (event.type === 'tool_result') return this.#relayToolResult(run, event);
    return this.#emit(run, event);
  }

  async #relayToolResult(run: ActiveRun, event: RelayedRunnerEvent): Promise<void> {
    // A command the OOM killer or the pids limit stopped: the warning comes right before its result.
    await this.#watches.get(run.id)?.check();
    await this.#emit(run, event);
  }

  /** Tells the run's client something while the run goes on (an egress limit was reached, say). */
  async warn(run: ActiveRun, code: ErrorCode, message: string): Promise<void> {
    await this.#emit(run, { type: 'warning', code, message });
  }

  /** Stops taking new runs (shutdown). */
  stopAccepting(): void {
    this.#accepting = false;
  }

  /** Interrupts every active run and waits for them to wind down. */
  async interruptAll(message: string): Promise<void> {
    const runs = [...this.#active.values()];
    for (const run of runs) this.#stop(run, { kind: 'interrupted', message });
    await Promise.allSettled(runs.flatMap((r) => this.#done.get(r.id) ?? []));
  }

  async #execute(run: ActiveRun, message: string): Promise<RunResult> {
    const log = this.#log.child({
      runId: run.id,
      tenantId: run.tenant.id,
      conversationId: run.conversation.id,
      sandboxId: run.sandboxId,
    });
    const timeoutMs = run.tenant.policy.runTimeoutMs ?? this.options.settings.runTimeoutMs;
    const timer = setTimeout(
      () => this.cancel(run.id, `the run exceeded its ${timeoutMs} ms limit`, 'RUN_TIMEOUT'),
      timeoutMs,
    );
    timer.unref();
    let outcome: RunOutcome;
    const watch =
      this.options.usage && run.sandbox
        ? watchRunSandbox(run, {
            reader: this.options.usage,
            settings: this.options.settings,
            clock: this.options.clock,
            log,
            emit: (body) => this.#emitted(run, body),
            stop: (outcome) => this.#stop(run, outcome),
          })
        : undefined;
    if (watch) this.#watches.set(run.id, watch);
    try {
      outcome = run.sandbox
        ? await driveRun(run, message, this.options, log)
        : await driveChat(run, message, { ...this.options, emit: (r, body) => this.#emitted(r, body) }, log);
    } catch (err) {
      if (!isAgentdError(err)) log.error({ err }, 'Run failed unexpectedly');
      outcome = run.stopOutcome() ?? {
        kind: 'failed',
        code: isAgentdError(err) ? err.code : 'INTERNAL_ERROR',
        message: errorMessage(err),
      };
    } finally {
      clearTimeout(timer);
    }
    if (watch) {
      run.recordResources(await watch.stop());
      this.#watches.delete(run.id);
    }
    return this.#finisher.finish(run, outcome, log);
  }

  #deactivate(run: ActiveRun): void {
    this.#active.delete(run.id);
    if (this.#active.size === 0) this.#idle.resolve();
  }

  /**
   * Stops a run: the runner gets the cancel signal; if its event stream has not ended after the grace period,
   * agentd kills the sandbox (its processes die with it) and the run ends anyway.
   */
  #stop(run: ActiveRun, reason: RunOutcome): void {
    if (!run.stop(reason)) return;
    setTimeout(() => {
      // A run whose sandbox is still starting has no runner to kill: it ends once the start settles.
      if (run.runnerEnding || !this.#active.has(run.id) || !run.sandboxStarted) return;
      run.markSandboxForDiscard();
      this.#log.warn(
        { runId: run.id, sandboxId: run.sandboxId },
        'Runner did not stop in time; killing its sandbox',
      );
      void this.options.sandboxes
        .remove(run.lease.record.id, 'run_aborted')
        .catch((err: unknown) => this.#log.error({ err, runId: run.id }, 'Could not kill the sandbox'))
        .finally(() =>
          run.endRunner({ kind: 'error', code: 'SANDBOX_LOST', message: 'sandbox killed to stop the run' }),
        );
    }, this.options.settings.cancelGraceMs).unref();
  }

  #onSandboxLost(record: SandboxRecord): void {
    const message = 'the sandbox died during the run';
    for (const run of this.#active.values()) {
      if (run.sandboxId !== record.id) continue;
      run.markSandboxForDiscard();
      run.stop({ kind: 'failed', code: 'SANDBOX_LOST', message });
      run.endRunner({ kind: 'error', code: 'SANDBOX_LOST', message });
    }
  }

  /**
   * Appends to the run's event log (which rides out a short Redis outage itself). Not `async`: this runs per
   * model delta, and once the run's first event is out it returns what the log returned, allocating nothing.
   */
  #emit(run: ActiveRun, body: RunEventBody): Promise<void> | undefined {
    const appended = this.options.eventLog.append(run.id, body);
    if (body.type === 'run_start' || body.type === 'allocating' || !this.#awaitingFirstEvent.has(run.id))
      return appended;
    if (appended) return appended.then(() => this.#firstEventOut(run.id));
    this.#firstEventOut(run.id);
    return undefined;
  }

  /** `#emit` for callers off the model's hot path, which only await it. */
  async #emitted(run: ActiveRun, body: RunEventBody): Promise<void> {
    await this.#emit(run, body);
  }

  #firstEventOut(runId: string): void {
    const started = this.#awaitingFirstEvent.get(runId);
    if (started === undefined) return;
    this.#awaitingFirstEvent.delete(runId);
    this.options.metrics.runFirstEventSeconds.observe((performance.now() - started) / 1000);
  }
}

/** A promise with its resolver, renewed whenever the node goes from idle to busy. */
function idleSignal(): { promise: Promise<undefined>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<undefined>((r) => {
    resolve = () => r(undefined);
  });
  return { promise, resolve };
}
