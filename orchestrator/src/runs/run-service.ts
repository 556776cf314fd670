import type { ConversationMessage, RunLimits, RunSpec } from '@agentd/sandbox-runner/protocol';
import type { Clock } from '../common/clock.js';
import {
  AgentdError,
  errorMessage,
  isAgentdError,
  NotFoundError,
  ValidationError,
  type ErrorCode,
} from '../common/errors.js';
import { randomId } from '../common/ids.js';
import { sleep } from '../common/timers.js';
import type { Logger } from '../common/logger.js';
import type { LockService } from '../coordination/lock-service.js';
import type { RunEventLog } from '../coordination/run-event-log.js';
import type { RunSignals } from '../coordination/run-signals.js';
import type { Metrics } from '../metrics/metrics.js';
import { formatUsd, usdNumber } from '../model/pricing.js';
import type { SandboxManager } from '../sandbox/sandbox-manager.js';
import type { SandboxRecord } from '../sandbox/sandbox-record.js';
import type { Conversation, Model, Tenant } from '../store/entities.js';
import type { Store } from '../store/repositories.js';
import { ActiveRun, type RunOutcome } from './active-run.js';
import type { RelayedRunnerEvent, RunEventBody } from './run-events.js';
import type { RunRecovery } from './run-recovery.js';
import type { WorkspaceSync } from './workspace-sync.js';

export interface RunSettings {
  runTimeoutMs: number;
  maxSteps: number;
  toolTimeoutMs: number;
  maxToolTimeoutMs: number;
  toolOutputBytes: number;
  /** After a cancel signal, how long the runner gets to stop before agentd kills the sandbox. */
  cancelGraceMs: number;
  /** After the last client disconnects, how long the run goes on waiting for a resume (0 = cancel at once). */
  disconnectGraceMs: number;
  maxMessageChars: number;
}

export interface RunServiceOptions {
  nodeId: string;
  signals: RunSignals;
  recovery: RunRecovery;
  store: Store;
  sandboxes: SandboxManager;
  locks: LockService;
  eventLog: RunEventLog;
  workspace: WorkspaceSync;
  settings: RunSettings;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
}

export interface StartRunRequest {
  tenantId: string;
  conversationId: string;
  message: string;
  userId?: string | undefined;
}

/** What a finished run reports to `/query` callers. */
export interface RunResult {
  runId: string;
  outcome: RunOutcome;
  final: string | null;
  usage: Extract<RunEventBody, { type: 'usage' }>;
}

/**
 * Runs agent turns: one per conversation at a time (the conversation lock), in the conversation's sandbox,
 * with agentd numbering and logging every event and deciding how each run ends.
 */
export class RunService {
  readonly #active = new Map<string, ActiveRun>();
  readonly #done = new Map<string, Promise<RunResult>>();
  readonly #log: Logger;
  #accepting = true;

