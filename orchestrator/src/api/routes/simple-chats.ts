import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { RunStreamService } from '../../runs/run-stream-service.js';
import type { SimpleChatService } from '../../runs/simple-chat-service.js';
import { headerValue, principalOf } from '../access.js';
import {
  ChatListQuery,
  ChatParams,
  ChatStreamBody,
  ChatWithMessagesSchema,
  ConversationSchema,
} from '../control-schemas.js';
import { EventStreamResponse } from '../event-schemas.js';
import { rateLimitHeaders } from '../rate-limit-headers.js';
import { ErrorSchema, page, PageQuery, TenantParams } from '../schemas.js';
import { conversationJson, messageJson } from '../serializers.js';
import type { SseConnections } from '../sse-connections.js';
import { startSse, streamRunEvents } from '../sse-stream.js';

export interface SimpleChatRoutesOptions {
  chats: SimpleChatService;
  /** Follows the started run's events, as for any run. */
  streams: RunStreamService;
  heartbeatMs: number;
  retryMs: number;
  shutdown: AbortSignal;
  connections: SseConnections;
}

/**
 * The seed's simple-chat routes. A chat is a conversation of kind `chat`: its runs also answer on the
 * conversation routes (query, runs, events, cancel, WebSocket, tickets).
 */
export const simpleChatRoutes: FastifyPluginAsyncTypebox<SimpleChatRoutesOptions> = async (app, options) => {
  const { chats, streams } = options;
  const tags = ['simple-chats'];
  const base = '/api/tenants/:tenantId/simple-chats';
  const config = { access: 'tenant' as const };

  app.get(
    base,
    {
      schema: {
        params: TenantParams,
        querystring: ChatListQuery,
        response: { 200: page(ConversationSchema) },
        tags,
        summary: 'Simple chats of a tenant (paged)',
      },
      config,
    },
    async (request) => {
      const { limit, cursor, userId, status } = request.query;
      const result = await chats.list(
        request.params.tenantId,
        { ...(userId === undefined ? {} : { userId }), ...(status === undefined ? {} : { status }) },
        { limit: limit ?? 50, cursor },
      );
      return { items: result.items.map(conversationJson), nextCursor: result.nextCursor };
    },
  );

  app.post(
    `${base}/stream`,
    {
      schema: {
        params: TenantParams,
        body: ChatStreamBody,
        response: { 200: EventStreamResponse, '4xx': ErrorSchema, '5xx': ErrorSchema },
        tags,
        summary: 'Send a message to a new or existing simple chat and stream the answer (SSE, no sandbox)',
      },
      config,
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const started = await chats.stream(
        { id: principal.keyId, tenantId: principal.tenantId },
        {
          ...request.body,
          tenantId: request.params.tenantId,
          userId: headerValue(request, 'x-user-id'),
        },
      );
      const closed = new AbortController();
      const res = startSse(reply, options.connections, {
        ...rateLimitHeaders(started.quota),
        'x-request-id': request.id,
        'x-run-id': started.runId,
        'x-chat-id': started.chatId,
      });
      await streamRunEvents({
        runId: started.runId,
        afterSeq: 0,
        feed: streams.follow(started.runId, 0, { closed: closed.signal, stop: options.shutdown }),
        closed,
        res,
        stop: options.shutdown,
        heartbeatMs: options.heartbeatMs,
        retryMs: options.retryMs,
      });
    },
  );

  app.get(
    `${base}/:chatId`,
    {
      schema: {
        params: ChatParams,
        querystring: PageQuery,
        response: { 200: ChatWithMessagesSchema },
        tags,
        summary: 'One simple chat with its messages, oldest first (paged)',
      },
      config,
    },
    async (request) => {
      const { chat, messages } = await chats.get(request.params.tenantId, request.params.chatId, {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor,
      });
      return {
        ...conversationJson(chat),
        messages: messages.items.map(messageJson),
        messagesNextCursor: messages.nextCursor,
      };
    },
  );

  app.post(
    `${base}/:chatId/archive`,
    {
      schema: {
        params: ChatParams,
        response: { 200: ConversationSchema },
        tags,
        summary: 'Archive a simple chat (no new messages)',
      },
      config,
    },
    async (request) => conversationJson(await chats.archive(request.params.tenantId, request.params.chatId)),
  );

  app.delete(
    `${base}/:chatId`,
    {
      schema: {
        params: ChatParams,
        response: { 204: Type.Null() },
        tags,
        summary: 'Delete a simple chat and its messages',
      },
      config,
    },
    async (request, reply) => {
      await chats.delete(request.params.tenantId, request.params.chatId);
      return reply.status(204).send(null);
    },
  );
};
