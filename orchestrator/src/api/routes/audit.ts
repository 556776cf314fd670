import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Store } from '../../store/repositories.js';
import { AuditQuery, AuditSchema } from '../control-schemas.js';
import { page } from '../schemas.js';
import { auditJson } from '../serializers.js';

export const auditLogRoutes: FastifyPluginAsyncTypebox<{ store: Store }> = async (app, { store }) => {
  app.get(
    '/api/audit/log',
    {
      schema: { querystring: AuditQuery, response: { 200: page(AuditSchema) }, tags: ['audit'] },
      config: { access: 'admin' },
    },
    async (request) => {
      const { limit, cursor, actor, action } = request.query;
      const result = await store.audit.list(
        { limit: limit ?? 50, cursor },
        { ...(actor ? { actor } : {}), ...(action ? { action } : {}) },
      );
      return { items: result.items.map(auditJson), nextCursor: result.nextCursor };
    },
  );
};
