import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { ApiKeyAuth } from '../../auth/api-key-auth.js';
import { NotFoundError } from '../../common/errors.js';
import type { AuditService } from '../../controlplane/audit-service.js';
import type { Store } from '../../store/repositories.js';
import { auditContext } from '../audit-context.js';
import { KeyBody, KeySchema } from '../control-schemas.js';
import { IdSchema, page, PageQuery } from '../schemas.js';
import { apiKeyJson } from '../serializers.js';

export const keyRoutes: FastifyPluginAsyncTypebox<{
  auth: ApiKeyAuth;
  store: Store;
  audit: AuditService;
}> = async (app, { auth, store, audit }) => {
  const tags = ['keys'];
  app.get(
    '/api/keys',
    {
      schema: {
        querystring: PageQuery,
        response: { 200: page(KeySchema) },
        tags,
        summary: 'API keys (paged)',
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const result = await store.apiKeys.list({
        limit: request.query.limit ?? 50,
        cursor: request.query.cursor,
      });
      return { items: result.items.map(apiKeyJson), nextCursor: result.nextCursor };
    },
  );
  app.post(
    '/api/keys',
    {
      schema: {
        body: KeyBody,
        response: { 201: Type.Intersect([KeySchema, Type.Object({ key: Type.String() })]) },
        tags,
        summary: 'Create a key (shown once)',
      },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      const { key, plain } = await auth.create({
        name: request.body.name,
        scope: request.body.scope,
        tenantId: request.body.tenantId ?? null,
      });
      await audit.record(auditContext(request), 'key.create', `key:${key.id}`, {
        scope: key.scope,
        tenantId: key.tenantId,
        name: key.name,
      });
      return reply.status(201).send({ ...apiKeyJson(key), key: plain });
    },
  );
  app.delete(
    '/api/keys/:keyId',
    {
      schema: {
        params: Type.Object({ keyId: IdSchema }),
        response: { 200: KeySchema },
        tags,
        summary: 'Revoke a key',
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const key = await store.apiKeys.revoke(request.params.keyId);
      if (!key) throw new NotFoundError('key', request.params.keyId);
      await audit.record(auditContext(request), 'key.revoke', `key:${key.id}`);
      return apiKeyJson(key);
    },
  );
};
