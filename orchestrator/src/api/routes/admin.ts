import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { NotFoundError } from '../../common/errors.js';
import type { AuditService } from '../../controlplane/audit-service.js';
import type { NodeDirectory } from '../../coordination/node-directory.js';
import type { RunSignals } from '../../coordination/run-signals.js';
import type { SandboxRegistry } from '../../coordination/sandbox-registry.js';
import type { PolicyService } from '../../policy/policy-service.js';
import type { Reaper } from '../../sandbox/reaper.js';
import type { SandboxManager } from '../../sandbox/sandbox-manager.js';
import type { SandboxRecord } from '../../sandbox/sandbox-record.js';
import type { SandboxRemover } from '../../sandbox/sandbox-remover.js';
import type { WarmPool } from '../../sandbox/warm-pool.js';
import { auditContext } from '../audit-context.js';
import { IdSchema } from '../schemas.js';

export interface AdminRoutesOptions {
  nodeId: string;
  registry: SandboxRegistry;
  sandboxes: SandboxManager;
  remover: SandboxRemover;
  pool: WarmPool;
  reaper: Reaper;
  policy: PolicyService;
  nodes: NodeDirectory;
  signals: RunSignals;
  audit: AuditService;
}

function sandboxJson(record: SandboxRecord, now: number) {
  return {
    id: record.id,
    node: record.nodeId,
    state: record.state,
    tenantId: record.tenantId,
    conversationId: record.conversationId,
    profile: record.profile,
    profileVersion: record.profileVersion,
    containerId: record.containerId.slice(0, 12),
    createdAt: new Date(record.createdAt).toISOString(),
    lastUsedAt: new Date(record.lastUsedAt).toISOString(),
    ageSeconds: Math.round((now - record.createdAt) / 1000),
    idleSeconds:
      record.state === 'idle' || record.state === 'warm' ? Math.round((now - record.lastUsedAt) / 1000) : 0,
    workspaceVersion: record.workspaceVersion,
  };
}

/** What operators need: the fleet's sandboxes, forced removal, the pool, the reaper and the lifecycle policy. */
export const adminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, options) => {
  const config = { access: 'admin' as const };
  const tags = ['operators'];
  app.get(
    '/api/admin/sandboxes',
    { schema: { tags, summary: 'Every sandbox of the fleet' }, config },
    async () => {
      const now = Date.now();
      const records = (await options.registry.list()).sort((a, b) => a.createdAt - b.createdAt);
      return { items: records.map((r) => sandboxJson(r, now)), nextCursor: null };
    },
  );
  app.get(
    '/api/admin/sandboxes/:sandboxId',
    {
      schema: { params: Type.Object({ sandboxId: IdSchema }), tags, summary: 'One sandbox of the fleet' },
      config,
    },
    async (request) => {
      const record = await options.registry.get(request.params.sandboxId);
      if (!record) throw new NotFoundError('sandbox', request.params.sandboxId);
      return sandboxJson(record, Date.now());
    },
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
      const { sandboxId } = request.params;
      const record = await options.registry.get(sandboxId);
      if (!record) throw new NotFoundError('sandbox', sandboxId);
      await options.audit.record(auditContext(request), 'sandbox.remove', `sandbox:${sandboxId}`, {
        node: record.nodeId,
        tenantId: record.tenantId,
        conversationId: record.conversationId,
        state: record.state,
      });
      if (record.nodeId !== options.nodeId) {
        await options.signals.requestRemoveSandbox(sandboxId);
        return reply.status(202).send({ sandboxId, status: 'forwarded', node: record.nodeId });
      }
      const reap = await options.sandboxes.remove(sandboxId, 'manual');
      return { sandboxId, status: 'removed', reap };
    },
  );
  app.get('/api/admin/pool', { schema: { tags, summary: 'Warm pool of this node' }, config }, async () => ({
    node: options.nodeId,
    pools: options.pool.status(),
  }));
  app.get(
    '/api/admin/reaps',
    { schema: { tags, summary: 'Recent removals on this node, with reasons' }, config },
    async () => ({
      node: options.nodeId,
      items: options.remover.history(),
    }),
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
    async (request) => {
      if (request.query.dryRun === true) {
        const now = Date.now();
        return {
          node: options.nodeId,
          dryRun: true,
          items: (await options.reaper.plan()).map((c) => ({
            reason: c.reason,
            sandbox: sandboxJson(c.record, now),
          })),
        };
      }
      await options.audit.record(auditContext(request), 'reaper.run', `node:${options.nodeId}`);
      return { node: options.nodeId, dryRun: false, items: await options.reaper.reapOnce() };
    },
  );
  app.get('/api/admin/nodes', { schema: { tags, summary: 'Live nodes (heartbeats)' }, config }, async () => ({
    items: await options.nodes.list(),
    nextCursor: null,
  }));
  app.get(
    '/api/admin/policies',
    { schema: { tags, summary: 'The lifecycle policy in force' }, config },
    async () => options.policy.state,
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
    async (request) => options.policy.update(auditContext(request), request.body),
  );
};
