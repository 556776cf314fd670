import type { ServerResponse } from 'node:http';
import type {
  ContentBlock,
  ConversationMessage,
  ConverseStreamRequest,
  ModelStreamChunk,
  StopReason,
  ToolName,
} from '@agentd/sandbox-runner/protocol';
import { AgentdError, ERROR_CODES, errorMessage, isAgentdError, type ErrorCode } from '../common/errors.js';
import { relayTurns } from '../common/event-loop-turns.js';
import { TextBuilder } from '../common/text-builder.js';
import type { Logger } from '../common/logger.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ModelProvider, ModelUsage, ToolSpec } from '../model/model-provider.js';
import { costPicoUsd } from '../model/pricing.js';
import { TOOL_SPECS } from '../model/tool-specs.js';
import type { Store } from '../store/repositories.js';
import type { ActiveRun } from './active-run.js';
import type { RunTools } from './run-tools.js';
import { ModelEventEmitter, type DeltaCoalescing, type ModelStreamEvent } from './model-event-emitter.js';
import { RunnerDeltaBatch } from './runner-delta-batch.js';
import { acceptRunnerMessages } from './runner-messages.js';
import { writeChunk } from './runner-chunk-write.js';

export interface ModelGatewayOptions {
  providers: ReadonlyMap<string, ModelProvider>;
  store: Store;
  /**
   * Appends one of the model's own events (step_start, text, thinking, tool_call) to the run's event log;
   * returns nothing when the event is in the log on return.
   */
  emit: (run: ActiveRun, event: ModelStreamEvent) => Promise<void> | undefined;
  coalescing?: DeltaCoalescing;
  logger: Logger;
  metrics: Metrics;
  /** Tools beyond the built-ins (MCP servers); absent, a run has the built-ins only. */
  tools?: RunTools;
}

/** 16 KiB or 25 ms: few events for a fast model, no visible lag for a slow one. */
const DEFAULT_COALESCING: DeltaCoalescing = { maxChars: 16 * 1024, maxDelayMs: 25 };
/** How long a model call waits for the runner's end of the previous step before it goes on regardless. */
const STEP_END_WAIT_MS = 5_000;
/**
 * The runner's copy of the model's deltas (not what clients see) goes out in chunks of this much text, or
 * this long after the first delta held at the latest.
 */
const RUNNER_DELTA_BYTES = 64 * 1024;
const RUNNER_DELTA_DELAY_MS = 1_000;
const TOOL_NAMES: ReadonlySet<string> = new Set(TOOL_SPECS.map((t) => t.name));

/** Where one model call's chunks go: the runner's NDJSON response, or agentd itself for a chat. */
type ChunkSink = (chunk: ModelStreamChunk) => Promise<void>;

/** How a model call agentd made itself ended. */
export type DirectCallEnding =
  { kind: 'stop'; stopReason: StopReason } | { kind: 'error'; code: ErrorCode; message: string };

/**
 * The model gateway: the only way a sandbox reaches a model. agentd chooses the model, system prompt and tool
 * definitions, counts steps and tokens from the provider's own metadata, and keeps the authoritative copy of
 * the run's conversation (the runner may only append the tool results the last turn asked for). It emits the
 * model's own events itself, so a fast model is never mistaken for a runner flooding agentd.
 */
export class ModelGateway {
  readonly #log: Logger;

  constructor(private readonly options: ModelGatewayOptions) {
    this.#log = options.logger.child({ component: 'model-gateway' });
  }

  async handle(
    run: ActiveRun,
    request: ConverseStreamRequest,
    res: ServerResponse,
    closed: AbortSignal,
  ): Promise<void> {
    run.beginModelCall();
    let appended;
    try {
      appended = acceptRunnerMessages(run.transcript, request.messages);
    } catch (err) {
      run.endModelCall();
      throw err;
    }
    try {
      if (appended) await this.#persist(run, [appended]);
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache' });
      const sink: ChunkSink = (chunk) => writeChunk(res, chunk, closed);
      if (!run.takeStep()) {
        await sink({ type: 'error', code: 'STEP_LIMIT', message: stepLimitMessage(run) });
        return;
      }
      await this.#afterPreviousStep(run, closed);
      await this.#converse(run, sink, closed);
    } catch (err) {
      if (!res.headersSent) throw err;
      // The status went out with the headers: the failure (a database that timed out while the turn was
      // stored, a newer run taking over) must reach the runner as the stream's last chunk, or it reads a
      // bare end as a protocol error and the real cause is lost.
      // An unexpected error's text stays in agentd's log: the sandbox is not trusted with it.
      const chunk = isAgentdError(err)
        ? { type: 'error' as const, code: err.code, message: err.message }
        : { type: 'error' as const, code: 'INTERNAL_ERROR', message: 'agentd failed during the model call' };
      if (!isAgentdError(err)) this.#log.error({ err, runId: run.id }, 'Model call failed unexpectedly');
      await writeChunk(res, chunk, closed).catch(() => undefined);
    } finally {
      run.endModelCall();
      if (!res.writableEnded) res.end();
    }
  }

