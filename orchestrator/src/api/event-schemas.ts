import Type, { type TProperties } from 'typebox';
import { ERROR_CODES } from '../common/errors.js';

/**
 * The run events as clients receive them (SSE `data:`, WebSocket messages), for the OpenAPI document
 * (docs/architecture.md: events). The types live in runs/run-events.ts; these schemas describe them.
 */

const Common = {
  runId: Type.String(),
  seq: Type.Integer({ minimum: 1, description: 'Per-run sequence number, also the SSE `id:`' }),
  timestamp: Type.String({ format: 'date-time' }),
};

function event<T extends string, P extends TProperties>(type: T, properties: P, description: string) {
  return Type.Object(
    { type: Type.Literal(type), ...Common, ...properties },
    { title: type, description, additionalProperties: true },
  );
}

const Severity = Type.Union([Type.Literal('warning'), Type.Literal('error'), Type.Literal('critical')]);

const StepUsage = Type.Object({
  inputTokens: Type.Integer(),
  outputTokens: Type.Integer(),
  cacheReadTokens: Type.Optional(Type.Integer()),
  cacheWriteTokens: Type.Optional(Type.Integer()),
});

export const RunEventSchemas = [
  event(
    'run_start',
    { conversationId: Type.String(), modelId: Type.String() },
    'The run was accepted; first event of every run',
  ),
  event(
    'allocating',
    { source: Type.Union([Type.Literal('pool'), Type.Literal('reuse'), Type.Literal('cold')]) },
    'Lock held and capacity reserved; where the sandbox comes from (sent before it is ready)',
  ),
  event('step_start', { step: Type.Integer({ minimum: 1 }) }, 'A model call begins'),
  event('text', { delta: Type.String() }, 'A piece of the model’s answer'),
  event('thinking', { delta: Type.String() }, 'A piece of the model’s reasoning'),
  event(
    'tool_call',
    {
      id: Type.String({ description: 'The tool use (on WebSocket: the message id; read toolUseId)' }),
      toolUseId: Type.String(),
      name: Type.String(),
      input: Type.Unknown(),
    },
    'The model asked for a tool',
  ),
  event(
    'tool_result',
    {
      id: Type.String({
        description: 'The tool use answered (on WebSocket: the message id; read toolUseId)',
      }),
      toolUseId: Type.String(),
      name: Type.String({ description: 'The tool that ran' }),
      output: Type.String(),
      isError: Type.Boolean(),
      truncated: Type.Boolean(),
    },
    'A tool’s output',
  ),
  event(
    'step_complete',
    {
      step: Type.Integer({ minimum: 1 }),
      durationMs: Type.Number(),
      usage: Type.Optional(StepUsage),
      stopReason: Type.Optional(Type.String()),
    },
    'A model call ended',
  ),
  event(
    'final',
    {
      content: Type.String({ description: 'The whole turn’s text, up to the configured cap' }),
      truncated: Type.Optional(Type.Boolean()),
    },
    'The answer (after the workspace is saved)',
  ),
  event(
    'usage',
    {
      inputTokens: Type.Integer(),
      outputTokens: Type.Integer(),
      cacheReadTokens: Type.Integer(),
      cacheWriteTokens: Type.Integer(),
      costUsd: Type.Number(),
      costUsdExact: Type.String({ description: 'Exact decimal USD' }),
      steps: Type.Integer(),
    },
    'Tokens and cost of the run, from the model gateway; last event',
  ),
  Type.Object(
    {
      type: Type.Literal('error'),
      runId: Type.String(),
      seq: Type.Optional(Common.seq),
      timestamp: Common.timestamp,
      code: Type.Union(ERROR_CODES.map((code) => Type.Literal(code))),
      message: Type.String(),
      severity: Severity,
      recoverable: Type.Boolean(),
      firstSeq: Type.Optional(
        Type.Integer({ description: 'STREAM_LAGGED: the oldest retained event; resume after firstSeq - 1' }),
      ),
      missed: Type.Optional(Type.Integer({ description: 'STREAM_LAGGED: events this client lost' })),
    },
    {
      title: 'error',
      description:
        'A run’s error (with `seq`) or a stream’s (no `seq`: STREAM_LAGGED, NOT_FOUND when the events expired); `id:` is where a resume starts',
      additionalProperties: true,
    },
  ),
  event(
    'warning',
    {
      code: Type.String(),
      message: Type.String(),
      limit: Type.Optional(
        Type.Union(
          ['pids', 'memory', 'cpu', 'workspace'].map((l) => Type.Literal(l)),
          {
            description: 'SANDBOX_LIMIT: the limit the sandbox reached',
          },
        ),
      ),
      current: Type.Optional(
        Type.Number({ description: 'SANDBOX_LIMIT: the value read when it was reached' }),
      ),
      max: Type.Optional(Type.Number({ description: 'SANDBOX_LIMIT: the limit' })),
    },
    'Something the client should know; the run goes on (SANDBOX_LIMIT: once per limit per run)',
  ),
  event(
    'egress',
    {
      connections: Type.Integer({ description: 'egress connections opened' }),
      denied: Type.Integer({ description: 'egress connection attempts refused' }),
      bytesIn: Type.Integer({ description: 'bytes received from the internet' }),
      bytesOut: Type.Integer({ description: 'bytes sent to the internet' }),
    },
    'What the run’s egress connections did: after the workspace sync-out, before `final` (only when the sandbox had egress)',
  ),
  Type.Object(
    {
      type: Type.Literal('server_shutdown'),
      runId: Type.String(),
      message: Type.String(),
    },
    {
      title: 'server_shutdown',
      description: 'This node stops: resume with Last-Event-ID (not in the run’s log)',
      additionalProperties: true,
    },
  ),
];

/** One SSE `data:` object. */
export const RunEventSchema = Type.Union(RunEventSchemas, {
  description:
    'Each SSE event is `id: <seq>` and `data: <one of these JSON objects>`; a stream starts with `retry: <ms>`, sends `: ping` comments and ends with `: done`.',
});

/** The response content of the SSE routes. */
export const EventStreamResponse = {
  description: 'A `text/event-stream` of run events',
  content: { 'text/event-stream': { schema: RunEventSchema } },
};

/** The resume route's answer when the run has ended and the client has its last event. */
export const EndedResponse = Type.Null({
  description: 'The run has ended and Last-Event-ID is at or past its last event: nothing more will come',
});
