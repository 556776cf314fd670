import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TicketService } from '../auth/ticket-service.js';
import { randomId } from '../common/ids.js';
import type { Logger } from '../common/logger.js';
import type { HttpConfig } from '../config/config.js';
import type { HealthService } from '../health/health-service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ConversationService } from '../controlplane/conversation-service.js';
import type { SessionService } from '../controlplane/session-service.js';
import type { KeyService } from '../controlplane/key-service.js';
import type { SecretService } from '../secrets/secret-service.js';
import type { ModelService } from '../controlplane/model-service.js';
import type { TenantService } from '../controlplane/tenant-service.js';
import type { UsageService } from '../controlplane/usage-service.js';
import type { McpServerService } from '../mcp/mcp-server-service.js';
import type { OperatorService } from '../operators/operator-service.js';
import type { SkillService } from '../skills/skill-service.js';
import type { RunStreamService } from '../runs/run-stream-service.js';
import type { SimpleChatService } from '../runs/simple-chat-service.js';
import type { WorkspaceFiles } from '../workspace/workspace-files.js';
import { installAccessControl, type RequestAuthenticator } from './access.js';
import { installErrorHandler, sendFrameworkError, writeClientError } from './error-handler.js';
import { serializeRequest } from './request-log.js';
import { SseConnections } from './sse-connections.js';
import { WsConnections } from './ws-connections.js';
import { installTextGuard } from './text-guard.js';
import { adminRoutes } from './routes/admin.js';
import { consoleRoutes } from './routes/console.js';
import { loadConsoleAssets } from './console-assets.js';
import { agentCoreRoutes } from './routes/agentcore.js';
import { sessionRoutes } from './routes/sessions.js';
import { auditLogRoutes, type AuditRoutesOptions } from './routes/audit.js';
import { egressAuditRoutes } from './routes/egress-audit.js';
import type { EgressAuditService } from '../egress/egress-audit-service.js';
import { conversationRoutes } from './routes/conversations.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { mcpServerRoutes } from './routes/mcp-servers.js';
import { secretRoutes } from './routes/secrets.js';
import { modelRoutes } from './routes/models.js';
import { runRoutes } from './routes/runs.js';
import { simpleChatRoutes } from './routes/simple-chats.js';
import { skillRoutes } from './routes/skills.js';
import { tenantRoutes } from './routes/tenants.js';
import { ticketRoutes } from './routes/tickets.js';
import { usageRoutes } from './routes/usage.js';
import { websocketRoutes } from './routes/websocket.js';
import { workspaceRoutes } from './routes/workspace.js';

