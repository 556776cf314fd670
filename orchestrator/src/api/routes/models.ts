import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { ModelService } from '../../controlplane/model-service.js';
import { auditContext } from '../audit-context.js';
import { ModelBody, ModelPatch, ModelSchema } from '../control-schemas.js';
import { IdSchema, page, PageQuery } from '../schemas.js';
import { modelJson } from '../serializers.js';

const ModelParams = Type.Object({ modelId: IdSchema });

export const modelRoutes: FastifyPluginAsyncTypebox<{ models: ModelService }> = async (app, { models }) => {
  const tags = ['models'];
  app.get(
    '/api/models',
    {
      schema: {
        querystring: PageQuery,
        response: { 200: page(ModelSchema) },
        tags,
        summary: 'Models (paged)',
      },
      config: { access: 'authenticated' },
    },
    async (request) => {
      const result = await models.list({ limit: request.query.limit ?? 50, cursor: request.query.cursor });
      return { items: result.items.map(modelJson), nextCursor: result.nextCursor };
    },
  );
  app.post(
    '/api/models',
    {
      schema: { body: ModelBody, response: { 201: ModelSchema }, tags, summary: 'Add a model' },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      return reply.status(201).send(modelJson(await models.create(auditContext(request), request.body)));
    },
  );
  app.get(
    '/api/models/:modelId',
    {
      schema: { params: ModelParams, response: { 200: ModelSchema }, tags, summary: 'One model' },
      config: { access: 'authenticated' },
    },
    async (request) => modelJson(await models.get(request.params.modelId)),
  );
  app.put(
    '/api/models/:modelId',
    {
      schema: {
        params: ModelParams,
        body: ModelPatch,
        response: { 200: ModelSchema },
        tags,
        summary: 'Change a model',
      },
      config: { access: 'admin' },
    },
    async (request) =>
      modelJson(await models.update(auditContext(request), request.params.modelId, request.body)),
  );
  app.delete(
    '/api/models/:modelId',
    {
      schema: { params: ModelParams, response: { 204: Type.Null() }, tags, summary: 'Delete a model' },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      await models.delete(auditContext(request), request.params.modelId);
      return reply.status(204).send(null);
    },
  );
};
