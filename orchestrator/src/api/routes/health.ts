import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HealthService } from '../../health/health-service.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { Access } from '../access.js';

export interface HealthRoutesOptions {
  health: HealthService;
  metrics: Metrics;
  metricsEnabled: boolean;
  /** Who may scrape /metrics: public in development, authenticated in production. */
  metricsAccess: Access;
}

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, options) => {
  const { health } = options;
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: { tags: ['probes'], summary: 'Each dependency with status and latency', security: [] },
    },
    async (_request, reply) => {
      const report = await health.report();
      return reply.status(report.status === 'down' ? 503 : 200).send(report);
    },
  );
  app.get(
    '/health/live',
    {
      config: { access: 'public' },
      schema: { tags: ['probes'], summary: 'Liveness: the process answers', security: [] },
    },
    async () => ({
      status: 'alive',
    }),
  );
  app.get(
    '/health/ready',
    {
      config: { access: 'public' },
      schema: { tags: ['probes'], summary: 'Readiness: 200, or 503 naming what is down', security: [] },
    },
    async (_request, reply) => {
      const report = await health.report();
      if (report.ready) return { status: 'ready' };
      const failing = report.dependencies
        .filter((d) => d.status === 'down')
        .map((d) => ({ name: d.name, error: d.error }));
      return reply.status(503).send({
        status: 'not ready',
        reason: report.shuttingDown
          ? 'shutting down'
          : `dependency down: ${failing.map((f) => f.name).join(', ')}`,
        failing,
      });
    },
  );
  if (options.metricsEnabled) {
    app.get(
      '/metrics',
      {
        config: { access: options.metricsAccess },
        schema: {
          tags: ['probes'],
          hide: false,
          summary: 'Prometheus metrics',
          ...(options.metricsAccess === 'public' ? { security: [] } : {}),
        },
      },
      async (_request, reply) => {
        return reply
          .type(options.metrics.registry.contentType)
          .send(await options.metrics.registry.metrics());
      },
    );
  }
};
