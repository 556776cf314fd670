import type { ControlSignal, ConversationMessage, RunLimits } from '@agentd/sandbox-runner/protocol';
import { AgentdError, type ErrorCode } from '../common/errors.js';
import type { Lock } from '../common/lock-service.js';
import type { ModelUsage } from '../model/model-provider.js';
import type { SandboxClaim, SandboxLease } from '../sandbox/sandbox-lease.js';
import type { Conversation, Model, Tenant } from '../store/entities.js';
import { NO_EGRESS, type EgressPolicy } from '../config/egress-policy.js';
import { RunEgress } from './run-egress.js';
import type { RunResourceUsage } from './run-resource-watch.js';
import { StepOrder } from './step-order.js';
import { RunTranscript } from './run-transcript.js';
import { withSkills, type SkillListing } from './skills-prompt.js';

/** Why a run ended, as agentd decides it (the runner's word is one input among several). */
export type RunOutcome =
  | { kind: 'succeeded' }
  | { kind: 'failed'; code: ErrorCode; message: string }
  | { kind: 'cancelled'; code: 'RUN_CANCELLED' | 'RUN_TIMEOUT'; message: string }
  | { kind: 'interrupted'; message: string };

/** What the runner's event stream ended with. */
export type RunnerEnding = { kind: 'final' } | { kind: 'error'; code: ErrorCode; message: string };

/**
 * A run's phases on this node. `preparing`: lock, sandbox and row are held, the workspace syncs in;
 * `running`: the runner has the job; `stopping`: a stop was decided (cancel, timeout, protocol violation,
 * lost sandbox or lock, shutdown) and the runner was told; `finishing`: the outcome is decided and the run
 * gives back what it holds; `ended`.
 */
export type RunPhase = 'preparing' | 'running' | 'stopping' | 'finishing' | 'ended';

/** The only legal moves between phases; every other move is a bug and throws. */
export const RUN_TRANSITIONS: Readonly<Record<RunPhase, readonly RunPhase[]>> = {
  preparing: ['running', 'stopping', 'finishing'],
  running: ['stopping', 'finishing'],
  stopping: ['finishing'],
  finishing: ['ended'],
  ended: [],
};

export interface ActiveRunInit {
  id: string;
  tenant: Tenant;
  conversation: Conversation;
  model: Model;
  lock: Lock;
  /** The run's sandbox: held at once, possibly still starting; none for a chat (agentd runs it itself). */
  sandbox: SandboxClaim | undefined;
  fencingToken: bigint;
  limits: RunLimits;
  /** The run's egress policy (mode `none` when the sandbox has no way out). */
  egress?: EgressPolicy;
}

const NO_USAGE: ModelUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };

/**
 * The live state of one run on this node: the gateway's authoritative copy of the conversation, usage, and
 * the signals that end it. Only this class changes that state, through the methods below; runner input
 * reaches it through validated calls.
 */
export class ActiveRun {
  readonly id: string;
  readonly tenant: Tenant;
  readonly conversation: Conversation;
  readonly model: Model;
  readonly lock: Lock;
  readonly sandbox: SandboxClaim | undefined;
  readonly fencingToken: bigint;
  readonly limits: RunLimits;
  readonly egress: RunEgress;

  #phase: RunPhase = 'preparing';
  /** The conversation as agentd knows it: history, this turn's user message, then every turn since. */
  readonly transcript = new RunTranscript();
  /** Which of the runner's steps have ended in the event log (the gateway orders `step_start` after them). */
  readonly stepOrder = new StepOrder();
  #steps = 0;
  #usage: ModelUsage = NO_USAGE;
  #costPico = 0n;
  #lease: SandboxLease | undefined;
  #modelCallInFlight = false;
  #eventsStreamOpen = false;
  #stopReason: RunOutcome | undefined;
  #discardSandbox = false;
  #subscribers = 0;
  #syncedBytes = 0;
  #resources: RunResourceUsage | undefined;
  #skills: readonly SkillListing[] = [];
  #jobSettled: Promise<void> = Promise.resolve();
  /** Aborts model calls and waits when the run must stop. */
  readonly #abort = new AbortController();
  /** Aborts once the outcome is decided: what the run opened for itself (MCP sessions) closes then. */
  readonly #finishing = new AbortController();
  readonly #runnerEnded: Promise<RunnerEnding>;
  #resolveRunnerEnded!: (ending: RunnerEnding) => void;
  #runnerEnding: RunnerEnding | undefined;
  readonly #controlWaiters = new Set<(signal: ControlSignal) => void>();

