import type { Http2Config } from './http2-config.js';
import type { JwtConfig } from './jwt-config.js';
import type { RunSettings } from './run-settings.js';
import type { SecretsConfig } from './secrets-config.js';
import type { IsolationPolicy, LifecyclePolicy } from './lifecycle-policy.js';
import type { WorkspaceConfig } from './workspace-config.js';

export type AppEnv = 'development' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface SandboxConfig {
  image: string;
  profilesDir: string;
  seccompDir: string;
  apparmorDir: string;
  defaultProfile: string;
  isolation: IsolationPolicy;
  /** AGENTD_POSTURE: refuse to start on a host with a known-vulnerable runtime (`required`) or report it. */
  posture: 'required' | 'preferred';
  lifecycle: LifecyclePolicy;
  /** AGENTD_POLICY_FILE: a lifecycle policy document (YAML or JSON) used until one is set through the API. */
  policyFile: string | undefined;
  /** From container start until the runner's first call home. */
  startTimeoutMs: number;
  /** AGENTD_REAP_RETENTION: how long the fleet's removal records are kept in the database. */
  reapRetentionMs: number;
}

export interface HttpConfig {
  host: string;
  port: number;
  bodyLimitBytes: number;
  corsOrigins: string[];
  hsts: boolean;
  /** SSE comment heartbeats (`: ping`). */
  heartbeatMs: number;
  /** WebSocket liveness: a ping frame this often; a peer that has not answered the previous one is closed (4000). */
  wsPingIntervalMs: number;
  /** Open WebSocket connections one principal (API key) may hold on this node. */
  wsMaxConnectionsPerPrincipal: number;
  /** The `retry:` every SSE stream starts with: an EventSource's reconnect delay. */
  sseRetryMs: number;
  http2: Http2Config;
  /** AGENTD_AGENTCORE_PORT: an extra listener serving only the AgentCore Runtime routes (e.g. 8080). */
  agentCorePort: number | undefined;
}

export interface AgentdConfig {
  appEnv: AppEnv;
  nodeId: string;
  stateDir: string;
  log: { level: LogLevel; pretty: boolean };
  http: HttpConfig;
  /** Admin keys from API_KEYS; JWT bearer tokens when an OIDC provider or an HS256 secret is configured. */
  auth: { apiKeys: string[]; jwt: JwtConfig | undefined };
  /** Browser tickets: how long a conversation (WebSocket) ticket stays usable (AGENTD_TICKET_TTL). */
  tickets: { conversationTtlMs: number };
  rateLimit: { enabled: boolean; requests: number; periodMs: number };
  /**
   * Read-mostly data (API keys, models, tenant policies) cached per node and emptied fleet-wide on change
   * (AGENTD_CACHE_TTL bounds staleness when an invalidation is lost; 0 turns the caches off).
   */
  caches: { ttlMs: number; negativeTtlMs: number; maxEntries: number };
  metrics: { enabled: boolean; public: boolean };
  shutdownTimeoutMs: number;
  database: { url: string | undefined; autoMigrate: boolean };
  redis: { url: string | undefined; password: string | undefined; prefix: string };
  /** Conversation run locks expire this long after their holder stops extending them (a crash). */
  lockTtlMs: number;
  /** A node whose heartbeat is older than this is dead: its runs are interrupted and its conversations free. */
  heartbeatTtlMs: number;
  /** At shutdown: keep sandboxes for the next process to adopt, or remove them. */
  shutdownSandboxes: 'keep' | 'remove';
  models: {
    defaultModelId: string;
    bedrock: { region: string; endpoint: string | undefined; maxAttempts: number };
    /** Delay between the scripted model's deltas (demos); 0 in tests. */
    scriptedDeltaDelayMs: number;
    /** Model text/thinking deltas arriving within this window become one event (0: one event per delta). */
    deltaWindowMs: number;
  };
  runs: RunSettings;
  eventLog: {
    maxEventsPerRun: number;
    maxBytesPerRun: number;
    /** The embedded log's budget across runs (bytes of events' JSON); the Redis log leaves memory to Redis. */
    maxTotalBytes: number;
    retentionMs: number;
    abandonedTtlMs: number;
  };
  /** Bounds on what one runner may send during a run (it is untrusted input). */
  runnerLimits: {
    maxEventBytes: number;
    maxEventsPerRun: number;
    maxBytesPerRun: number;
    eventsPerSecond: number;
    eventBurst: number;
  };
  docker: { host: string };
  sandbox: SandboxConfig;
  callHome: { pollTimeoutMs: number; maxJsonBytes: number; maxConnectionsPerSandbox: number };
  egress: {
    /** AGENTD_EGRESS_DNS_SERVER: `ip:port` of the resolver egress host names are looked up with (default: the system's). */
    dnsServer: string | undefined;
    /** How long a new egress connection may take to send its first request (TLS ClientHello or HTTP head). */
    firstBytesTimeoutMs: number;
    /** AGENTD_EGRESS_IDLE_TIMEOUT: an egress connection with no traffic this long is closed. */
    idleTimeoutMs: number;
  };
  image: { debianMirror: string | undefined; baseImage: string | undefined };
  /**
   * Tenants' MCP servers: special-purpose addresses (private, loopback …) a remote server may have, as
   * `CIDR` or `CIDR:port` (AGENTD_MCP_ALLOW_ADDRESSES; none by default), and a call's default timeout.
   */
  mcp: { allowAddresses: string[]; defaultTimeoutMs: number };
  /** Workspace store (S3 or a local directory) and the limits of one workspace. */
  workspace: WorkspaceConfig;
  /** Credential injection (egress hosts whose requests agentd adds secrets to). */
  interception: {
    /**
     * AGENTD_EGRESS_EXTRA_CA_FILE: PEM roots trusted for origins beside the system's (a private CA, or a
     * test's local origin).
     */
    extraCaFile: string | undefined;
  };
  /** Tenant secrets: the keyring (AGENTD_SECRETS_KEY) and limits. */
  secrets: SecretsConfig;
  /** Where the repository's deployment/ directory is (profiles, seccomp, AppArmor, image build files). */
  deploymentDir: string;
  /**
   * Settings that are unsafe in production (APP_ENV=production refuses to start on any of them; the daemon
   * adds host isolation problems and reports everything in one error).
   */
  productionIssues: string[];
  /** Production settings that are allowed but worth a warning at start (e.g. Redis without a password). */
  productionWarnings: string[];
}
