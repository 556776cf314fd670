import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ValidationError } from '../../common/errors.js';
import type { UsageService } from '../../controlplane/usage-service.js';
import { UsageQuery, UsageReportSchema } from '../control-schemas.js';
import { TenantParams } from '../schemas.js';

const DAY_MS = 86_400_000;

export const usageRoutes: FastifyPluginAsyncTypebox<{ usage: UsageService }> = async (app, { usage }) => {
  app.get(
    '/api/tenants/:tenantId/usage',
    {
      schema: {
        params: TenantParams,
        querystring: UsageQuery,
        response: { 200: UsageReportSchema },
        tags: ['usage'],
        summary: 'Token and cost totals, grouped',
      },
      config: { access: 'tenant' },
    },
    async (request) => {
      const { tenantId } = request.params;
      const to = request.query.to ? new Date(request.query.to) : new Date();
      const from = request.query.from ? new Date(request.query.from) : new Date(to.getTime() - 30 * DAY_MS);
      if (from.getTime() > to.getTime())
        throw new ValidationError('invalid range', ['/from: must not be after /to']);
      const groupBy = request.query.groupBy ?? 'model';
      const summary = await usage.summarize({ tenantId, from, to, groupBy });
      return {
        tenantId,
        from: from.toISOString(),
        to: to.toISOString(),
        groupBy,
        groups: summary.groups,
        total: summary.total,
      };
    },
  );
};
