import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { SecretService } from '../../secrets/secret-service.js';
import { auditContext } from '../audit-context.js';
import { RotationSchema, SecretBody, SecretParams, SecretSchema, secretJson } from '../secret-schemas.js';
import { TenantParams } from '../schemas.js';

/** Tenant secrets: names and versions readable, values write-only; the admin re-seals under a new key. */
export const secretRoutes: FastifyPluginAsyncTypebox<{ secrets: SecretService }> = async (
  app,
  { secrets },
) => {
  const tags = ['secrets'];
  app.get(
    '/api/tenants/:tenantId/secrets',
    {
      schema: {
        params: TenantParams,
        response: { 200: Type.Object({ items: Type.Array(SecretSchema) }) },
        tags,
        summary: "A tenant's secrets (names and versions, never values)",
      },
      config: { access: 'tenant' },
    },
    async (request) => ({ items: (await secrets.list(request.params.tenantId)).map(secretJson) }),
  );
  app.get(
    '/api/tenants/:tenantId/secrets/:name',
    {
      schema: {
        params: SecretParams,
        response: { 200: SecretSchema },
        tags,
        summary: "One secret's metadata",
      },
      config: { access: 'tenant' },
    },
    async (request) => secretJson(await secrets.get(request.params.tenantId, request.params.name)),
  );
  app.put(
    '/api/tenants/:tenantId/secrets/:name',
    {
      schema: {
        params: SecretParams,
        body: SecretBody,
        response: { 200: SecretSchema, 201: SecretSchema },
        tags,
        summary: 'Set a secret (201 created, 200 a new version)',
      },
      config: { access: 'tenant' },
    },
    async (request, reply) => {
      const { tenantId, name } = request.params;
      const { secret, created } = await secrets.put(
        tenantId,
        name,
        request.body.value,
        auditContext(request),
      );
      return reply.status(created ? 201 : 200).send(secretJson(secret));
    },
  );
  app.delete(
    '/api/tenants/:tenantId/secrets/:name',
    {
      schema: { params: SecretParams, response: { 200: SecretSchema }, tags, summary: 'Delete a secret' },
      config: { access: 'tenant' },
    },
    async (request) => {
      const { tenantId, name } = request.params;
      return secretJson(await secrets.delete(tenantId, name, auditContext(request)));
    },
  );
  app.post(
    '/api/admin/secrets/rotate',
    {
      schema: {
        response: { 200: RotationSchema },
        tags,
        summary: 'Re-seal every secret under the current AGENTD_SECRETS_KEY key',
      },
      config: { access: 'admin' },
    },
    async (request) => secrets.rotate(auditContext(request)),
  );
};
