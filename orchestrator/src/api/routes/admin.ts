import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { OperatorService } from '../../operators/operator-service.js';
import { auditContext } from '../audit-context.js';
import {
  NodeSchema,
  PolicyStateSchema,
  PoolSchema,
  ReapsSchema,
  ReapTickSchema,
  SandboxDetailSchema,
  SandboxForwardedSchema,
  SandboxRemovalSchema,
  SandboxViewSchema,
} from '../operator-schemas.js';
import { IdSchema, page } from '../schemas.js';

export interface AdminRoutesOptions {
  operators: OperatorService;
}

export const adminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, { operators }) => {
  const config = { access: 'admin' as const };
  const tags = ['operators'];
  app.get(
    '/api/admin/sandboxes',
    {
      schema: { response: { 200: page(SandboxViewSchema) }, tags, summary: 'Every sandbox of the fleet' },
      config,
    },
    async () => ({ items: await operators.sandboxes(), nextCursor: null }),
  );
  app.get(
    '/api/admin/sandboxes/:sandboxId',
    {
      schema: {
        params: Type.Object({ sandboxId: IdSchema }),
        response: { 200: SandboxDetailSchema },
        tags,
        summary: 'One sandbox of the fleet',
      },
      config,
    },
    async (request) => operators.sandbox(request.params.sandboxId),
  );
  app.delete(
    '/api/admin/sandboxes/:sandboxId',
    {
      schema: {
        params: Type.Object({ sandboxId: IdSchema }),
        response: { 200: SandboxRemovalSchema, 202: SandboxForwardedSchema },
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
  app.get(
    '/api/admin/pool',
    { schema: { response: { 200: PoolSchema }, tags, summary: 'Warm pool of this node' }, config },
    async () => operators.pool(),
  );
  app.get(
    '/api/admin/reaps',
    {
      schema: {
        tags,
        summary: 'Recent removals of the whole fleet (newest first), with reasons, OOM and exit code',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }),
        response: { 200: ReapsSchema },
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
        response: { 200: ReapTickSchema },
        tags,
        summary: 'Run one reaper tick now',
      },
      config,
    },
    async (request) =>
      request.query.dryRun === true ? operators.reapPlan() : operators.reapNow(auditContext(request)),
  );
  app.get(
    '/api/admin/nodes',
    { schema: { response: { 200: page(NodeSchema) }, tags, summary: 'Live nodes (heartbeats)' }, config },
    async () => ({
      items: await operators.nodes(),
      nextCursor: null,
    }),
  );
  app.get(
    '/api/admin/policies',
    {
      schema: { response: { 200: PolicyStateSchema }, tags, summary: 'The lifecycle policy in force' },
      config,
    },
    async () => operators.policy,
  );
  app.put(
    '/api/admin/policies',
    {
      schema: {
        body: Type.Unknown(),
        response: { 200: PolicyStateSchema },
        tags,
        summary: 'Replace the lifecycle policy (validated, applied live, audited)',
      },
      config,
    },
    async (request) => operators.updatePolicy(auditContext(request), request.body),
  );
};
