import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RunnerEvent } from '@agentd/sandbox-runner/protocol';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import { readJson } from '../callhome/read-body.js';
import { AgentdError, ERROR_CODES, errorMessage, type ErrorCode } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { TokenBucket } from '../common/token-bucket.js';
import { compiledValidator, validate } from '../common/validate.js';
import type { ActiveRun } from './active-run.js';
import type { ModelGateway } from './model-gateway.js';
import { enrichRunnerEvent } from './enrich-runner-event.js';
import type { RelayedRunnerEvent } from './run-events.js';
import { ConverseStreamRequestSchema, RunnerEventSchema } from '../protocol/run-schemas.js';
import { SseParser } from './sse-parser.js';

export interface RunnerLimits {
  /** One SSE event from the runner. */
  maxEventBytes: number;
  /** Events and bytes one run may send in total. */
  maxEventsPerRun: number;
  maxBytesPerRun: number;
  /** Sustained events per second (with a burst of `eventBurst`) before it counts as a flood. */
  eventsPerSecond: number;
  eventBurst: number;
  /** One converse-stream request body (the whole conversation). */
  maxConverseBytes: number;
  controlPollMs: number;
}

export interface RunnerBridgeOptions {
  callHome: CallHomeServer;
  gateway: ModelGateway;
  /** The run `runId` if it is active on this node AND runs in the sandbox the request came from. */
  findRun: (runId: string, sandboxId: string) => ActiveRun | undefined;
  /** Relays one validated runner event to the run's event log. */
  relay: (run: ActiveRun, event: RelayedRunnerEvent) => Promise<void> | undefined;
  limits: RunnerLimits;
  logger: Logger;
}

/**
 * The run side of the call-home protocol: the runner's event stream, its cancel poll and its model calls.
 * The socket a request arrives on identifies the sandbox, so a sandbox can only speak for its own run. The
 * runner's limits (count, rate, bytes) bound what it originates: tool results, step ends and its ending.
 */
export class RunnerBridge {
  readonly #log: Logger;

  constructor(private readonly options: RunnerBridgeOptions) {
    this.#log = options.logger.child({ component: 'runner-bridge' });
    const { callHome } = options;
    callHome.route('POST', '/v1/runs/:runId/events', async ({ channel, req, res, params }) => {
      const run = this.#run(params.runId ?? '', channel.sandboxId);
      if (!run.openEventStream())
        throw new AgentdError('RUNNER_PROTOCOL_ERROR', 'the run already has an event stream');
      try {
        await this.#consume(run, req);
        res.writeHead(204).end();
      } catch (err) {
        // A broken stream ends the run: agentd tells the runner to stop, and kills it if it does not.
        run.runnerBrokeProtocol(errorMessage(err));
        throw err;
      }
    });
    callHome.route('GET', '/v1/runs/:runId/control', async ({ channel, res, params }) => {
      const run = this.#run(params.runId ?? '', channel.sandboxId);
      const signal = await run.waitForControl(options.limits.controlPollMs, closedSignal(res));
      if (res.writableEnded || res.destroyed) return;
      if (!signal) {
        res.writeHead(204).end();
        return;
      }
      const body = JSON.stringify(signal);
      res
        .writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
        .end(body);
    });
    callHome.route('POST', '/v1/model/converse-stream', async ({ channel, req, res }) => {
      const body = await readJson(req, options.limits.maxConverseBytes, 60_000);
      const request = validate(ConverseStreamRequestSchema, body, 'converse-stream request');
      const run = this.#run(request.runId, channel.sandboxId);
      await options.gateway.handle(run, request, res, closedSignal(res));
    });
  }

  #run(runId: string, sandboxId: string): ActiveRun {
    const run = this.options.findRun(runId, sandboxId);
    if (!run) throw new AgentdError('NOT_FOUND', `no active run ${runId} in this sandbox`);
    return run;
  }

  async #consume(run: ActiveRun, req: IncomingMessage): Promise<void> {
    const { limits } = this.options;
    const parser = new SseParser(limits.maxEventBytes);
    const bucket = new TokenBucket(limits.eventBurst, limits.eventsPerSecond);
    let events = 0;
    let bytes = 0;
    const handle = async (data: string): Promise<void> => {
      if (run.runnerEnding)
        throw new AgentdError('RUNNER_PROTOCOL_ERROR', 'event after the run’s final event');
      let json: unknown;
      try {
        json = JSON.parse(data);
      } catch {
        throw new AgentdError('RUNNER_PROTOCOL_ERROR', 'runner event is not JSON');
      }
      // Fields agentd owns (runId, seq, timestamp) are dropped before validation: the runner's values never count.
      if (typeof json === 'object' && json !== null) {
        const { runId: _r, seq: _s, timestamp: _t, ...rest } = json as Record<string, unknown>;
        json = rest;
      }
      const event: RunnerEvent = checkRunnerEvent(json);
      // The gateway emits the model's own events; a runner's copies are neither relayed nor counted.
      if (GATEWAY_EVENT_TYPES.has(event.type)) return;
      events += 1;
      if (events > limits.maxEventsPerRun)
        throw new AgentdError('RUNNER_PROTOCOL_ERROR', `more than ${limits.maxEventsPerRun} events`);
      if (!bucket.take())
        throw new AgentdError(
          'RUNNER_PROTOCOL_ERROR',
          `event flood: over ${limits.eventsPerSecond} events per second`,
        );
      await this.#dispatch(run, event);
    };
    let sinceYield = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (bytes > limits.maxBytesPerRun)
        throw new AgentdError('RUNNER_PROTOCOL_ERROR', `more than ${limits.maxBytesPerRun} bytes of events`);
      for (const data of parser.push(chunk)) {
        await handle(data);
        if (++sinceYield >= EVENTS_PER_TURN) {
          sinceYield = 0;
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    }
    for (const data of parser.end()) await handle(data);
    if (!run.runnerEnding)
      throw new AgentdError('RUNNER_PROTOCOL_ERROR', 'event stream ended without a final or error event');
  }

  async #dispatch(run: ActiveRun, event: RunnerEvent): Promise<void> {
    switch (event.type) {
      case 'final':
        run.endRunner({ kind: 'final' });
        return;
      case 'error': {
        const code = (ERROR_CODES as readonly string[]).includes(event.code)
          ? (event.code as ErrorCode)
          : 'INTERNAL_ERROR';
        this.#log.debug(
          { runId: run.id, code: event.code, message: event.message },
          'Runner reported an error',
        );
        run.endRunner({ kind: 'error', code, message: event.message });
        return;
      }
      case 'tool_result':
        await this.options.relay(run, enrichRunnerEvent(run, event));
        return;
      case 'step_complete':
        await this.options.relay(run, enrichRunnerEvent(run, event));
        run.stepOrder.complete(event.step);
        return;
      case 'step_start':
      case 'text':
      case 'thinking':
      case 'tool_call':
        return;
    }
  }
}

const checkRunnerEvent = compiledValidator(RunnerEventSchema, 'runner event');
/** Event types agentd takes from the model gateway's own stream, never from the runner (older runners send them). */
const GATEWAY_EVENT_TYPES: ReadonlySet<RunnerEvent['type']> = new Set([
  'step_start',
  'text',
  'thinking',
  'tool_call',
]);
/** Events handled before giving the event loop a turn: one busy runner must not stall every other client. */
const EVENTS_PER_TURN = 64;

/**
 * Aborts when the runner goes away before agentd finished answering. (A request's own 'close' event fires as
 * soon as its body is consumed, so the response's is the one that tells.)
 */
function closedSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return controller.signal;
}
