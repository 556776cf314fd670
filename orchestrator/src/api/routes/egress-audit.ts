import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { EgressAuditService } from '../../egress/egress-audit-service.js';
import { page } from '../schemas.js';

const EgressAuditQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  tenantId: Type.Optional(Type.String({ maxLength: 64 })),
  runId: Type.Optional(Type.String({ maxLength: 64 })),
  verdict: Type.Optional(Type.Union([Type.Literal('allowed'), Type.Literal('denied')])),
});

const EgressAuditSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  conversationId: Type.String(),
  runId: Type.String(),
  sandboxId: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  address: Type.Union([Type.String(), Type.Null()]),
  verdict: Type.String(),
  reason: Type.String(),
  rule: Type.Union([Type.String(), Type.Null()]),
  bytesIn: Type.Integer(),
  bytesOut: Type.Integer(),
  durationMs: Type.Integer(),
  count: Type.Integer({ description: 'attempts this record stands for (denials in one window are folded)' }),
  startedAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
});

/** Egress connection attempts from sandboxes, for security teams. */
export const egressAuditRoutes: FastifyPluginAsyncTypebox<{ egressAudit: EgressAuditService }> = async (
  app,
  { egressAudit },
) => {
  app.get(
    '/api/audit/egress',
    {
      schema: {
        querystring: EgressAuditQuery,
        response: { 200: page(EgressAuditSchema) },
        tags: ['audit'],
        summary: 'Egress connection attempts (host, port, address, verdict and rule, bytes, duration), paged',
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const { limit, cursor, tenantId, runId, verdict } = request.query;
      const result = await egressAudit.list(
        { limit: limit ?? 50, cursor },
        { ...(tenantId ? { tenantId } : {}), ...(runId ? { runId } : {}), ...(verdict ? { verdict } : {}) },
      );
      return {
        items: result.items.map((r) => ({
          ...r,
          address: r.address ?? null,
          rule: r.rule ?? null,
          startedAt: r.startedAt.toISOString(),
          createdAt: r.createdAt.toISOString(),
        })),
        nextCursor: result.nextCursor,
      };
    },
  );
};
