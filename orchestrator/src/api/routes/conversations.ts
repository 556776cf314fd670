import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { ConversationService } from '../../controlplane/conversation-service.js';
import { headerValue } from '../access.js';
import { auditContext } from '../audit-context.js';
import {
  ConversationBody,
  ConversationListQuery,
  ConversationSchema,
  MessageSchema,
} from '../control-schemas.js';
import { ConversationParams, page, PageQuery, RunSchema, TenantParams } from '../schemas.js';
import { conversationJson, messageJson, runJson } from '../serializers.js';

export const conversationRoutes: FastifyPluginAsyncTypebox<{ conversations: ConversationService }> = async (
  app,
  { conversations },
) => {
  const tags = ['conversations'];
  const base = '/api/tenants/:tenantId/conversations';
  const config = { access: 'tenant' as const };
  app.get(
    base,
    {
      schema: {
        params: TenantParams,
        querystring: ConversationListQuery,
        response: { 200: page(ConversationSchema) },
        tags,
        summary: 'Conversations of a tenant (paged)',
      },
      config,
    },
    async (request) => {
      const { limit, cursor, userId, status, kind } = request.query;
      const result = await conversations.list(
        request.params.tenantId,
        {
          ...(userId === undefined ? {} : { userId }),
          ...(status === undefined ? {} : { status }),
          ...(kind === undefined ? {} : { kind }),
        },
        { limit: limit ?? 50, cursor },
      );
      return { items: result.items.map(conversationJson), nextCursor: result.nextCursor };
    },
  );
  app.post(
    base,
    {
      schema: {
        params: TenantParams,
        body: ConversationBody,
        response: { 201: ConversationSchema },
        tags,
        summary: 'Create a conversation',
      },
      config,
    },
    async (request, reply) => {
      const userId = request.body.userId ?? headerValue(request, 'x-user-id') ?? null;
      const conversation = await conversations.create(request.params.tenantId, { ...request.body, userId });
      return reply.status(201).send(conversationJson(conversation));
    },
  );
  app.get(
    `${base}/:conversationId`,
    {
      schema: {
        params: ConversationParams,
        response: { 200: ConversationSchema },
        tags,
        summary: 'One conversation',
      },
      config,
    },
    async (request) =>
      conversationJson(await conversations.get(request.params.tenantId, request.params.conversationId)),
  );
  app.delete(
    `${base}/:conversationId`,
    {
      schema: {
        params: ConversationParams,
        response: { 204: Type.Null() },
        tags,
        summary: 'Delete a conversation, its sandbox and its workspace',
      },
      config,
    },
    async (request, reply) => {
      await conversations.delete(request.params.tenantId, request.params.conversationId);
      return reply.status(204).send(null);
    },
  );
  app.post(
    `${base}/:conversationId/archive`,
    {
      schema: {
        params: ConversationParams,
        response: { 200: ConversationSchema },
        tags,
        summary: 'Archive a conversation (no new runs)',
      },
      config,
    },
    async (request) =>
      conversationJson(await conversations.archive(request.params.tenantId, request.params.conversationId)),
  );
  app.post(
    `${base}/:conversationId/clear`,
    {
      schema: {
        params: ConversationParams,
        response: { 200: ConversationSchema },
        tags,
        summary: 'Clear the history (the next run starts afresh; workspace, messages and usage stay)',
      },
      config,
    },
    async (request) =>
      conversationJson(
        await conversations.clear(
          auditContext(request),
          request.params.tenantId,
          request.params.conversationId,
        ),
      ),
  );
  app.get(
    `${base}/:conversationId/messages`,
    {
      schema: {
        params: ConversationParams,
        querystring: PageQuery,
        response: { 200: page(MessageSchema) },
        tags,
        summary: 'Messages of a conversation, oldest first (paged)',
      },
      config,
    },
    async (request) => {
      const result = await conversations.messages(request.params.tenantId, request.params.conversationId, {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor,
      });
      return { items: result.items.map(messageJson), nextCursor: result.nextCursor };
    },
  );
  app.get(
    `${base}/:conversationId/runs`,
    {
      schema: {
        params: ConversationParams,
        querystring: PageQuery,
        response: { 200: page(RunSchema) },
        tags,
        summary: 'Runs of a conversation, oldest first (paged)',
      },
      config,
    },
    async (request) => {
      const result = await conversations.runs(request.params.tenantId, request.params.conversationId, {
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor,
      });
      return { items: result.items.map(runJson), nextCursor: result.nextCursor };
    },
  );
};
