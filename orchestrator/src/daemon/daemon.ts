import type { FastifyInstance } from 'fastify';
import type { RequestAuthenticator } from '../api/access.js';
import type { Http2Urls } from '../api/http2-listeners.js';
import type { ApiKeyAuth } from '../auth/api-key-auth.js';
import type { TicketService } from '../auth/ticket-service.js';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { Clock } from '../common/clock.js';
import type { LockService } from '../common/lock-service.js';
import type { Logger } from '../common/logger.js';
import type { AgentdConfig } from '../config/config.js';
import type { LifecyclePolicy } from '../config/lifecycle-policy.js';
import type { Database } from '../db/create-database.js';
import type { DockerEngine } from '../docker/docker-engine.js';
import type { HealthService } from '../health/health-service.js';
import type { Metrics } from '../metrics/metrics.js';
import type { ModelProvider } from '../model/model-provider.js';
import type { RunEventLog } from '../runs/run-event-log.js';
import type { RunService } from '../runs/run-service.js';
import type { SandboxProfile } from '../sandbox/profile.js';
import type { SandboxRegistry } from '../sandbox/sandbox-registry.js';
import type { HostSecurityFacts } from '../security/host-security.js';
import type { VersionSource } from '../security/version-source.js';
import type { OutboundGuard } from '../outbound/outbound-guard.js';
import type { SecretService } from '../secrets/secret-service.js';
import type { Store } from '../store/repositories.js';
import type { SandboxSubsystem } from './sandbox-subsystem.js';

/** A running agentd node: its parts (tests and the CLI reach in) and its lifecycle. */
export interface Daemon extends SandboxSubsystem {
  config: AgentdConfig;
  logger: Logger;
  metrics: Metrics;
  docker: DockerEngine;
  hostSecurity: HostSecurityFacts;
  profiles: ReadonlyMap<string, SandboxProfile>;
  registry: SandboxRegistry;
  callHome: CallHomeServer;
  database: Database;
  store: Store;
  auth: ApiKeyAuth;
  tickets: TicketService;
  /** The HTTP API's authentication (header credentials or a ticket), as a WebSocket upgrade uses it. */
  authenticate: RequestAuthenticator;
  locks: LockService;
  eventLog: RunEventLog;
  runs: RunService;
  health: HealthService;
  app: FastifyInstance;
  /** The live lifecycle policy; replace it to apply a change without a restart. */
  policy: { current: LifecyclePolicy };
  /** The development admin key (generated when API_KEYS is empty outside production). */
  developmentAdminKey: string | undefined;
  /** Tenant secrets; also the SecretResolver for remote MCP headers and egress credential injection. */
  secrets: SecretService;
  /** The one way to connect out for tenants (remote MCP servers, egress): the outbound address rules. */
  outbound: OutboundGuard;
  /** `http://host:port` once started. */
  url: string | undefined;
  /** The optional HTTP/2 listeners' URLs once started (AGENTD_H2C_PORT, AGENTD_TLS_PORT). */
  http2Urls: Http2Urls;
  /** Starts serving; a failed start closes everything the daemon opened. */
  start(): Promise<void>;
  /** Graceful: refuse new runs, tell streams, let runs finish until SHUTDOWN_TIMEOUT, then interrupt them. */
  shutdown(): Promise<void>;
  /** Immediate: stop everything this process runs (sandboxes stay and are adopted or reaped later). */
  close(): Promise<void>;
}

export interface DaemonOverrides {
  clock?: Clock;
  registry?: SandboxRegistry;
  /** Extra model providers by name (tests point `bedrock` at a local ConverseStream server this way). */
  providers?: Map<string, ModelProvider>;
  /** Where the security posture reads component versions (tests inject an affected runc this way). */
  versionSource?: VersionSource;
}
