import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import type { NodeDirectory } from './node-directory.js';
import { parseLoggedEvent, type RunEventLog } from './run-event-log.js';
import type { SandboxRegistry } from '../sandbox/sandbox-registry.js';
import { costPicoUsd, formatUsd, usdNumber } from '../model/pricing.js';
import type { Run } from '../store/entities.js';
import type { RunEventBody } from './run-events.js';

type UsageEvent = Extract<RunEventBody, { type: 'usage' }>;
import type { Store } from '../store/repositories.js';

export interface RunRecoveryOptions {
  nodeId: string;
  store: Store;
  eventLog: RunEventLog;
  nodes: NodeDirectory;
  registry: SandboxRegistry;
  logger: Logger;
}

/**
 * Ends runs whose node can no longer finish them (it crashed, was killed, or lost its lock): status
 * interrupted, usage recovered from the messages it committed, and a terminal error event so a resuming client
 * is not left waiting. Every write is fenced, so a run that is in fact still finishing cannot be overwritten.
 */
export class RunRecovery {
  readonly #log: Logger;

  constructor(private readonly options: RunRecoveryOptions) {
    this.#log = options.logger.child({ component: 'run-recovery' });
  }

  /** At start-up: this node's runs from before a crash cannot be running any more. */
  async recoverOwn(): Promise<number> {
    const runs = await this.options.store.runs.listRunning({ nodeId: this.options.nodeId });
    let count = 0;
    for (const run of runs)
      if (await this.interrupt(run, 'the node restarted before the run finished')) count += 1;
    return count;
  }

  /** Under a conversation's lock: any run still marked running there lost its lock and is stale. */
  async takeOver(conversationId: string, activeHere: (runId: string) => boolean): Promise<void> {
    for (const run of await this.options.store.runs.listRunning({ conversationId })) {
      if (activeHere(run.id)) continue;
      await this.interrupt(
        run,
        `node ${run.nodeId} stopped before the run finished; the conversation was taken over`,
      );
    }
  }

  /** Periodically: runs of nodes whose heartbeat lapsed, and those nodes' sandbox records. */
  async sweep(): Promise<void> {
    const running = await this.options.store.runs.listRunning();
    const dead = new Map<string, boolean>();
    const isDead = async (nodeId: string): Promise<boolean> => {
      if (nodeId === this.options.nodeId) return false;
      if (!dead.has(nodeId)) dead.set(nodeId, !(await this.options.nodes.isAlive(nodeId)));
      return dead.get(nodeId) ?? false;
    };
    for (const run of running) {
      if (await isDead(run.nodeId))
        await this.interrupt(run, `node ${run.nodeId} stopped (no heartbeat) before the run finished`);
    }
    for (const record of await this.options.registry.list()) {
      if (record.nodeId !== this.options.nodeId && (await isDead(record.nodeId))) {
        await this.options.registry.remove(record.id);
        this.#log.info({ sandboxId: record.id, node: record.nodeId }, 'Forgot a sandbox of a dead node');
      }
    }
  }

  /**
   * Ends a run its node cannot finish. The event log decides how: a `final` there means the client was told
   * the run succeeded (the node died after saying so), so it is recorded as succeeded; otherwise it is
   * interrupted and the log gets a terminal error, so a resuming client is not left waiting.
   */
  async interrupt(run: Run, message: string): Promise<boolean> {
    const { store, eventLog } = this.options;
    try {
      const logged = await this.#loggedEnding(run.id);
      const committed = await this.#committedUsage(run);
      const usage = logged.usage ?? {
        inputTokens: committed.tokens.inputTokens,
        outputTokens: committed.tokens.outputTokens,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: usdNumber(committed.costPico),
        costUsdExact: formatUsd(committed.costPico),
        steps: committed.steps,
      };
      const succeeded = logged.final;
      const ok = await store.runs.finish(run.id, run.fencingToken, {
        status: succeeded ? 'succeeded' : 'interrupted',
        errorCode: succeeded ? null : 'SANDBOX_LOST',
        errorMessage: succeeded ? null : message,
        usage: {
          steps: usage.steps,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
          cacheReadTokens: usage.cacheReadTokens,
          cacheWriteTokens: usage.cacheWriteTokens,
          costUsd: usage.costUsdExact,
        },
      });
      if (!ok) return false;
      if (!logged.done) {
        if (!succeeded && !logged.error) {
          await eventLog.append(run.id, {
            type: 'error',
            code: 'SANDBOX_LOST',
            message,
            severity: 'error',
            recoverable: true,
          });
        }
        if (!logged.usage) await eventLog.append(run.id, { type: 'usage', ...usage });
        await eventLog.complete(run.id);
      }
      this.#log.warn(
        { runId: run.id, node: run.nodeId, recordedAs: succeeded ? 'succeeded' : 'interrupted' },
        'Ended a run its node could not finish',
      );
      return true;
    } catch (err) {
      this.#log.error({ runId: run.id, reason: errorMessage(err) }, 'Could not end a stale run');
      return false;
    }
  }

  /** What the run's event log already says about its end (the log may be gone: embedded mode, expired). */
  async #loggedEnding(
    runId: string,
  ): Promise<{ final: boolean; error: boolean; usage: UsageEvent | undefined; done: boolean }> {
    const found = { final: false, error: false, usage: undefined as UsageEvent | undefined, done: false };
    let after = 0;
    for (;;) {
      const batch = await this.options.eventLog.read(runId, after, 1_000);
      if (!batch) return found;
      for (const logged of batch.events) {
        const event = parseLoggedEvent(logged);
        if (event.type === 'final') found.final = true;
        if (event.type === 'error') found.error = true;
        if (event.type === 'usage') found.usage = event;
        after = event.seq;
      }
      found.done = batch.done;
      if (batch.done || batch.events.length === 0) return found;
    }
  }

  /** What the run's committed assistant messages say it used (cache tokens are not recorded per message). */
  async #committedUsage(run: Run): Promise<{
    steps: number;
    tokens: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheWriteTokens: number };
    costPico: bigint;
  }> {
    const messages = (await this.options.store.messages.history(run.conversationId)).filter(
      (m) => m.runId === run.id && m.role === 'assistant',
    );
    const tokens = {
      inputTokens: messages.reduce((sum, m) => sum + m.inputTokens, 0),
      outputTokens: messages.reduce((sum, m) => sum + m.outputTokens, 0),
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    };
    const model = await this.options.store.models.get(run.modelId);
    return { steps: messages.length, tokens, costPico: model ? costPicoUsd(tokens, model) : 0n };
  }
}
