import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { TenantService } from '../../controlplane/tenant-service.js';
import { auditContext } from '../audit-context.js';
import { DeleteTenantQuery, TenantBody, TenantPatch, TenantSchema } from '../control-schemas.js';
import { page, PageQuery, TenantParams } from '../schemas.js';
import { tenantJson } from '../serializers.js';

export const tenantRoutes: FastifyPluginAsyncTypebox<{ tenants: TenantService }> = async (
  app,
  { tenants },
) => {
  const tags = ['tenants'];
  app.get(
    '/api/tenants',
    {
      schema: {
        querystring: PageQuery,
        response: { 200: page(TenantSchema) },
        tags,
        summary: 'Tenants (paged)',
      },
      config: { access: 'admin' },
    },
    async (request) => {
      const result = await tenants.list({ limit: request.query.limit ?? 50, cursor: request.query.cursor });
      return { items: result.items.map(tenantJson), nextCursor: result.nextCursor };
    },
  );
  app.post(
    '/api/tenants',
    {
      schema: { body: TenantBody, response: { 201: TenantSchema }, tags, summary: 'Create a tenant' },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      const tenant = await tenants.create(auditContext(request), request.body);
      return reply.status(201).send(tenantJson(tenant));
    },
  );
  app.get(
    '/api/tenants/:tenantId',
    {
      schema: { params: TenantParams, response: { 200: TenantSchema }, tags, summary: 'One tenant' },
      config: { access: 'tenant' },
    },
    async (request) => tenantJson(await tenants.get(request.params.tenantId)),
  );
  app.put(
    '/api/tenants/:tenantId',
    {
      schema: {
        params: TenantParams,
        body: TenantPatch,
        response: { 200: TenantSchema },
        tags,
        summary: 'Change a tenant (name, policy)',
      },
      config: { access: 'admin' },
    },
    async (request) =>
      tenantJson(await tenants.update(auditContext(request), request.params.tenantId, request.body)),
  );
  app.delete(
    '/api/tenants/:tenantId',
    {
      schema: {
        params: TenantParams,
        querystring: DeleteTenantQuery,
        response: { 204: Type.Null() },
        tags,
        summary: 'Delete a tenant (?force=true with its conversations)',
      },
      config: { access: 'admin' },
    },
    async (request, reply) => {
      await tenants.delete(auditContext(request), request.params.tenantId, request.query.force === true);
      return reply.status(204).send(null);
    },
  );
};
