import { AgentdError, NotFoundError } from '../common/errors.js';
import { RELAY_QUANTUM, relayTurns, type EventLoopTurns } from '../common/event-loop-turns.js';
import type { Run } from '../store/entities.js';
import type { Store } from '../store/repositories.js';
import type { ExecutionLimiter, RateDecision } from './execution-limiter.js';
import type { RunErrorEvent } from './run-finisher.js';
import type { LoggedEvent, RunEventLog } from './run-event-log.js';
import type { RunEventBody } from './run-events.js';
import type { RunService, StartRunRequest } from './run-service.js';
import type { RunSignals } from './run-signals.js';

/** Who starts runs: the budget is keyed on it (an API key's id today, a JWT subject later), never a header. */
export interface RunCaller {
  id: string;
  /** The caller's tenant, whose policy may set its own budget; null for admins (the deployment's budget). */
  tenantId: string | null;
}

/** A run named by a client: it must belong to the conversation, and the conversation to the tenant. */
export interface RunTarget {
  tenantId: string;
  conversationId: string;
  runId: string;
}

export interface StartedRun {
  runId: string;
  /** The caller's budget after this start (undefined when rate limiting is off). */
  quota: RateDecision | undefined;
}

/** How a queried run ended: its answer when it succeeded, else its error (the status was sent already). */
export interface QueryAnswer {
  runId: string;
  status: 'succeeded' | 'failed' | 'cancelled' | 'interrupted';
  final: string | null;
  truncated: boolean;
  usage: Extract<RunEventBody, { type: 'usage' }>;
  /** The run's `error` event, when it did not succeed. */
  error?: RunErrorEvent;
}

/** What a follower of a run's events receives, transport-neutral: each transport frames it its own way. */
export type FeedItem =
  | { kind: 'events'; events: LoggedEvent[] }
  /** Every event was delivered and the run has ended. */
  | { kind: 'done' }
  /** The run's events are past the retention window. */
  | { kind: 'expired' }
  /** The reader fell behind the log's bound: `missed` events are gone; a resume from `firstSeq - 1` works. */
  | { kind: 'lagged'; missed: number; firstSeq: number }
  /** This node shuts down; the client should resume elsewhere. */
  | { kind: 'shutdown' };

/** What attaching to a run gives a client: its feed, or word that nothing more will come. */
export type Attachment =
  /** The run has ended and the client has every event (SSE answers 204, so an EventSource stops). */
  { kind: 'ended' } | { kind: 'feed'; feed: AsyncGenerator<FeedItem> };

export interface FollowOptions {
  /** Aborts when the client went away. */
  closed: AbortSignal;
  /** Aborts when the node shuts down. */
  stop?: AbortSignal | undefined;
}

export interface RateLimitSettings {
  enabled: boolean;
  requests: number;
  periodMs: number;
}

export interface RunStreamServiceOptions {
  runs: RunService;
  store: Store;
  eventLog: RunEventLog;
  signals: RunSignals;
  limiter: ExecutionLimiter;
  rateLimit: RateLimitSettings;
  /** The tenant's own budget per period (its policy's rateLimitPerPeriod), if it has one. */
  tenantRateLimit: (tenantId: string) => Promise<number | undefined>;
  /** The turns readers take with the rest of the relay (tests pass their own). */
  turns?: EventLoopTurns;
}

/** A reader's batch is a stream's quantum: what one turn appended leaves in one write. */
const BATCH = RELAY_QUANTUM;

/**
 * The one way into runs for every transport (SSE, WebSocket, compat routes): start, follow from a sequence
 * number, cancel, query. Budgets and ownership are checked here, once, so every transport inherits them.
 */
export class RunStreamService {
  constructor(private readonly options: RunStreamServiceOptions) {}

  /** Starts a run for `caller`, within its budget; refusals are errors raised before anything runs. */
  async start(caller: RunCaller, request: StartRunRequest): Promise<StartedRun> {
    const quota = await this.#charge(caller);
    const run = await this.options.runs.startRun(request);
    return { runId: run.id, quota };
  }

  /**
   * Starts a run and waits for its answer. A caller that goes away (`closed`) is a disconnect like any other:
   * the run waits out the grace period for a resume, then stops.
   */
  async query(
    caller: RunCaller,
    request: StartRunRequest,
    closed: AbortSignal,
  ): Promise<{ started: StartedRun; answer: Promise<QueryAnswer> }> {
    const started = await this.start(caller, request);
    const { runs } = this.options;
    const { runId } = started;
    const done = runs.result(runId);
    if (!done) throw new AgentdError('INTERNAL_ERROR', `run ${runId} has no result`);
    runs.attach(runId);
    if (closed.aborted) runs.detach(runId);
    else closed.addEventListener('abort', () => runs.detach(runId), { once: true });
    const answer = done.then((result): QueryAnswer => {
      const { outcome, usage, error } = result;
      const status = outcome.kind === 'cancelled' && outcome.code === 'RUN_TIMEOUT' ? 'failed' : outcome.kind;
      return {
        runId,
        status,
        final: result.final,
        truncated: result.truncated,
        usage,
        ...(error ? { error } : {}),
      };
    });
    return { started, answer };
  }

