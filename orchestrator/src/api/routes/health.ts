import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { HealthService } from '../../health/health-service.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { Access } from '../access.js';
import { ErrorSchema } from '../schemas.js';

export interface HealthRoutesOptions {
  health: HealthService;
  metrics: Metrics;
  metricsEnabled: boolean;
  /** Who may scrape /metrics: public in development, authenticated in production. */
  metricsAccess: Access;
}

const HealthReportSchema = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded'), Type.Literal('down')]),
  ready: Type.Boolean(),
  node: Type.String(),
  shuttingDown: Type.Boolean(),
  dependencies: Type.Array(
    Type.Object({
      name: Type.String(),
      status: Type.Union([Type.Literal('up'), Type.Literal('down')]),
      mode: Type.Union([Type.Literal('service'), Type.Literal('embedded')]),
      latencyMs: Type.Number(),
      detail: Type.Optional(Type.String()),
      error: Type.Optional(Type.String()),
    }),
  ),
  posture: Type.Optional(
    Type.Object(
      {
        mode: Type.String(),
        findings: Type.Array(
          Type.Object({
            cve: Type.String(),
            component: Type.String(),
            severity: Type.String(),
            installed: Type.String(),
            summary: Type.String(),
          }),
        ),
        unverified: Type.Array(Type.String()),
      },
      { description: "Known vulnerabilities of the host's runtime: reported, never a reason to be unready" },
    ),
  ),
});
const NotReadySchema = Type.Object({
  status: Type.Literal('not ready'),
  reason: Type.String(),
  failing: Type.Array(Type.Object({ name: Type.String(), error: Type.Optional(Type.String()) })),
});

export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, options) => {
  const { health } = options;
  app.get(
    '/health',
    {
      config: { access: 'public' },
      schema: {
        // An error thrown here (rather than a report) must not be serialized as a report.
        response: { 200: HealthReportSchema, 503: Type.Union([HealthReportSchema, ErrorSchema]) },
        tags: ['probes'],
        summary: 'Each dependency with status and latency',
        security: [],
      },
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
      schema: {
        response: { 200: Type.Object({ status: Type.Literal('alive') }) },
        tags: ['probes'],
        summary: 'Liveness: the process answers',
        security: [],
      },
    },
    async () => ({
      status: 'alive' as const,
    }),
  );
  app.get(
    '/health/ready',
    {
      config: { access: 'public' },
      schema: {
        response: {
          200: Type.Object({ status: Type.Literal('ready') }),
          503: Type.Union([NotReadySchema, ErrorSchema]),
        },
        tags: ['probes'],
        summary: 'Readiness: 200, or 503 naming what is down',
        security: [],
      },
    },
    async (_request, reply) => {
      const report = await health.report();
      if (report.ready) return { status: 'ready' as const };
      const failing = report.dependencies
        .filter((d) => d.status === 'down')
        .map((d) => ({ name: d.name, error: d.error }));
      return reply.status(503).send({
        status: 'not ready' as const,
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
