import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import { Value } from 'typebox/value';
import { ValidationError } from '../../common/errors.js';
import type { ConversationService } from '../../controlplane/conversation-service.js';
import type { Session, SessionService } from '../../controlplane/session-service.js';
import type { RunCaller } from '../../runs/run-stream-service.js';
import { callerTenant, headerValue, principalOf } from '../access.js';
import { auditContext } from '../audit-context.js';
import { EventStreamResponse } from '../event-schemas.js';
import { rateLimitHeaders } from '../rate-limit-headers.js';
import { streamStartedRun, type RunSseOptions } from '../run-sse.js';
import { ErrorSchema, page, PageQuery } from '../schemas.js';
import {
  AgentQueryBody,
  AgentQueryResponse,
  SessionCreateBody,
  SessionParams,
  SessionSchema,
  SessionUsageSchema,
} from '../session-schemas.js';
import { startJson } from '../sse-stream.js';

export interface SessionRoutesOptions extends RunSseOptions {
  sessions: SessionService;
  conversations: ConversationService;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function sessionJson({ sessionId, conversation }: Session) {
  return {
    session_id: sessionId,
    conversation_id: conversation.id,
    status: conversation.status,
    model_id: conversation.modelId,
    user_id: conversation.userId,
    created_at: conversation.createdAt.toISOString(),
    last_run_at: iso(conversation.lastRunAt),
    history_cleared_at: iso(conversation.historyClearedAt),
  };
}

export function runCaller(request: FastifyRequest): RunCaller {
  const principal = principalOf(request);
  return { id: principal.keyId, tenantId: principal.tenantId };
}

/**
 * The agent-HTTP-server shape (`/sessions`, `/agent/query`, `/agent/query-stream`, `/agent/usage/{id}`): a
 * session is a conversation of the caller's tenant; runs go through the run-streaming service like any other.
 */
export const sessionRoutes: FastifyPluginAsyncTypebox<SessionRoutesOptions> = async (app, options) => {
  const { sessions, conversations, streams } = options;
  const tags = ['sessions'];
  const config = { access: 'authenticated' as const };
  const userOf = (request: FastifyRequest) => headerValue(request, 'x-user-id') ?? null;

  app.post(
    '/sessions',
    {
      schema: {
        // Validated by hand: Fastify's body validation refuses a POST with no body, which clients send here.
        response: { 201: SessionSchema, 200: SessionSchema, '4xx': ErrorSchema },
        tags,
        summary: 'Create a session (a conversation of the caller’s tenant)',
      },
      config,
    },
    async (request, reply) => {
      const body = request.body ?? {};
      if (!Value.Check(SessionCreateBody, body))
        throw new ValidationError('invalid session', [
          "body: {} or {\"session_id\": \"1-256 letters, digits, '.', '_', ':' or '-'\"}",
        ]);
      const opened = await sessions.open(callerTenant(request), body.session_id, userOf(request));
      return reply.status(opened.created ? 201 : 200).send(sessionJson(opened));
    },
  );
  app.get(
    '/sessions',
    {
      schema: {
        querystring: PageQuery,
        response: { 200: page(SessionSchema) },
        tags,
        summary: 'Sessions of the caller’s tenant (paged)',
      },
      config,
    },
    async (request) => {
      const result = await sessions.list(callerTenant(request), {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor,
      });
      return { items: result.items.map(sessionJson), nextCursor: result.nextCursor };
    },
  );
  app.get(
    '/sessions/:sessionId',
    {
      schema: { params: SessionParams, response: { 200: SessionSchema }, tags, summary: 'One session' },
      config,
    },
    async (request) => sessionJson(await sessions.get(callerTenant(request), request.params.sessionId)),
  );
  app.delete(
    '/sessions/:sessionId',
    {
      schema: {
        params: SessionParams,
        response: { 204: Type.Null() },
        tags,
        summary: 'Delete a session with its conversation, sandbox and workspace',
      },
      config,
    },
    async (request, reply) => {
      const tenantId = callerTenant(request);
      const { conversation } = await sessions.get(tenantId, request.params.sessionId);
      await conversations.delete(tenantId, conversation.id);
      return reply.status(204).send(null);
    },
  );
  app.post(
    '/sessions/:sessionId/clear',
    {
      schema: {
        params: SessionParams,
        response: { 200: SessionSchema },
        tags,
        summary: 'Clear a session’s history (the workspace and usage stay)',
      },
      config,
    },
    async (request) => {
      const tenantId = callerTenant(request);
      const session = await sessions.get(tenantId, request.params.sessionId);
      const cleared = await conversations.clear(auditContext(request), tenantId, session.conversation.id);
      return sessionJson({ sessionId: session.sessionId, conversation: cleared });
    },
  );

  const startTurn = async (request: FastifyRequest<{ Body: { message: string; session_id?: string } }>) => {
    const tenantId = callerTenant(request);
    const session = await sessions.open(tenantId, request.body.session_id, userOf(request));
    const turn = {
      tenantId,
      conversationId: session.conversation.id,
      message: request.body.message,
      userId: headerValue(request, 'x-user-id'),
    };
    return { session, turn };
  };

  app.post(
    '/agent/query',
    {
      schema: {
        body: AgentQueryBody,
        response: { 200: AgentQueryResponse, '4xx': ErrorSchema, '5xx': ErrorSchema },
        tags,
        summary: 'Run one turn in a session (created when absent) and return its answer',
      },
      config,
    },
    async (request, reply) => {
      const { session, turn } = await startTurn(request);
      const closed = new AbortController();
      reply.raw.once('close', () => closed.abort());
      const { started, answer } = await streams.query(runCaller(request), turn, closed.signal);
      const res = startJson(reply, {
        ...rateLimitHeaders(started.quota),
        'x-request-id': request.id,
        'x-run-id': started.runId,
        'x-session-id': session.sessionId,
      });
      const result = await answer;
      const body = {
        session_id: session.sessionId,
        run_id: result.runId,
        status: result.status,
        response: result.final,
        truncated: result.truncated,
        usage: result.usage,
        ...(result.error ? { error: { code: result.error.code, message: result.error.message } } : {}),
      };
      if (!res.destroyed) res.end(JSON.stringify(body));
    },
  );
  app.post(
    '/agent/query-stream',
    {
      schema: {
        body: AgentQueryBody,
        response: { 200: EventStreamResponse, '4xx': ErrorSchema, '5xx': ErrorSchema },
        tags,
        summary: 'Run one turn in a session (created when absent) and stream its events (SSE)',
      },
      config,
    },
    async (request, reply) => {
      const { session, turn } = await startTurn(request);
      const { runId, quota } = await streams.start(runCaller(request), turn);
      await streamStartedRun(options, request, reply, runId, {
        ...rateLimitHeaders(quota),
        'x-session-id': session.sessionId,
      });
    },
  );
  app.get(
    '/agent/usage/:sessionId',
    {
      schema: {
        params: SessionParams,
        response: { 200: SessionUsageSchema },
        tags,
        summary: 'Tokens and cost of every run of a session (a clear keeps them)',
      },
      config,
    },
    async (request) => {
      const { sessionId, conversation, usage } = await sessions.usage(
        callerTenant(request),
        request.params.sessionId,
      );
      return {
        session_id: sessionId,
        conversation_id: conversation.id,
        runs: usage.runs,
        input_tokens: usage.inputTokens,
        output_tokens: usage.outputTokens,
        cache_read_tokens: usage.cacheReadTokens,
        cache_write_tokens: usage.cacheWriteTokens,
        cost_usd: usage.costUsd,
      };
    },
  );
};
