import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { OperatorService } from '../../operators/operator-service.js';
import { auditContext } from '../audit-context.js';
import { IdSchema } from '../schemas.js';

export interface AdminRoutesOptions {
  operators: OperatorService;
}

export const adminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, { operators }) => {
  const config = { access: 'admin' as const };
  const tags = ['operators'];
  app.get(
    '/api/admin/sandboxes',
    { schema: { tags, summary: 'Every sandbox of the fleet' }, config },
    async () => ({ items: await operators.sandboxes(), nextCursor: null }),
  );
  app.get(
    '/api/admin/sandboxes/:sandboxId',
    {
      schema: { params: Type.Object({ sandboxId: IdSchema }), tags, summary: 'One sandbox of the fleet' },
      config,
    },
    async (request) => operators.sandbox(request.params.sandboxId),
  );
  app.delete(
    '/api/admin/sandboxes/:sandboxId',
    {
      schema: {
        params: Type.Object({ sandboxId: IdSchema }),
        tags,
        summary: 'Force-remove a sandbox (audited)',
      },
      config,
    },
    async (request, reply) => {
      const result = await operators.removeSandbox(auditContext(request), request.params.sandboxId);
      return result.status === 'forwarded' ? reply.status(202).send(result) : result;
    },
  );
  app.get('/api/admin/pool', { schema: { tags, summary: 'Warm pool of this node' }, config }, async () =>
    operators.pool(),
  );
  app.get(
    '/api/admin/reaps',
    {
      schema: {
        tags,
        summary: 'Recent removals of the whole fleet (newest first), with reasons, OOM and exit code',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
      },
      config,
    },
    async (request) => operators.reaps(request.query.limit),
  );
  app.post(
    '/api/admin/reap',
    {
      schema: {
        querystring: Type.Object({ dryRun: Type.Optional(Type.Boolean()) }),
        tags,
        summary: 'Run one reaper tick now',
      },
      config,
    },
    async (request) =>
      request.query.dryRun === true ? operators.reapPlan() : operators.reapNow(auditContext(request)),
  );
  app.get('/api/admin/nodes', { schema: { tags, summary: 'Live nodes (heartbeats)' }, config }, async () => ({
    items: await operators.nodes(),
    nextCursor: null,
  }));
  app.get(
    '/api/admin/policies',
    { schema: { tags, summary: 'The lifecycle policy in force' }, config },
    async () => operators.policy,
  );
  app.put(
    '/api/admin/policies',
    {
      schema: {
        body: Type.Unknown(),
        tags,
        summary: 'Replace the lifecycle policy (validated, applied live, audited)',
      },
      config,
    },
    async (request) => operators.updatePolicy(auditContext(request), request.body),
  );
};
