import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../common/errors.js';
import { DEFAULT_LIFECYCLE_POLICY } from './lifecycle-policy.js';
import type { AgentdConfig, LogLevel } from './config.js';
import { EnvReader } from './env-reader.js';
import { loadHttp2Config } from './http2-config.js';
import { jwtProductionIssues, loadJwtConfig } from './jwt-config.js';
import { productionIssues, productionWarnings } from './production-checks.js';
import { loadSecretsConfig } from './secrets-config.js';
import { loadWorkspaceConfig } from './workspace-config.js';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const LOG_ALIASES: Record<string, LogLevel> = { warning: 'warn', critical: 'fatal' };
const RUNNER_VERSION = '0.1.0';
/** orchestrator/{src,dist}/config → repository root. */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface LoadConfigOptions {
  /** Whether stdout is a terminal (pretty logs); passed in so tests need not fake a TTY. */
  isTty?: boolean;
}

/** The only reader of the environment. Reports every bad variable at once. */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  options: LoadConfigOptions = {},
): AgentdConfig {
  const r = new EnvReader(env);
  const appEnv = r.oneOf('APP_ENV', ['development', 'production'], 'development');
  const production = appEnv === 'production';
  const deploymentDir = path.resolve(r.string('AGENTD_DEPLOYMENT_DIR', path.join(REPO_ROOT, 'deployment')));
  const defaultStateDir =
    process.getuid?.() === 0 ? '/var/lib/agentd' : path.join(env.HOME ?? '/tmp', '.local/state/agentd');
  const defaultProfile = r.string('AGENTD_PROFILE', 'standard');
  const apiKeys = (r.optionalString('API_KEYS') ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const runTimeoutMs = r.durationMs('AGENTD_RUN_TIMEOUT', 15 * 60_000, 1000);
  const stateDir = path.resolve(r.string('AGENTD_STATE_DIR', defaultStateDir));
  const config: AgentdConfig = {
    appEnv,
    nodeId: r.string('AGENTD_NODE_ID', hostname()),
    stateDir,
    log: {
      level: logLevel(r),
      pretty: r.boolean('LOG_PRETTY', options.isTty ?? false),
    },
    http: {
      host: r.string('APP_HOST', production ? '0.0.0.0' : '127.0.0.1'),
      port: r.integer('APP_PORT', 8000, 0, 65_535),
      bodyLimitBytes: r.integer('AGENTD_BODY_LIMIT_BYTES', 1024 * 1024, 1024, 256 * 1024 * 1024),
      corsOrigins: (r.optionalString('CORS_ORIGINS') ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      hsts: r.boolean('HSTS_ENABLED', production),
      heartbeatMs: r.durationMs('AGENTD_SSE_HEARTBEAT', 15_000, 100),
      wsPingIntervalMs: r.durationMs('WS_PING_INTERVAL', 30_000, 100),
      wsMaxConnectionsPerPrincipal: r.integer('WS_MAX_CONNECTIONS_PER_PRINCIPAL', 20, 1, 100_000),
      sseRetryMs: r.durationMs('AGENTD_SSE_RETRY', 3_000, 100),
      http2: loadHttp2Config(r),
      agentCorePort:
        r.raw('AGENTD_AGENTCORE_PORT') === undefined
          ? undefined
          : r.integer('AGENTD_AGENTCORE_PORT', 8080, 0, 65_535),
    },
    auth: { apiKeys, jwt: loadJwtConfig(r) },
    tickets: { conversationTtlMs: r.durationMs('AGENTD_TICKET_TTL', 60_000, 100) },
    rateLimit: {
      enabled: r.boolean('RATE_LIMIT_ENABLED', true),
      requests: r.integer('RATE_LIMIT_REQUESTS', 60, 1, 1_000_000),
      periodMs: r.durationMs('RATE_LIMIT_PERIOD', 60_000, 1000),
    },
    caches: loadCacheConfig(r),
    metrics: {
      enabled: r.boolean('METRICS_ENABLED', true),
      public: r.boolean('METRICS_PUBLIC', !production),
    },
    shutdownTimeoutMs: r.durationMs('SHUTDOWN_TIMEOUT', 30_000, 0),
    database: {
      url: r.optionalString('DATABASE_URL'),
      autoMigrate: r.boolean('AGENTD_AUTO_MIGRATE', !production),
    },
    redis: {
      url: r.optionalString('REDIS_URL'),
      password: r.optionalString('REDIS_PASSWORD'),
      prefix: r.string('AGENTD_REDIS_PREFIX', 'agentd:'),
    },
    lockTtlMs: r.durationMs('AGENTD_LOCK_TTL', 30_000, 1000),
    heartbeatTtlMs: r.durationMs('AGENTD_HEARTBEAT_TTL', 15_000, 1000),
    shutdownSandboxes: r.oneOf(
      'AGENTD_SHUTDOWN_SANDBOXES',
      ['keep', 'remove'],
      r.optionalString('REDIS_URL') ? 'keep' : 'remove',
    ),
    models: {
      defaultModelId: r.string('DEFAULT_MODEL_ID', 'scripted'),
      bedrock: {
        region: r.string('AWS_REGION', r.string('AWS_DEFAULT_REGION', 'us-east-1')),
        endpoint:
          r.optionalString('AWS_ENDPOINT_URL_BEDROCK_RUNTIME') ?? r.optionalString('AWS_ENDPOINT_URL'),
        maxAttempts: r.integer('BEDROCK_MAX_ATTEMPTS', 3, 1, 10),
      },
      scriptedDeltaDelayMs: r.integer('AGENTD_SCRIPTED_DELAY_MS', 0, 0, 10_000),
      deltaWindowMs: r.durationMs('AGENTD_MODEL_DELTA_WINDOW', 25, 0),
    },
    runs: {
      runTimeoutMs,
      maxSteps: r.integer('AGENTD_MAX_STEPS', 50, 1, 10_000),
      toolTimeoutMs: r.durationMs('AGENTD_TOOL_TIMEOUT', 120_000, 100),
      maxToolTimeoutMs: r.durationMs('AGENTD_MAX_TOOL_TIMEOUT', 600_000, 100),
      toolOutputBytes: r.integer('AGENTD_TOOL_OUTPUT_BYTES', 64 * 1024, 1024, 1024 * 1024),
      cancelGraceMs: r.durationMs('AGENTD_CANCEL_GRACE', 5_000, 0),
      disconnectGraceMs: r.durationMs('AGENTD_DISCONNECT_GRACE', 30_000, 0),
      maxMessageChars: 200_000,
      finalMaxChars: r.integer('AGENTD_FINAL_MAX_CHARS', 100_000, 100, 10_000_000),
      usageIntervalMs: r.durationMs('AGENTD_USAGE_INTERVAL', 1_000, 100),
      pidsSaturationMs: r.durationMs('AGENTD_PIDS_SATURATION', 10_000, 0),
    },
    eventLog: {
      maxEventsPerRun: r.integer('AGENTD_EVENT_LOG_MAX_EVENTS', 50_000, 10, 10_000_000),
      maxBytesPerRun: r.integer('AGENTD_EVENT_LOG_MAX_BYTES', 32 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
      maxTotalBytes: r.integer(
        'AGENTD_EVENT_LOG_MAX_TOTAL_BYTES',
        256 * 1024 * 1024,
        1024,
        64 * 1024 * 1024 * 1024,
      ),
      retentionMs: r.durationMs('AGENTD_EVENT_LOG_RETENTION', 15 * 60_000, 1000),
      abandonedTtlMs: 0,
    },
    runnerLimits: {
      // A tool_call echoes the model's input (write_file content), and JSON escaping grows output several times.
      maxEventBytes: r.integer('AGENTD_RUNNER_MAX_EVENT_BYTES', 4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
      maxEventsPerRun: r.integer('AGENTD_RUNNER_MAX_EVENTS', 200_000, 10, 10_000_000),
      maxBytesPerRun: r.integer('AGENTD_RUNNER_MAX_BYTES', 128 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
      eventsPerSecond: r.integer('AGENTD_RUNNER_EVENTS_PER_SECOND', 2_000, 1, 1_000_000),
      eventBurst: r.integer('AGENTD_RUNNER_EVENT_BURST', 10_000, 1, 10_000_000),
    },
    docker: { host: r.string('DOCKER_HOST', 'unix:///var/run/docker.sock') },
    sandbox: {
      image: r.string('AGENTD_RUNNER_IMAGE', `agentd/sandbox-runner:${RUNNER_VERSION}`),
      profilesDir: path.join(deploymentDir, 'profiles'),
      seccompDir: path.join(deploymentDir, 'seccomp'),
      apparmorDir: path.join(deploymentDir, 'apparmor'),
      defaultProfile,
      isolation: {
        apparmor: r.oneOf('AGENTD_APPARMOR', ['required', 'preferred'], 'preferred'),
        userns: r.oneOf('AGENTD_USERNS', ['required', 'preferred'], 'required'),
      },
      posture: r.oneOf('AGENTD_POSTURE', ['required', 'preferred'], 'preferred'),
      lifecycle: {
        poolSize: {
          [defaultProfile]: r.integer(
            'AGENTD_POOL_SIZE',
            DEFAULT_LIFECYCLE_POLICY.poolSize.standard ?? 0,
            0,
            100,
          ),
        },
        idleTtlMs: r.durationMs('AGENTD_IDLE_TTL', DEFAULT_LIFECYCLE_POLICY.idleTtlMs, 1000),
        maxLifetimeMs: r.durationMs('AGENTD_MAX_LIFETIME', DEFAULT_LIFECYCLE_POLICY.maxLifetimeMs, 1000),
        maxSandboxesPerNode: r.integer(
          'AGENTD_MAX_SANDBOXES_PER_NODE',
          DEFAULT_LIFECYCLE_POLICY.maxSandboxesPerNode,
          1,
          10_000,
        ),
        maxSandboxesPerTenant: r.integer(
          'AGENTD_MAX_SANDBOXES_PER_TENANT',
          DEFAULT_LIFECYCLE_POLICY.maxSandboxesPerTenant,
          1,
          10_000,
        ),
        reapIntervalMs: r.durationMs('AGENTD_REAP_INTERVAL', DEFAULT_LIFECYCLE_POLICY.reapIntervalMs, 100),
        idleProcesses: DEFAULT_LIFECYCLE_POLICY.idleProcesses,
        idleCpuLimit: DEFAULT_LIFECYCLE_POLICY.idleCpuLimit,
      },
      policyFile: r.optionalString('AGENTD_POLICY_FILE'),
      reapRetentionMs: r.durationMs('AGENTD_REAP_RETENTION', 7 * 24 * 3_600_000, 60_000),
      startTimeoutMs: r.durationMs('AGENTD_SANDBOX_START_TIMEOUT', 30_000, 1000),
    },
    callHome: {
      pollTimeoutMs: r.durationMs('AGENTD_RUNNER_POLL_TIMEOUT', 25_000, 100),
      maxJsonBytes: 1024 * 1024,
      // Egress connections (at most 64 per sandbox, enforced by the egress gateway) plus the runner's own.
      maxConnectionsPerSandbox: 96,
    },
    egress: {
      dnsServer: r.optionalString('AGENTD_EGRESS_DNS_SERVER'),
      firstBytesTimeoutMs: 10_000,
      idleTimeoutMs: r.durationMs('AGENTD_EGRESS_IDLE_TIMEOUT', 5 * 60_000, 1_000),
    },
    image: {
      debianMirror: r.optionalString('AGENTD_DEBIAN_MIRROR'),
      baseImage: r.optionalString('AGENTD_BASE_IMAGE'),
    },
    mcp: {
      allowAddresses: (r.optionalString('AGENTD_MCP_ALLOW_ADDRESSES') ?? '')
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
      defaultTimeoutMs: r.durationMs('AGENTD_MCP_TIMEOUT', 60_000, 100),
    },
    workspace: loadWorkspaceConfig(r, stateDir),
    interception: { extraCaFile: r.optionalString('AGENTD_EGRESS_EXTRA_CA_FILE') },
    secrets: loadSecretsConfig(r),
    deploymentDir,
    productionIssues: [],
    productionWarnings: [],
  };
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(config.nodeId)) {
    r.issues.push(`AGENTD_NODE_ID: must be 1-63 letters, digits, '.', '_' or '-' (got "${config.nodeId}")`);
  }
  if (config.database.url !== undefined && !/^postgres(ql)?:\/\//.test(config.database.url)) {
    r.issues.push('DATABASE_URL: must be a postgresql:// URL');
  }
  // Keys of a run whose node died mid-run expire after the longest a run may take, plus the retention window.
  config.eventLog.abandonedTtlMs = config.runs.runTimeoutMs + config.eventLog.retentionMs;
  if (r.issues.length > 0) throw new ValidationError('invalid configuration', r.issues);
  config.productionIssues = [...productionIssues(config), ...jwtProductionIssues(config.auth.jwt)];
  config.productionWarnings = productionWarnings(config);
  return config;
}

/**
 * LOG_LEVEL in any case, with Python's names too (the multi-tenant seed documents `INFO`; `WARNING` and
 * `CRITICAL` are logging's own spellings of warn and fatal).
 */
function logLevel(r: EnvReader): LogLevel {
  const given = r.raw('LOG_LEVEL');
  if (given === undefined) return 'info';
  const name = given.toLowerCase();
  const level = LOG_ALIASES[name] ?? name;
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  r.issues.push(`LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, any case (got "${given}")`);
  return 'info';
}

/** Unknown keys are remembered for at most a second: long enough to absorb a flood, short enough for a new key. */
function loadCacheConfig(r: EnvReader): AgentdConfig['caches'] {
  const ttlMs = r.durationMs('AGENTD_CACHE_TTL', 10_000, 0);
  return {
    ttlMs,
    negativeTtlMs: Math.min(ttlMs, 1_000),
    maxEntries: r.integer('AGENTD_CACHE_MAX_ENTRIES', 10_000, 1, 10_000_000),
  };
}