  /**
   * The previous step's tool results and end come on the runner's event stream, another connection: wait for
   * them (bounded) so this step's `step_start` follows them in the event log.
   */
  async #afterPreviousStep(run: ActiveRun, closed: AbortSignal): Promise<void> {
    const previous = run.steps - 1;
    if (previous < 1) return;
    const signal = AbortSignal.any([run.signal, closed]);
    if (await run.stepOrder.until(previous, STEP_END_WAIT_MS, signal)) return;
    if (!signal.aborted)
      this.#log.warn(
        { runId: run.id, step: run.steps },
        'The runner asked for the next model call without ending the previous step',
      );
  }

  /**
   * One model call agentd makes itself, for a run without a runner (a chat): the same events, usage and
   * stored messages as a runner's call, with no tools offered.
   */
  async converseDirect(run: ActiveRun): Promise<DirectCallEnding> {
    run.beginModelCall();
    try {
      if (!run.takeStep()) return { kind: 'error', code: 'STEP_LIMIT', message: stepLimitMessage(run) };
      let ending: DirectCallEnding | undefined;
      await this.#converse(
        run,
        async (chunk) => {
          if (chunk.type === 'stop') ending = { kind: 'stop', stopReason: chunk.stopReason };
          if (chunk.type === 'error')
            ending = { kind: 'error', code: errorCode(chunk.code), message: chunk.message };
        },
        run.signal,
      );
      return (
        ending ?? { kind: 'error', code: 'INTERNAL_ERROR', message: 'the model call ended without a result' }
      );
    } finally {
      run.endModelCall();
    }
  }

  async #converse(run: ActiveRun, sink: ChunkSink, closed: AbortSignal): Promise<void> {
    const provider = this.options.providers.get(run.model.provider);
    if (!provider) throw new AgentdError('MODEL_ERROR', `no provider ${run.model.provider} is configured`);
    const signal = AbortSignal.any([run.signal, closed]);
    const events = new ModelEventEmitter(
      (event) => this.#emit(run, event),
      this.options.coalescing ?? DEFAULT_COALESCING,
    );
    await events.event({ type: 'step_start', step: run.steps });
    const thinking = new TextBuilder();
    let signature: string | undefined;
    const text = new TextBuilder();
    const toolUses: ContentBlock[] = [];
    let stopReason: StopReason | undefined;
    let usage: ModelUsage | undefined;
    // A chat offers no tools at all: neither the built-ins nor the tenant's MCP servers.
    const chat = run.conversation.kind === 'chat';
    const extraTools = chat ? undefined : this.options.tools;
    extraTools?.beginTurn(run);
    const extraSpecs = extraTools ? await extraTools.specsFor(run) : [];
    const started = performance.now();
    const tools: ToolSpec[] = chat ? [] : [...TOOL_SPECS, ...extraSpecs];
    let handled = 0;
    const toRunner = new RunnerDeltaBatch(sink, RUNNER_DELTA_DELAY_MS, RUNNER_DELTA_BYTES);
    try {
      for await (const event of provider.converseStream({
        modelId: run.model.bedrockModelId ?? run.model.id,
        system: run.systemPrompt,
        messages: [...run.transcript.messages],
        tools,
        maxOutputTokens: run.model.maxOutputTokens,
        signal,
      })) {
        switch (event.type) {
          // Awaited only when there is something to wait for (backpressure): most deltas are only held.
          case 'text': {
            text.add(event.delta);
            const emitted = events.delta('text', event.delta);
            if (emitted) await emitted;
            const sent = toRunner.add('text', event.delta);
            if (sent) await sent;
            break;
          }
          case 'thinking': {
            thinking.add(event.delta);
            if (event.signature !== undefined) signature = event.signature;
            const emitted = events.delta('thinking', event.delta);
            if (emitted) await emitted;
            const sent = event.delta === '' ? undefined : toRunner.add('thinking', event.delta);
            if (sent) await sent;
            break;
          }
          case 'tool_use': {
            // A chat offers no tools: a provider that asks for one anyway ends the turn, nothing is run.
            if (tools.length === 0)
              throw new AgentdError(
                'MODEL_ERROR',
                `the model asked for tool "${event.name}", but this conversation offers no tools`,
              );
            toolUses.push({ toolUse: { toolUseId: event.toolUseId, name: event.name, input: event.input } });
            // Recorded before the runner hears of it: agentd executes only the tool uses it produced itself.
            const extra = extraTools?.knows(run, event.name) === true;
            if (extra) extraTools.recordToolUse(run, event);
            // Clients see only the contract's tool names (and the run's MCP tools); an unknown one still gets an error result.
            if (TOOL_NAMES.has(event.name) || extra) {
              await events.event({
                type: 'tool_call',
                id: event.toolUseId,
                toolUseId: event.toolUseId,
                // An MCP tool's name is not a ToolName; the event schema takes any string.
                name: event.name as ToolName,
                input: event.input,
              });
            }
            await toRunner.flush();
            await sink({
              type: 'tool_use',
              toolUseId: event.toolUseId,
              name: event.name,
              input: event.input,
            });
            break;
          }
          case 'stop':
            stopReason = event.stopReason;
            break;
          case 'usage':
            usage = event.usage;
            break;
        }
        // A fast model resolves every await at once: yield so other streams, timers and requests get turns.
        if (relayTurns.due(++handled)) {
          handled = 0;
          await relayTurns.yieldTurn();
        }
      }
      await toRunner.flush();
    } catch (err) {
      const code = isAgentdError(err) ? err.code : 'MODEL_ERROR';
      // What the model said before failing is shown, before the runner learns of the failure.
      await events
        .flush()
        .catch((e: unknown) => this.#log.warn({ err: e, runId: run.id }, 'Lost model events'));
      if (!isAgentdError(err)) this.#log.error({ err, runId: run.id }, 'Model provider failed unexpectedly');
      // The runner gets what the model said before the failure, then the failure.
      await toRunner.flush().catch(() => undefined);
      await sink({ type: 'error', code, message: errorMessage(err) }).catch(() => undefined);
      this.options.metrics.modelCalls.inc({ provider: provider.name, result: 'error' });
      return;
    } finally {
      toRunner.close();
      // Usage is charged whenever the provider reported it, even if the stream failed afterwards.
      if (usage) {
        const cost = costPicoUsd(usage, run.model);
        run.recordUsage(usage, cost);
        this.options.metrics.modelTokens.inc({ provider: provider.name, kind: 'input' }, usage.inputTokens);
        this.options.metrics.modelTokens.inc({ provider: provider.name, kind: 'output' }, usage.outputTokens);
      }
    }
    this.options.metrics.modelCalls.inc({ provider: provider.name, result: 'ok' });
    this.options.metrics.modelCallSeconds.observe(
      { provider: provider.name },
      (performance.now() - started) / 1000,
    );
    const content: ContentBlock[] = [];
    if (!thinking.empty) {
      content.push({
        reasoningContent: {
          reasoningText: { text: thinking.toString(), ...(signature ? { signature } : {}) },
        },
      });
    }
    if (!text.empty) content.push({ text: text.toString() });
    content.push(...toolUses);
    const assistant: ConversationMessage = { role: 'assistant', content };
    const reason = stopReason ?? 'end_turn';
    run.transcript.recordTurn(assistant, { usage, stopReason: reason });
    await this.#persist(run, [assistant], usage);
    // Every event of this call is in the log before the runner can answer it (tool_result, step_complete).
    await events.flush();
    await sink({ type: 'stop', stopReason: reason });
  }

  /** A run that is already finishing has emitted its `final` or `error`: nothing may follow it. */
  #emit(run: ActiveRun, event: ModelStreamEvent): Promise<void> | undefined {
    if (run.phase === 'finishing' || run.phase === 'ended') return undefined;
    return this.options.emit(run, event);
  }

  async #persist(run: ActiveRun, messages: ConversationMessage[], usage?: ModelUsage): Promise<void> {
    const ok = await this.options.store.runs.appendMessages(
      run.id,
      run.fencingToken,
      messages.map((m) => ({
        role: m.role,
        content: m.content,
        inputTokens: usage?.inputTokens ?? 0,
        outputTokens: usage?.outputTokens ?? 0,
      })),
    );
    if (!ok) {
      run.stop({
        kind: 'failed',
        code: 'CONVERSATION_BUSY',
        message: 'a newer run took over this conversation',
      });
      throw new AgentdError('CONVERSATION_BUSY', 'a newer run took over this conversation');
    }
  }
}

/** A chat gets no tools (it has no sandbox to run them in). */

/** A chat's own system prompt replaces the tenant's. */
function stepLimitMessage(run: ActiveRun): string {
  return `the run reached its limit of ${run.limits.maxSteps} model calls`;
}

function errorCode(code: string): ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code) ? (code as ErrorCode) : 'MODEL_ERROR';
}