  constructor(private readonly options: RunServiceOptions) {
    this.#log = options.logger.child({ component: 'runs' });
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
   * decided before this returns, so the caller can still answer with an HTTP error instead of a stream.
   */
  async startRun(request: StartRunRequest): Promise<ActiveRun> {
    if (!this.#accepting) {
      throw new AgentdError('DEPENDENCY_UNAVAILABLE', 'this node is shutting down', {
        recoverable: true,
        retryAfterSeconds: 1,
      });
    }
    const { store } = this.options;
    if (request.message.length === 0 || request.message.length > this.options.settings.maxMessageChars) {
      throw new ValidationError('invalid message', [
        `/message: must be 1 to ${this.options.settings.maxMessageChars} characters`,
      ]);
    }
    const conversation = await store.conversations.get(request.tenantId, request.conversationId);
    if (!conversation) throw new NotFoundError('conversation', request.conversationId);
    if (conversation.status === 'archived') {
      throw new ValidationError('conversation is archived', [
        `conversation ${conversation.id} is archived and takes no new runs`,
      ]);
    }
    const tenant = await store.tenants.get(request.tenantId);
    if (!tenant) throw new NotFoundError('tenant', request.tenantId);
    const model = await this.#model(tenant, conversation);
    const lock = await this.options.locks.tryAcquire(`conversation:${tenant.id}:${conversation.id}`);
    if (!lock) {
      throw new AgentdError(
        'CONVERSATION_BUSY',
        `conversation ${conversation.id} already has a run in progress`,
        {
          recoverable: true,
          retryAfterSeconds: 2,
        },
      );
    }
    let lease;
    try {
      await this.options.recovery.takeOver(conversation.id, (runId) => this.#active.has(runId));
      lease = await this.options.sandboxes.acquire({
        tenantId: tenant.id,
        conversationId: conversation.id,
        profile: conversation.profile ?? tenant.policy.profile,
        limits: tenant.policy.limits,
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
      });
      await store.runs.setSandbox(runId, lease.record.id);
    } catch (err) {
      await this.options.sandboxes.release(lease);
      await lock.release();
      throw err;
    }
    const run = new ActiveRun({
      id: runId,
      tenant,
      conversation,
      model,
      lock,
      lease,
      fencingToken: row.fencingToken,
      limits: this.#limits(tenant),
    });
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
    await this.#emit(run, { type: 'run_start', conversationId: conversation.id, modelId: model.id });
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
    const run = this.#active.get(runId);
    if (run) run.subscribers += 1;
  }

  /**
   * A client stopped reading; with nobody left here or on another node, the run waits `disconnectGraceMs` for
   * a resume, then is cancelled.
   */
  detach(runId: string): void {
    const run = this.#active.get(runId);
    if (!run) return;
    run.subscribers = Math.max(0, run.subscribers - 1);
    if (run.subscribers > 0) return;
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

  /** Cancels a run wherever it runs: here, or by asking the fleet. Returns false when it is not running. */
  async requestCancel(runId: string, nodeId: string): Promise<'cancelling' | 'forwarded'> {
    if (this.cancel(runId)) return 'cancelling';
    if (nodeId === this.options.nodeId) return 'cancelling';
    await this.options.signals.requestCancel(runId);
    return 'forwarded';
  }

  async relay(run: ActiveRun, event: RelayedRunnerEvent): Promise<void> {
    await this.#emit(run, event);
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

  async #model(tenant: Tenant, conversation: Conversation): Promise<Model> {
    const model = await this.options.store.models.get(conversation.modelId);
    if (!model)
      throw new ValidationError('conversation model is gone', [
        `model ${conversation.modelId} no longer exists`,
      ]);
    if (!model.enabled) throw new ValidationError('model disabled', [`model ${model.id} is disabled`]);
    const allowed = tenant.policy.allowedModelIds;
    if (allowed && !allowed.includes(model.id)) {
      throw new AgentdError('FORBIDDEN', `tenant ${tenant.id} may not use model ${model.id}`);
    }
    return model;
  }

  #limits(tenant: Tenant): RunLimits {
    const s = this.options.settings;
    return {
      maxSteps: tenant.policy.maxStepsPerRun ?? s.maxSteps,
      toolTimeoutMs: s.toolTimeoutMs,
      maxToolTimeoutMs: s.maxToolTimeoutMs,
      toolOutputBytes: s.toolOutputBytes,
    };
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
    try {
      outcome = await this.#drive(run, message, log);
    } catch (err) {
      if (!isAgentdError(err)) log.error({ err }, 'Run failed unexpectedly');
      outcome = run.stopReason ?? {
        kind: 'failed',
        code: isAgentdError(err) ? err.code : 'INTERNAL_ERROR',
        message: errorMessage(err),
      };
    } finally {
      clearTimeout(timer);
    }
    return this.#finish(run, outcome, log);
  }

  async #drive(run: ActiveRun, message: string, log: Logger): Promise<RunOutcome> {
    const { store } = this.options;
    const history: ConversationMessage[] = (await store.messages.history(run.conversation.id)).map((m) => ({
      role: m.role,
      content: m.content,
    }));
    const user: ConversationMessage = { role: 'user', content: [{ text: message }] };
    run.messages = [...history, user];
    if (
      !(await store.runs.appendMessages(run.id, run.fencingToken, [{ role: 'user', content: user.content }]))
    ) {
      return {
        kind: 'failed',
        code: 'CONVERSATION_BUSY',
        message: 'a newer run took over this conversation',
      };
    }
    await this.options.workspace.syncIn(run);
    if (run.stopReason) return run.stopReason;
    const spec: RunSpec = { runId: run.id, history, message, limits: run.limits };
    // The job's own result only says the runner finished; how the run ended comes from its event stream.
    const job = run.lease.channel.send(
      { kind: 'run', spec },
      this.options.settings.runTimeoutMs + this.options.settings.cancelGraceMs + 60_000,
    );
    job.catch((err: unknown) => {
      run.endRunner({ kind: 'error', code: 'SANDBOX_LOST', message: errorMessage(err) });
    });
    run.jobSettled = job.then(
      () => undefined,
      () => undefined,
    );
    const ending = await run.runnerEnded;
    const stopped = run.stopOutcome();
    if (stopped) return stopped;
    if (ending.kind === 'error') return { kind: 'failed', code: ending.code, message: ending.message };
    if (run.finalText === null) {
      run.discardSandbox = true;
      return {
        kind: 'failed',
        code: 'RUNNER_PROTOCOL_ERROR',
        message: 'the runner reported a final answer the model never gave',
      };
    }
    log.debug({ steps: run.steps }, 'Runner finished');
    return { kind: 'succeeded' };
  }

  /** Ends the run in the documented order (docs/architecture.md: events): sync-out, final or error, usage, `: done`. */
  async #finish(run: ActiveRun, outcome: RunOutcome, log: Logger): Promise<RunResult> {
    const { store, sandboxes } = this.options;
    // Every step below runs whatever the one before did: a run always gives back its sandbox and its lock.
    const attempt = async (what: string, fn: () => Promise<unknown>): Promise<boolean> => {
      try {
        await fn();
        return true;
      } catch (err) {
        log.error({ err }, `Could not ${what}`);
        return false;
      }
    };
    let final: string | null = null;
    if (outcome.kind === 'succeeded') {
      try {
        await this.#runnerFinished(run);
        await this.options.workspace.syncOut(run);
      } catch (err) {
        outcome = {
          kind: 'failed',
          code:
            isAgentdError(err) && err.code === 'WORKSPACE_LIMIT'
              ? 'WORKSPACE_LIMIT'
              : 'WORKSPACE_SYNC_FAILED',
          message: `the workspace could not be saved: ${errorMessage(err)}`,
        };
      }
      if (outcome.kind === 'succeeded') {
        final = run.finalText ?? '';
        const content = final;
        await attempt('emit the final event', () => this.#emit(run, { type: 'final', content }));
      }
    } else if (
      (outcome.kind === 'cancelled' || outcome.kind === 'interrupted') &&
      run.runnerEnding &&
      !run.discardSandbox
    ) {
      // The runner stopped cleanly: keep what the agent wrote so far (the run still ends as cancelled).
      await attempt('save the workspace of a stopped run', async () => {
        await this.#runnerFinished(run);
        await this.options.workspace.syncOut(run);
      });
    }
    const ended = outcome;
    if (ended.kind !== 'succeeded')
      await attempt('emit the error event', () => this.#emit(run, errorEvent(ended)));
    const usage: RunResult['usage'] = {
      type: 'usage',
      ...run.usage,
      costUsd: usdNumber(run.costPico),
      costUsdExact: formatUsd(run.costPico),
      steps: run.steps,
    };
    await attempt('emit usage', () => this.#emit(run, usage));
    // The database says the run ended before the log does, so a client that saw `: done` finds the run
    // finished. A crash before the database write is repaired by recovery, which trusts the log (a `final`
    // there means the client was told the run succeeded); one between the two writes, by the resume route.
    await attempt('record the run’s end', () =>
      retryDatabase(() =>
        store.runs.finish(run.id, run.fencingToken, {
          status: runStatus(ended),
          errorCode:
            ended.kind === 'succeeded' ? null : ended.kind === 'interrupted' ? 'RUN_CANCELLED' : ended.code,
          errorMessage: ended.kind === 'succeeded' ? null : ended.message,
          usage: { steps: run.steps, ...run.usage, costUsd: formatUsd(run.costPico) },
        }),
      ),
    );
    await attempt('complete the event log', () => this.options.eventLog.complete(run.id));
    this.#active.delete(run.id);
    // A sandbox that was killed, died or misbehaved goes; otherwise its runner is idle again and it is reused.
    if (run.discardSandbox) {
      await attempt('remove the sandbox', async () => {
        // It may be gone already (killed and removed to stop the run, or died).
        if (await sandboxes.get(run.sandboxId)) await sandboxes.remove(run.sandboxId, 'run_aborted');
      });
    }
    if (!run.discardSandbox) await attempt('release the sandbox', () => sandboxes.release(run.lease));
    await attempt('release the lock', () => run.lock.release());
    this.options.metrics.runsFinished.inc({ status: outcome.kind });
    log.info({ outcome: outcome.kind, steps: run.steps, costUsd: formatUsd(run.costPico) }, 'Run ended');
    return { runId: run.id, outcome, final, usage };
  }

  /**
   * The runner reports its run job done right after its event stream ends; until then it refuses other jobs,
   * so the workspace sync waits for it (briefly: a runner that never reports is not waited on for long).
   */
  async #runnerFinished(run: ActiveRun): Promise<void> {
    await Promise.race([run.jobSettled, sleep(JOB_SETTLE_MS)]);
  }

  /**
   * Stops a run: the runner gets the cancel signal; if its event stream has not ended after the grace period,
   * agentd kills the sandbox (its processes die with it) and the run ends anyway.
   */
  #stop(run: ActiveRun, reason: RunOutcome): void {
    if (!run.stop(reason)) return;
    setTimeout(() => {
      if (run.runnerEnding || !this.#active.has(run.id)) return;
      run.discardSandbox = true;
      this.#log.warn(
        { runId: run.id, sandboxId: run.sandboxId },
        'Runner did not stop in time; killing its sandbox',
      );
      void this.options.sandboxes
        .remove(run.sandboxId, 'run_aborted')
        .catch((err: unknown) => this.#log.error({ err, runId: run.id }, 'Could not kill the sandbox'))
        .finally(() =>
          run.endRunner({ kind: 'error', code: 'SANDBOX_LOST', message: 'sandbox killed to stop the run' }),
        );
    }, this.options.settings.cancelGraceMs).unref();
  }

  #onSandboxLost(record: SandboxRecord): void {
    for (const run of this.#active.values()) {
      if (run.sandboxId !== record.id) continue;
      run.discardSandbox = true;
      if (!run.stopReason)
        run.stop({ kind: 'failed', code: 'SANDBOX_LOST', message: 'the sandbox died during the run' });
      run.endRunner({ kind: 'error', code: 'SANDBOX_LOST', message: 'the sandbox died during the run' });
    }
  }

  /**
   * Appends to the run's event log, riding out a short Redis outage (a restart, a failover) with a few
   * retries before giving up.
   */
  async #emit(run: ActiveRun, body: RunEventBody): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.options.eventLog.append(run.id, body);
        return;
      } catch (err) {
        if (!isAgentdError(err) || err.code !== 'DEPENDENCY_UNAVAILABLE' || attempt >= EMIT_RETRIES.length)
          throw err;
        await sleep(EMIT_RETRIES[attempt] ?? 1_000);
      }
    }
  }
}

