import type { ControlSignal, ConversationMessage, RunLimits } from '@agentd/sandbox-runner/protocol';
import type { ErrorCode } from '../common/errors.js';
import type { Lock } from '../coordination/lock-service.js';
import type { ModelUsage } from '../model/model-provider.js';
import type { SandboxLease } from '../sandbox/sandbox-manager.js';
import type { Conversation, Model, Tenant } from '../store/entities.js';

/** Why a run ended, as agentd decides it (the runner's word is one input among several). */
export type RunOutcome =
  | { kind: 'succeeded' }
  | { kind: 'failed'; code: ErrorCode; message: string }
  | { kind: 'cancelled'; code: 'RUN_CANCELLED' | 'RUN_TIMEOUT'; message: string }
  | { kind: 'interrupted'; message: string };

/** What the runner's event stream ended with. */
export type RunnerEnding = { kind: 'final' } | { kind: 'error'; code: ErrorCode; message: string };

export interface ActiveRunInit {
  id: string;
  tenant: Tenant;
  conversation: Conversation;
  model: Model;
  lock: Lock;
  lease: SandboxLease;
  fencingToken: bigint;
  limits: RunLimits;
}

/**
 * The live state of one run on this node: the gateway's authoritative copy of the conversation, usage, and
 * the signals that end it. Only agentd code touches it; runner input reaches it through validated calls.
 */
export class ActiveRun {
  readonly id: string;
  readonly tenant: Tenant;
  readonly conversation: Conversation;
  readonly model: Model;
  readonly lock: Lock;
  readonly lease: SandboxLease;
  readonly fencingToken: bigint;
  readonly limits: RunLimits;
  /** Aborts model calls and waits when the run must stop. */
  readonly abort = new AbortController();

  messages: ConversationMessage[] = [];
  steps = 0;
  usage: ModelUsage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  costPico = 0n;
  /** Text of the model's last turn when it ended without tool use: the run's answer. */
  finalText: string | null = null;
  modelCallInFlight = false;
  eventsStreamOpen = false;
  /** Set once: cancel, timeout, a protocol violation, a lost sandbox, shutdown. */
  stopReason: RunOutcome | undefined;
  /** The sandbox was killed, died, or its runner broke the protocol: remove it instead of keeping it idle. */
  discardSandbox = false;
  subscribers = 0;
  /** Settles when the runner reports its run job done (it takes no other job before). */
  jobSettled: Promise<void> = Promise.resolve();

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
    this.lease = init.lease;
    this.fencingToken = init.fencingToken;
    this.limits = init.limits;
    this.#runnerEnded = new Promise((resolve) => {
      this.#resolveRunnerEnded = resolve;
    });
  }

  get sandboxId(): string {
    return this.lease.record.id;
  }

  /** Resolves when the runner's event stream has ended (or the runner is gone). */
  get runnerEnded(): Promise<RunnerEnding> {
    return this.#runnerEnded;
  }

  get runnerEnding(): RunnerEnding | undefined {
    return this.#runnerEnding;
  }

  endRunner(ending: RunnerEnding): void {
    if (this.#runnerEnding) return;
    this.#runnerEnding = ending;
    this.#resolveRunnerEnded(ending);
  }

  /** Why the run was stopped, if it was (a method, so callers re-read it after awaiting). */
  stopOutcome(): RunOutcome | undefined {
    return this.stopReason;
  }

  /** Records why the run must stop (first reason wins), tells the runner and aborts model calls. */
  stop(reason: RunOutcome): boolean {
    if (this.stopReason) return false;
    this.stopReason = reason;
    const message = 'message' in reason ? reason.message : 'stopped';
    for (const waiter of [...this.#controlWaiters]) waiter({ signal: 'cancel', reason: message });
    this.#controlWaiters.clear();
    this.abort.abort();
    return true;
  }

  /** A runner control poll: resolves with the cancel signal, or undefined after `timeoutMs`. */
  waitForControl(timeoutMs: number, closed: AbortSignal): Promise<ControlSignal | undefined> {
    if (this.stopReason) {
      const message = 'message' in this.stopReason ? this.stopReason.message : 'stopped';
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

  addUsage(usage: ModelUsage, costPico: bigint): void {
    this.usage = {
      inputTokens: this.usage.inputTokens + usage.inputTokens,
      outputTokens: this.usage.outputTokens + usage.outputTokens,
      cacheReadTokens: this.usage.cacheReadTokens + usage.cacheReadTokens,
      cacheWriteTokens: this.usage.cacheWriteTokens + usage.cacheWriteTokens,
    };
    this.costPico += costPico;
  }
}
