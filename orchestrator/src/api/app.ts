import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { ApiKeyAuth } from '../auth/api-key-auth.js';
import { randomId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import type { HttpConfig } from '../config/config.js';
import type { RunEventLog } from '../coordination/run-event-log.js';
import type { RunSignals } from '../coordination/run-signals.js';
import type { HealthService } from '../health/health-service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { RunService } from '../runs/run-service.js';
import type { Store } from '../store/repositories.js';
import { installAccessControl } from './access.js';
import { installErrorHandler, sendFrameworkError, writeClientError } from './error-handler.js';
import { SseConnections } from './sse-connections.js';
import { installTextGuard } from './text-guard.js';
import { healthRoutes } from './routes/health.js';
import { runRoutes } from './routes/runs.js';

export interface ApiDependencies {
  http: HttpConfig;
  logger: Logger;
  auth: ApiKeyAuth;
  store: Store;
  runs: RunService;
  eventLog: RunEventLog;
  signals: RunSignals;
  health: HealthService;
  metrics: Metrics;
  metricsEnabled: boolean;
  metricsPublic: boolean;
  rateLimit: { enabled: boolean; requests: number; periodMs: number; redis?: unknown; prefix?: string };
  /** The tenant's own execution budget per period (its policy's rateLimitPerPeriod), if it has one. */
  tenantRateLimit?: (tenantId: string | null) => Promise<number | undefined>;
  shutdown: AbortSignal;
  /** Extra route plugins registered by the composition root (control plane, operators, workspaces …). */
  plugins?: ((app: FastifyInstance) => Promise<void>)[];
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The HTTP API as one Fastify instance: security middleware, one error handler, then the routes. */
export async function buildApp(deps: ApiDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    // Without the cast Fastify infers pino's Logger as its logger type and the instance no longer fits plugins.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    bodyLimit: deps.http.bodyLimitBytes,
    requestIdHeader: false,
    // X-Request-ID is accepted when sane, generated otherwise, echoed on every response and in every log line.
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : `req_${randomId(16)}`;
    },
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // Streams stay open for whole runs: no server-side request timeout; keep-alive probes handle dead peers.
    requestTimeout: 0,
    // close() must not wait for a client that stopped reading a stream.
    forceCloseConnections: true,
    // Requests Node's parser rejects (control characters, oversized headers) still get the documented error shape.
    clientErrorHandler: writeClientError,
    // So do URLs the router rejects before any hook runs (bad percent-encoding, an over-long path parameter).
    frameworkErrors: sendFrameworkError,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(TypeBoxValidatorCompiler);

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  installErrorHandler(app);
  installTextGuard(app);
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: false,
    hsts: deps.http.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  await app.register(cors, {
    origin: deps.http.corsOrigins.length === 0 ? false : deps.http.corsOrigins,
    credentials: false,
    exposedHeaders: ['x-request-id', 'x-run-id', 'retry-after'],
  });
  await app.register(rateLimit, {
    global: false,
    hook: 'preHandler',
    ...(deps.rateLimit.redis
      ? { redis: deps.rateLimit.redis, nameSpace: `${deps.rateLimit.prefix ?? 'agentd:'}ratelimit:` }
      : {}),
    errorResponseBuilder: (_request, context) => {
      const err = new Error(
        `rate limit of ${context.max} requests per ${context.after} exceeded`,
      ) as Error & { statusCode: number };
      err.statusCode = 429;
      return err;
    },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'agentd', version: '0.1.0', description: 'Container-isolated agent orchestrator' },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ apiKey: [] }, { bearer: [] }],
    },
  });
  // Before the UI registers its routes: an onRoute hook only sees routes added after it.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...route.config, access: 'public' };
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { docExpansion: 'list' } });
  installAccessControl(app, deps.auth);

  // One limiter shared by every execution endpoint: a per-route limit would give each key its budget once per route.
  const executionLimit = deps.rateLimit.enabled
    ? app.rateLimit({
        // A tenant's policy may set its own budget (rateLimitPerPeriod); admin keys get the deployment's.
        max: async (request: FastifyRequest) =>
          (await deps.tenantRateLimit?.(request.principal?.tenantId ?? null)) ?? deps.rateLimit.requests,
        timeWindow: deps.rateLimit.periodMs,
        keyGenerator: (request: FastifyRequest) => request.principal?.keyId ?? request.ip,
      })
    : undefined;
  await app.register(healthRoutes, {
    health: deps.health,
    metrics: deps.metrics,
    metricsEnabled: deps.metricsEnabled,
    metricsAccess: deps.metricsPublic ? 'public' : 'authenticated',
  });
  const connections = new SseConnections();
  deps.metrics.computedGauge('agentd_sse_clients', 'Open SSE streams.', [], () =>
    Promise.resolve([{ labels: {}, value: connections.count }]),
  );
  deps.metrics.computedGauge(
    'agentd_sse_buffered_bytes',
    'Bytes agentd holds for SSE clients that read slowly.',
    [],
    () => Promise.resolve([{ labels: {}, value: connections.bufferedBytes() }]),
  );
  await app.register(runRoutes, {
    connections,
    signals: deps.signals,
    runs: deps.runs,
    store: deps.store,
    eventLog: deps.eventLog,
    heartbeatMs: deps.http.heartbeatMs,
    shutdown: deps.shutdown,
    rateLimit: executionLimit,
  });
  for (const plugin of deps.plugins ?? []) await plugin(app);
  return app;
}