const JOB_SETTLE_MS = 10_000;

/**
 * Recording a run's end rides out a busy or briefly unreachable database (a stalled pool, a failover): a run
 * row left `running` would wait for crash recovery to be closed.
 */
async function retryDatabase<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isAgentdError(err) || err.code !== 'DEPENDENCY_UNAVAILABLE' || attempt >= EMIT_RETRIES.length)
        throw err;
      await sleep(EMIT_RETRIES[attempt] ?? 1_000);
    }
  }
}

/** Back-off between event-log retries: about ten seconds in all. */
const EMIT_RETRIES = [100, 250, 500, 1_000, 2_000, 3_000, 3_000];

function runStatus(outcome: RunOutcome): 'succeeded' | 'failed' | 'cancelled' | 'interrupted' {
  if (outcome.kind === 'cancelled') return outcome.code === 'RUN_TIMEOUT' ? 'failed' : 'cancelled';
  return outcome.kind;
}

function errorEvent(outcome: Exclude<RunOutcome, { kind: 'succeeded' }>): RunEventBody {
  const code: ErrorCode = outcome.kind === 'interrupted' ? 'RUN_CANCELLED' : outcome.code;
  const recoverable = [
    'RUN_TIMEOUT',
    'SANDBOX_LOST',
    'MODEL_ERROR',
    'WORKSPACE_SYNC_FAILED',
    'CONVERSATION_BUSY',
  ].includes(code);
  return { type: 'error', code, message: outcome.message, severity: 'error', recoverable };
}