  /**
   * Refuses a conversation a connection cannot chat with: absent, deleted or another tenant's (not found), or
   * archived. A WebSocket checks this at connect, so a client learns it there rather than at its first chat.
   */
  async checkConversation(target: { tenantId: string; conversationId: string }): Promise<void> {
    const conversation = await this.options.store.conversations.get(target.tenantId, target.conversationId);
    if (!conversation) throw new NotFoundError('conversation', target.conversationId);
    // One line: it becomes a WebSocket close reason.
    if (conversation.status === 'archived')
      throw new AgentdError('VALIDATION_FAILED', `conversation ${conversation.id} is archived`, {
        details: { conversationId: conversation.id },
      });
  }

  /** The stored run, if it belongs to the target's tenant and conversation. */
  async get(target: RunTarget): Promise<Run> {
    const run = await this.options.store.runs.get(target.tenantId, target.runId);
    if (!run || run.conversationId !== target.conversationId) throw new NotFoundError('run', target.runId);
    return run;
  }

  /**
   * Follows a client's run from `afterSeq` (its Last-Event-ID); refuses before streaming when it cannot, and
   * says `ended` when the run is over and the client already has its last event.
   */
  async attach(target: RunTarget, afterSeq: number, options: FollowOptions): Promise<Attachment> {
    const run = await this.get(target);
    const { eventLog, runs } = this.options;
    let batch = await eventLog.read(target.runId, afterSeq, 0);
    if (!batch) throw new NotFoundError('run events', `${target.runId} (past the retention window)`);
    // A node that died between recording the run's end and closing its log leaves the log open: close it.
    if (run.status !== 'running' && run.status !== 'queued' && !runs.get(target.runId)) {
      await eventLog.complete(target.runId);
      batch = await eventLog.read(target.runId, afterSeq, 0);
    }
    if (batch?.done) return { kind: 'ended' };
    return { kind: 'feed', feed: this.follow(target.runId, afterSeq, options) };
  }

  /**
   * The run's events after `afterSeq`, in batches, at the reader's pace: agentd keeps only a cursor per
   * reader, so a slow one costs no memory beyond the log's own bound. While it is followed the run counts
   * it as a subscriber (a run nobody follows is cancelled after the disconnect grace).
   */
  async *follow(runId: string, afterSeq: number, options: FollowOptions): AsyncGenerator<FeedItem> {
    const { eventLog, runs, signals, turns = relayTurns } = this.options;
    const { closed, stop } = options;
    runs.attach(runId);
    const unwatch = signals.watch(runId);
    const signal = stop ? AbortSignal.any([closed, stop]) : closed;
    try {
      let after = afterSeq;
      let handled = 0;
      for (;;) {
        if (closed.aborted) return;
        const batch = await eventLog.read(runId, after, BATCH);
        if (!batch) {
          yield { kind: 'expired' };
          return;
        }
        if (batch.firstSeq > after + 1) {
          yield { kind: 'lagged', missed: batch.firstSeq - after - 1, firstSeq: batch.firstSeq };
          return;
        }
        const last = batch.events.at(-1);
        if (last) {
          yield { kind: 'events', events: batch.events };
          after = last.seq;
          // A reader with a backlog reads and writes batch after batch without waiting: 50 of them writing a full
          // batch each in one turn of the event loop held it for tens of ms. Readers take turns with the streams.
          handled += batch.events.length;
          if (turns.due(handled)) {
            handled = 0;
            await turns.yieldTurn();
          }
        }
        if (batch.done) {
          yield { kind: 'done' };
          return;
        }
        if (stop?.aborted) {
          yield { kind: 'shutdown' };
          return;
        }
        if (!last) {
          await eventLog.waitForMore(runId, after, signal);
          // A wake-up does not come through the turns: 50 readers woken at once each wrote a batch first.
          const turn = turns.turn();
          if (turn) {
            handled = 0;
            await turn;
          }
        }
      }
    } finally {
      unwatch();
      runs.detach(runId);
    }
  }

  /** Cancels the target run wherever it runs; a run that already ended reports its status. */
  async cancel(target: RunTarget): Promise<{ runId: string; status: string }> {
    const run = await this.get(target);
    if (run.status !== 'running') return { runId: run.id, status: run.status };
    // The run may execute on another node: the request is forwarded there.
    await this.options.runs.requestCancel(run.id, run.nodeId);
    return { runId: run.id, status: 'cancelling' };
  }

  async #charge(caller: RunCaller): Promise<RateDecision | undefined> {
    const { rateLimit, limiter, tenantRateLimit } = this.options;
    if (!rateLimit.enabled) return undefined;
    const limit =
      (caller.tenantId === null ? undefined : await tenantRateLimit(caller.tenantId)) ?? rateLimit.requests;
    const decision = await limiter.take(caller.id, limit, rateLimit.periodMs);
    if (!decision.allowed) {
      throw new AgentdError(
        'RATE_LIMITED',
        `rate limit of ${limit} runs per ${Math.round(rateLimit.periodMs / 1000)} s exceeded`,
        {
          recoverable: true,
          retryAfterSeconds: Math.max(1, Math.ceil(decision.resetMs / 1000)),
          details: { limit, remaining: 0, resetSeconds: Math.max(1, Math.ceil(decision.resetMs / 1000)) },
        },
      );
    }
    return decision;
  }
}
