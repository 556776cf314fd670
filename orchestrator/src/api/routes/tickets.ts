import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { IssuedTicket, TicketService } from '../../auth/ticket-service.js';
import { principalOf } from '../access.js';
import { ConversationParams, ErrorSchema, IdSchema, RunParams } from '../schemas.js';

const TicketSchema = Type.Object({
  id: Type.String({ description: 'Names the ticket for revocation' }),
  ticket: Type.String({ description: 'The credential itself, for `?ticket=`; shown once' }),
  kind: Type.Union([Type.Literal('conversation'), Type.Literal('run')]),
  conversationId: Type.String(),
  runId: Type.Optional(Type.String()),
  expiresAt: Type.String({ format: 'date-time' }),
});

const errors = { '4xx': ErrorSchema, '5xx': ErrorSchema };
const base = '/api/tenants/:tenantId/conversations/:conversationId';

function ticketJson(issued: IssuedTicket) {
  return { ...issued, expiresAt: issued.expiresAt.toISOString() };
}

/** Browser credentials: issued by a key holder, handed to a browser, used in one URL. */
export const ticketRoutes: FastifyPluginAsyncTypebox<{ tickets: TicketService }> = async (
  app,
  { tickets },
) => {
  const tags = ['tickets'];
  const config = { access: 'tenant' as const };
  app.post(
    `${base}/tickets`,
    {
      schema: {
        params: ConversationParams,
        response: { 201: TicketSchema, ...errors },
        tags,
        summary: 'A single-use ticket for a WebSocket upgrade to this conversation (`?ticket=`)',
      },
      config,
    },
    async (request, reply) => {
      const { tenantId, conversationId } = request.params;
      const issued = await tickets.issueConversationTicket(principalOf(request), tenantId, conversationId);
      return reply.status(201).send(ticketJson(issued));
    },
  );
  app.post(
    `${base}/runs/:runId/tickets`,
    {
      schema: {
        params: RunParams,
        response: { 201: TicketSchema, ...errors },
        tags,
        summary:
          'A ticket for this run’s event stream (`GET …/events?ticket=`), until the run ends plus the grace',
      },
      config,
    },
    async (request, reply) => {
      const issued = await tickets.issueRunTicket(principalOf(request), request.params);
      return reply.status(201).send(ticketJson(issued));
    },
  );
  app.delete(
    '/api/tenants/:tenantId/tickets/:ticketId',
    {
      schema: {
        params: Type.Object({ tenantId: IdSchema, ticketId: IdSchema }),
        response: { 204: Type.Null(), ...errors },
        tags,
        summary: 'Revoke a ticket',
      },
      config,
    },
    async (request, reply) => {
      await tickets.revoke(request.params.tenantId, request.params.ticketId);
      request.log.info({ ticketId: request.params.ticketId }, 'Ticket revoked');
      return reply.status(204).send(null);
    },
  );
};