  constructor(init: ActiveRunInit) {
    this.id = init.id;
    this.tenant = init.tenant;
    this.conversation = init.conversation;
    this.model = init.model;
    this.lock = init.lock;
    this.sandbox = init.sandbox;
    this.fencingToken = init.fencingToken;
    this.limits = init.limits;
    this.egress = new RunEgress(init.egress ?? NO_EGRESS);
    this.#runnerEnded = new Promise((resolve) => {
      this.#resolveRunnerEnded = resolve;
    });
  }

  get phase(): RunPhase {
    return this.#phase;
  }

  /**
   * What the gateway sends as the system prompt: a chat's own (else the tenant's); for a sandboxed run the
   * tenant's plus the skills delivered to the sandbox.
   */
  get systemPrompt(): string | null {
    if (this.conversation.kind === 'chat') return this.conversation.systemPrompt ?? this.tenant.systemPrompt;
    return withSkills(this.tenant.systemPrompt, this.#skills);
  }

  /** The skills the sandbox holds for this run (set once they were delivered). */
  useSkills(skills: readonly SkillListing[]): void {
    this.#skills = [...skills];
  }

  /** Undefined for a run without a sandbox (a chat). */
  get sandboxId(): string | undefined {
    return this.#lease?.record.id ?? this.sandbox?.record.id;
  }

  /** Whether the run's sandbox has started (a run whose start is pending has no runner yet). */
  get sandboxStarted(): boolean {
    return this.#lease !== undefined;
  }

  /** The ready sandbox (after `sandboxReady`). */
  get lease(): SandboxLease {
    if (!this.#lease) throw new AgentdError('INTERNAL_ERROR', `run ${this.id}: its sandbox is not ready`);
    return this.#lease;
  }

  /** Waits until the sandbox is started (or its start failed: the run then fails with that error). */
  async sandboxReady(): Promise<SandboxLease> {
    if (!this.sandbox) throw new AgentdError('INTERNAL_ERROR', `run ${this.id} has no sandbox`);
    this.#lease = await this.sandbox.ready;
    return this.#lease;
  }

  /**
   * The sandbox to give back when the run ends, once its start settled; undefined when it never started
   * (or the run has none).
   */
  async settledLease(): Promise<SandboxLease | undefined> {
    this.#lease = await this.sandbox?.ready.catch(() => undefined);
    return this.#lease;
  }

  /** Model calls made so far. */
  get steps(): number {
    return this.#steps;
  }

  get usage(): ModelUsage {
    return this.#usage;
  }

  get costPico(): bigint {
    return this.#costPico;
  }

  /** Aborts when the run must stop (model calls and waits listen to it). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Aborts when the run starts finishing (it no longer makes model or tool calls). */
  get finishingSignal(): AbortSignal {
    return this.#finishing.signal;
  }

  /** Why the run was stopped, if it was (a method: re-read it after awaiting, it can change meanwhile). */
  stopOutcome(): RunOutcome | undefined {
    return this.#stopReason;
  }

  /** The sandbox was killed, died, or its runner broke the protocol: remove it instead of keeping it idle. */
  get sandboxDiscarded(): boolean {
    return this.#discardSandbox;
  }

  get subscribers(): number {
    return this.#subscribers;
  }

  /** Settles when the runner reports its run job done (it takes no other job before). */
  get jobSettled(): Promise<void> {
    return this.#jobSettled;
  }

  /** Resolves when the runner's event stream has ended (or the runner is gone). */
  get runnerEnded(): Promise<RunnerEnding> {
    return this.#runnerEnded;
  }

  get runnerEnding(): RunnerEnding | undefined {
    return this.#runnerEnding;
  }

  /** Sets the conversation the turn starts from (stored history plus the new user message). */
  begin(messages: readonly ConversationMessage[]): void {
    // A stop may already have been decided (the client left at once): the turn then ends before the runner.
    if (this.#phase !== 'preparing' && this.#phase !== 'stopping')
      throw new AgentdError('INTERNAL_ERROR', `run ${this.id}: begin in phase ${this.#phase}`);
    this.transcript.start(messages);
  }

  /** The runner took the job; its own result only says it finished (how the run ended comes from events). */
  handToRunner(job: Promise<unknown>): void {
    this.#move('running');
    job.catch((err: unknown) => {
      this.endRunner({
        kind: 'error',
        code: 'SANDBOX_LOST',
        message: err instanceof Error ? err.message : String(err),
      });
    });
    this.#jobSettled = job.then(
      () => undefined,
      () => undefined,
    );
  }

  /** The turn runs in agentd itself (a chat): no runner takes it, the gateway calls the model directly. */
  runWithoutRunner(): void {
    this.#move('running');
  }

  /** Records why the run must stop (first reason wins), tells the runner and aborts model calls. */
  stop(reason: RunOutcome): boolean {
    if (this.#stopReason || (this.#phase !== 'preparing' && this.#phase !== 'running')) return false;
    this.#move('stopping');
    this.#stopReason = reason;
    const message = 'message' in reason ? reason.message : 'stopped';
    for (const waiter of [...this.#controlWaiters]) waiter({ signal: 'cancel', reason: message });
    this.#controlWaiters.clear();
    this.#abort.abort();
    return true;
  }

  /** The outcome is decided: from here the run only gives back what it holds. */
  finish(): void {
    this.#move('finishing');
    this.#finishing.abort();
    this.egress.close();
  }

  /** Everything is given back; the run is no longer active. */
  end(): void {
    this.#move('ended');
  }

  /** The runner broke the protocol: the run fails, the runner is told to stop, and its sandbox goes. */
  runnerBrokeProtocol(message: string): void {
    this.#discardSandbox = true;
    this.endRunner({ kind: 'error', code: 'RUNNER_PROTOCOL_ERROR', message });
    this.stop({ kind: 'failed', code: 'RUNNER_PROTOCOL_ERROR', message });
  }

  markSandboxForDiscard(): void {
    this.#discardSandbox = true;
  }

  /** The runner's event stream ended (first ending wins). */
  endRunner(ending: RunnerEnding): void {
    if (this.#runnerEnding) return;
    this.#runnerEnding = ending;
    this.#resolveRunnerEnded(ending);
  }

  /** Claims the run's one event stream; false when it is already open (a runner gets one per run). */
  openEventStream(): boolean {
    if (this.#eventsStreamOpen) return false;
    this.#eventsStreamOpen = true;
    return true;
  }

  /** Starts a model call: refused while stopping or while another call is in flight. */
  beginModelCall(): void {
    if (this.#stopReason) throw new AgentdError('RUN_CANCELLED', `run ${this.id} is stopping`);
    if (this.#modelCallInFlight)
      throw new AgentdError('RUNNER_PROTOCOL_ERROR', 'one model call at a time per run');
    this.#modelCallInFlight = true;
  }

  endModelCall(): void {
    this.#modelCallInFlight = false;
  }

  /** Counts one model call against the step limit; false when the limit is reached (nothing counted). */
  takeStep(): boolean {
    if (this.#steps >= this.limits.maxSteps) return false;
    this.#steps += 1;
    return true;
  }

  /** Charges what the provider reported (also for a call that failed after reporting). */
  recordUsage(usage: ModelUsage, costPico: bigint): void {
    this.#usage = {
      inputTokens: this.#usage.inputTokens + usage.inputTokens,
      outputTokens: this.#usage.outputTokens + usage.outputTokens,
      cacheReadTokens: this.#usage.cacheReadTokens + usage.cacheReadTokens,
      cacheWriteTokens: this.#usage.cacheWriteTokens + usage.cacheWriteTokens,
    };
    this.#costPico += costPico;
  }

  /** File bytes the workspace sync moved for this run, both directions. */
  get syncedBytes(): number {
    return this.#syncedBytes;
  }

  addSyncedBytes(bytes: number): void {
    this.#syncedBytes += bytes;
  }

  /** What the run used of its sandbox, once its watch stopped (undefined when nothing could be read). */
  get resources(): RunResourceUsage | undefined {
    return this.#resources;
  }

  recordResources(usage: RunResourceUsage | undefined): void {
    this.#resources = usage;
  }

  /** A client started reading the run's events; returns how many read now. */
  addSubscriber(): number {
    return ++this.#subscribers;
  }

  /** A client stopped reading; returns how many still read. */
  removeSubscriber(): number {
    this.#subscribers = Math.max(0, this.#subscribers - 1);
    return this.#subscribers;
  }

  /** A runner control poll: resolves with the cancel signal, or undefined after `timeoutMs`. */
  waitForControl(timeoutMs: number, closed: AbortSignal): Promise<ControlSignal | undefined> {
    if (this.#stopReason) {
      const message = 'message' in this.#stopReason ? this.#stopReason.message : 'stopped';
      return Promise.resolve({ signal: 'cancel', reason: message });
    }
    return new Promise((resolve) => {
      const finish = (signal: ControlSignal | undefined): void => {
        clearTimeout(timer);
        this.#controlWaiters.delete(waiter);
        closed.removeEventListener('abort', onClosed);
        resolve(signal);
      };
      const waiter = (signal: ControlSignal): void => finish(signal);
      const onClosed = (): void => finish(undefined);
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      this.#controlWaiters.add(waiter);
      closed.addEventListener('abort', onClosed, { once: true });
    });
  }

  #move(to: RunPhase): void {
    if (!RUN_TRANSITIONS[this.#phase].includes(to))
      throw new AgentdError('INTERNAL_ERROR', `run ${this.id}: no move from ${this.#phase} to ${to}`);
    this.#phase = to;
  }
}
