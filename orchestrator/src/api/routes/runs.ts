import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AgentdError, NotFoundError } from '../../common/errors.js';
import type { RunEventLog } from '../../coordination/run-event-log.js';
import type { RunSignals } from '../../coordination/run-signals.js';
import type { RunService } from '../../runs/run-service.js';
import type { Store } from '../../store/repositories.js';
import { headerValue } from '../access.js';
import {
  ConversationParams,
  ErrorSchema,
  MessageBody,
  QueryResponse,
  ResumeQuery,
  RunParams,
  RunSchema,
} from '../schemas.js';
import { runJson } from '../serializers.js';
import type { SseConnections } from '../sse-connections.js';
import { startSse, streamRunEvents } from '../sse-stream.js';

export interface RunRoutesOptions {
  runs: RunService;
  store: Store;
  eventLog: RunEventLog;
  heartbeatMs: number;
  /** Aborts at shutdown: open streams get `server_shutdown` and end. */
  shutdown: AbortSignal;
  connections: SseConnections;
  signals: RunSignals;
  /** The execution endpoints' shared rate limit, a preHandler hook (undefined = none). */
  rateLimit: ((request: FastifyRequest, reply: FastifyReply) => Promise<unknown>) | undefined;
}

const base = '/api/tenants/:tenantId/conversations/:conversationId';

export const runRoutes: FastifyPluginAsyncTypebox<RunRoutesOptions> = async (app, options) => {
  const { runs, store, eventLog } = options;
  const executionConfig = { access: 'tenant' as const };
  const executionLimit = options.rateLimit ? { preHandler: options.rateLimit } : {};
  const startRunFor = (
    request: FastifyRequest<{ Params: Static<typeof ConversationParams>; Body: Static<typeof MessageBody> }>,
  ) =>
    runs.startRun({
      ...request.params,
      message: request.body.message,
      userId: headerValue(request, 'x-user-id'),
    });

  app.post(
    `${base}/stream`,
    {
      schema: {
        params: ConversationParams,
        body: MessageBody,
        tags: ['runs'],
        summary: 'Run one agent turn and stream its events (SSE)',
      },
      config: executionConfig,
      ...executionLimit,
    },
    async (request, reply) => {
      const run = await startRunFor(request);
      runs.attach(run.id);
      const unwatch = options.signals.watch(run.id);
      const res = startSse(reply, options.connections, { 'x-request-id': request.id, 'x-run-id': run.id });
      try {
        await streamRunEvents({
          res,
          eventLog,
          runId: run.id,
          afterSeq: 0,
          heartbeatMs: options.heartbeatMs,
          stop: options.shutdown,
        });
      } finally {
        unwatch();
        runs.detach(run.id);
      }
    },
  );

  app.post(
    `${base}/query`,
    {
      schema: {
        params: ConversationParams,
        body: MessageBody,
        response: { 200: QueryResponse, '4xx': ErrorSchema, '5xx': ErrorSchema },
        tags: ['runs'],
        summary: 'Run one agent turn and return its final answer and usage',
      },
      config: executionConfig,
      ...executionLimit,
    },
    async (request, reply) => {
      const run = await startRunFor(request);
      runs.attach(run.id);
      // A caller that hangs up is a disconnect like any other: the run waits out the grace period, then stops.
      reply.raw.once('close', () => runs.detach(run.id));
      const done = runs.result(run.id);
      if (!done) throw new AgentdError('INTERNAL_ERROR', `run ${run.id} has no result`);
      const result = await done;
      if (result.outcome.kind !== 'succeeded' || result.final === null) {
        const code =
          result.outcome.kind === 'succeeded'
            ? 'INTERNAL_ERROR'
            : result.outcome.kind === 'interrupted'
              ? 'RUN_CANCELLED'
              : result.outcome.code;
        const message = result.outcome.kind === 'succeeded' ? 'no final answer' : result.outcome.message;
        throw new AgentdError(code, message, { details: { runId: run.id, usage: result.usage } });
      }
      return { runId: run.id, final: result.final, usage: result.usage };
    },
  );

  app.get(
    `${base}/runs/:runId`,
    {
      schema: {
        params: RunParams,
        response: { 200: RunSchema },
        tags: ['runs'],
        summary: 'One run: status, outcome, usage',
      },
      config: { access: 'tenant' },
    },
    async (request) => {
      const { tenantId, conversationId, runId } = request.params;
      const run = await store.runs.get(tenantId, runId);
      if (!run || run.conversationId !== conversationId) throw new NotFoundError('run', runId);
      return runJson(run);
    },
  );

  app.get(
    `${base}/runs/:runId/events`,
    {
      schema: {
        params: RunParams,
        querystring: ResumeQuery,
        tags: ['runs'],
        summary: 'Resume a run’s event stream after Last-Event-ID',
      },
      config: { access: 'tenant' },
    },
    async (request, reply) => {
      const { tenantId, conversationId, runId } = request.params;
      const run = await store.runs.get(tenantId, runId);
      if (!run || run.conversationId !== conversationId) throw new NotFoundError('run', runId);
      const lastEventId = request.headers['last-event-id'] ?? request.query.lastEventId ?? '0';
      const afterSeq =
        typeof lastEventId === 'string' && /^[0-9]{1,12}$/.test(lastEventId)
          ? Number(lastEventId)
          : Number.NaN;
      if (!Number.isSafeInteger(afterSeq))
        throw new AgentdError('VALIDATION_FAILED', 'Last-Event-ID must be an event sequence number');
      const log = await eventLog.read(runId, afterSeq, 0);
      if (!log) throw new NotFoundError('run events', `${runId} (past the retention window)`);
      // A node that died between recording the run's end and closing its log leaves the log open: close it.
      if (run.status !== 'running' && run.status !== 'queued' && !runs.get(runId))
        await eventLog.complete(runId);
      runs.attach(runId);
      const unwatch = options.signals.watch(runId);
      const res = startSse(reply, options.connections, { 'x-request-id': request.id, 'x-run-id': runId });
      try {
        await streamRunEvents({
          res,
          eventLog,
          runId,
          afterSeq,
          heartbeatMs: options.heartbeatMs,
          stop: options.shutdown,
        });
      } finally {
        unwatch();
        runs.detach(runId);
      }
    },
  );

  app.post(
    `${base}/runs/:runId/cancel`,
    {
      schema: { params: RunParams, tags: ['runs'], summary: 'Cancel a run (from any node)' },
      config: { access: 'tenant' },
    },
    async (request, reply) => {
      const { tenantId, conversationId, runId } = request.params;
      const run = await store.runs.get(tenantId, runId);
      if (!run || run.conversationId !== conversationId) throw new NotFoundError('run', runId);
      // The run may execute on another node: the request is forwarded there.
      if (run.status === 'running') {
        await runs.requestCancel(runId, run.nodeId);
        return reply.status(202).send({ runId, status: 'cancelling' });
      }
      return { runId, status: run.status };
    },
  );
};