export interface ApiDependencies {
  http: HttpConfig;
  logger: Logger;
  /** Header credentials, or `?ticket=` where a route accepts tickets (also used by WebSocket upgrades). */
  authenticate: RequestAuthenticator;
  tickets: TicketService;
  streams: RunStreamService;
  chats: SimpleChatService;
  health: HealthService;
  metrics: Metrics;
  metricsEnabled: boolean;
  metricsPublic: boolean;
  shutdown: AbortSignal;
  /** Runs this node executes now (AgentCore's /ping). */
  activeRuns: () => number;
  /** The services behind the control plane, operator and audit routes. */
  services: {
    tenants: TenantService;
    models: ModelService;
    conversations: ConversationService;
    sessions: SessionService;
    files: WorkspaceFiles;
    usage: UsageService;
    keys: KeyService;
    secrets: SecretService;
    audit: Omit<AuditRoutesOptions, 'version'>;
    operators: OperatorService;
    skills: SkillService;
    mcpServers: McpServerService;
    egressAudit: EgressAuditService;
  };
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const AGENTD_VERSION = '0.1.0';

/** The HTTP API as one Fastify instance: security middleware, one error handler, then the routes. */
export async function buildApp(deps: ApiDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    // Without the cast Fastify infers pino's Logger as its logger type and the instance no longer fits plugins.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.logger.child(
      { component: 'http' },
      { serializers: { req: serializeRequest } },
    ) as FastifyBaseLogger,
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
  installErrorHandler(app, (code) => deps.metrics.errors.inc({ code, source: 'api' }));
  installTextGuard(app);
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: false,
    hsts: deps.http.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  // Registered before access control: its onRequest hook answers a preflight (which carries no credentials)
  // before any key is asked for. Origins outside CORS_ORIGINS get no allow-origin, so browsers refuse them.
  await app.register(cors, {
    origin: deps.http.corsOrigins.length === 0 ? false : deps.http.corsOrigins,
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'Last-Event-ID',
      'X-API-Key',
      'X-Request-ID',
      'X-Tenant-ID',
      'X-User-ID',
      'X-Admin-ID',
      'X-Amzn-Bedrock-AgentCore-Runtime-Session-Id',
    ],
    exposedHeaders: [
      'x-request-id',
      'x-run-id',
      'x-chat-id',
      'x-session-id',
      'x-amzn-bedrock-agentcore-runtime-session-id',
      'retry-after',
      'x-ratelimit-limit',
      'x-ratelimit-remaining',
      'x-ratelimit-reset',
    ],
    maxAge: 600,
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'agentd',
        version: AGENTD_VERSION,
        description: 'Container-isolated agent orchestrator',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key, or a JWT when OIDC is configured',
          },
          ticket: {
            type: 'apiKey',
            in: 'query',
            name: 'ticket',
            description: 'A browser ticket (POST …/tickets), only on the routes that list it',
          },
          token: {
            type: 'apiKey',
            in: 'query',
            name: 'token',
            description: 'A JWT, only on WebSocket upgrades',
          },
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
  installAccessControl(app, deps.authenticate);

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
    streams: deps.streams,
    heartbeatMs: deps.http.heartbeatMs,
    retryMs: deps.http.sseRetryMs,
    shutdown: deps.shutdown,
  });
  await app.register(simpleChatRoutes, {
    connections,
    chats: deps.chats,
    streams: deps.streams,
    heartbeatMs: deps.http.heartbeatMs,
    retryMs: deps.http.sseRetryMs,
    shutdown: deps.shutdown,
  });
  const wsConnections = new WsConnections(deps.http.wsMaxConnectionsPerPrincipal);
  deps.metrics.computedGauge('agentd_ws_connections', 'Open WebSocket connections.', [], () =>
    Promise.resolve([{ labels: {}, value: wsConnections.count }]),
  );
  await app.register(websocketRoutes, {
    streams: deps.streams,
    connections: wsConnections,
    // A browser's upgrade carries a single-use conversation ticket (`?ticket=`) or a JWT (`?token=`, upgrades
    // only); other clients a header.
    authenticate: (request) => deps.authenticate(request, 'conversation', request.ws),
    corsOrigins: deps.http.corsOrigins,
    pingIntervalMs: deps.http.wsPingIntervalMs,
    shutdown: deps.shutdown,
    openSession: async (tenantId, sessionId) => {
      const { conversation } = await deps.services.sessions.open(tenantId, sessionId, null);
      return { conversationId: conversation.id };
    },
  });
  const { services } = deps;
  const runSse = {
    streams: deps.streams,
    connections,
    heartbeatMs: deps.http.heartbeatMs,
    retryMs: deps.http.sseRetryMs,
    shutdown: deps.shutdown,
  };
  await app.register(sessionRoutes, {
    ...runSse,
    sessions: services.sessions,
    conversations: services.conversations,
  });
  await app.register(agentCoreRoutes, {
    ...runSse,
    sessions: services.sessions,
    activeRuns: deps.activeRuns,
    version: AGENTD_VERSION,
  });
  await app.register(tenantRoutes, { tenants: services.tenants });
  await app.register(modelRoutes, { models: services.models });
  await app.register(conversationRoutes, { conversations: services.conversations });
  await app.register(workspaceRoutes, { files: services.files });
  await app.register(skillRoutes, { skills: services.skills });
  await app.register(usageRoutes, { usage: services.usage });
  await app.register(keyRoutes, { keys: services.keys });
  await app.register(secretRoutes, { secrets: services.secrets });
  await app.register(ticketRoutes, { tickets: deps.tickets });
  await app.register(auditLogRoutes, { ...services.audit, version: AGENTD_VERSION });
  await app.register(egressAuditRoutes, { egressAudit: services.egressAudit });
  await app.register(adminRoutes, { operators: services.operators });
  await app.register(mcpServerRoutes, { mcpServers: services.mcpServers });
  await app.register(consoleRoutes, { assets: await loadConsoleAssets() });
  return app;
}
