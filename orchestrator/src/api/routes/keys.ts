import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { KeyService } from '../../controlplane/key-service.js';
import { auditContext } from '../audit-context.js';
import { KeyBody, KeySchema } from '../control-schemas.js';
import { IdSchema, page, PageQuery } from '../schemas.js';
import { apiKeyJson } from '../serializers.js';

export const keyRoutes: FastifyPluginAsyncTypebox<{ keys: KeyService }> = async (app, { keys }) => {
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
      const result = await keys.list({
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
      const { key, plain } = await keys.create(auditContext(request), {
        name: request.body.name,
        scope: request.body.scope,
        tenantId: request.body.tenantId ?? null,
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
      return apiKeyJson(await keys.revoke(auditContext(request), request.params.keyId));
    },
  );
};
