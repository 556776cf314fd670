import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Static } from 'typebox';
import { AgentdError } from '../../common/errors.js';
import type { FeedItem, RunCaller, RunStreamService } from '../../runs/run-stream-service.js';
import { headerValue, principalOf } from '../access.js';
import { EndedResponse, EventStreamResponse } from '../event-schemas.js';
import { rateLimitHeaders } from '../rate-limit-headers.js';
import {
  CancelResponse,
  ConversationParams,
  ErrorSchema,
  MessageBody,
  QueryResponse,
  ResumeHeaders,
  ResumeQuery,
  RunParams,
  RunSchema,
} from '../schemas.js';
import { runJson } from '../serializers.js';
import type { SseConnections } from '../sse-connections.js';
import { startJson, startSse, streamRunEvents } from '../sse-stream.js';

export interface RunRoutesOptions {
  streams: RunStreamService;
  heartbeatMs: number;
  /** The `retry:` each stream starts with (an EventSource's reconnect delay). */
  retryMs: number;
  /** Aborts at shutdown: open streams get `server_shutdown` and end. */
  shutdown: AbortSignal;
  connections: SseConnections;
}

const base = '/api/tenants/:tenantId/conversations/:conversationId';

export const runRoutes: FastifyPluginAsyncTypebox<RunRoutesOptions> = async (app, options) => {
  const { streams } = options;
  const config = { access: 'tenant' as const };
  const caller = (request: FastifyRequest): RunCaller => {
    const principal = principalOf(request);
    return { id: principal.keyId, tenantId: principal.tenantId };
  };
  const startRequest = (
    request: FastifyRequest<{ Params: Static<typeof ConversationParams>; Body: Static<typeof MessageBody> }>,
  ) => ({ ...request.params, message: request.body.message, userId: headerValue(request, 'x-user-id') });
  /** Streams a run's feed over SSE until it ends, the client leaves or the node stops. */
  const sse = async (
    request: FastifyRequest,
    reply: FastifyReply,
    stream: { runId: string; afterSeq: number; feed: AsyncGenerator<FeedItem>; closed: AbortController },
    headers: Record<string, string> = {},
  ): Promise<void> => {
    const res = startSse(reply, options.connections, {
      ...headers,
      'x-request-id': request.id,
      'x-run-id': stream.runId,
    });
    await streamRunEvents({
      ...stream,
      res,
      stop: options.shutdown,
      heartbeatMs: options.heartbeatMs,
      retryMs: options.retryMs,
    });
  };

  app.post(
    `${base}/stream`,
    {
      schema: {
        params: ConversationParams,
        body: MessageBody,
        response: { 200: EventStreamResponse, '4xx': ErrorSchema, '5xx': ErrorSchema },
        tags: ['runs'],
        summary: 'Run one agent turn and stream its events (SSE)',
      },
      config,
    },
    async (request, reply) => {
      const { runId, quota } = await streams.start(caller(request), startRequest(request));
      const closed = new AbortController();
      const feed = streams.follow(runId, 0, { closed: closed.signal, stop: options.shutdown });
      await sse(request, reply, { runId, afterSeq: 0, feed, closed }, rateLimitHeaders(quota));
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
      config,
    },
    async (request, reply) => {
      const closed = new AbortController();
      reply.raw.once('close', () => closed.abort());
      const { started, answer } = await streams.query(caller(request), startRequest(request), closed.signal);
      // Refusals were answered above with their own status; from here the run exists, so the caller gets its
      // id at once (to cancel or follow it) and the outcome in the body.
      const res = startJson(reply, {
        ...rateLimitHeaders(started.quota),
        'x-request-id': request.id,
        'x-run-id': started.runId,
      });
      const body = JSON.stringify(await answer);
      if (!res.destroyed) res.end(body);
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
      config,
    },
    async (request) => runJson(await streams.get(request.params)),
  );

  app.get(
    `${base}/runs/:runId/events`,
    {
      schema: {
        params: RunParams,
        querystring: ResumeQuery,
        // Browsers' EventSource cannot send headers: a run ticket in the URL is accepted here (and only here).
        security: [{ apiKey: [] }, { bearer: [] }, { ticket: [] }],
        headers: ResumeHeaders,
        response: {
          200: EventStreamResponse,
          204: EndedResponse,
          '4xx': ErrorSchema,
          '5xx': ErrorSchema,
        },
        tags: ['runs'],
        summary: 'Resume a run’s event stream after Last-Event-ID',
      },
      config: { ...config, ticket: 'run' },
    },
    async (request, reply) => {
      const lastEventId = request.headers['last-event-id'] ?? request.query.lastEventId ?? '0';
      const afterSeq =
        typeof lastEventId === 'string' && /^[0-9]{1,12}$/.test(lastEventId)
          ? Number(lastEventId)
          : Number.NaN;
      if (!Number.isSafeInteger(afterSeq))
        throw new AgentdError('VALIDATION_FAILED', 'Last-Event-ID must be an event sequence number');
      const { runId } = request.params;
      const closed = new AbortController();
      const attached = await streams.attach(request.params, afterSeq, {
        closed: closed.signal,
        stop: options.shutdown,
      });
      // An EventSource stops reconnecting only on 204: it is told so once it has the run's last event.
      if (attached.kind === 'ended') return reply.code(204).header('x-run-id', runId).send(null);
      await sse(request, reply, { runId, afterSeq, feed: attached.feed, closed });
    },
  );

  app.post(
    `${base}/runs/:runId/cancel`,
    {
      schema: {
        params: RunParams,
        response: { 200: CancelResponse, 202: CancelResponse },
        tags: ['runs'],
        summary: 'Cancel a run (from any node)',
      },
      config,
    },
    async (request, reply) => {
      const result = await streams.cancel(request.params);
      return result.status === 'cancelling' ? reply.status(202).send(result) : result;
    },
  );
};
