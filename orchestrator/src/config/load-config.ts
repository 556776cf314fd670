import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../common/errors.js';
import { DEFAULT_LIFECYCLE_POLICY } from '../sandbox/lifecycle-policy.js';
import type { AgentdConfig, LogLevel } from './config.js';
import { EnvReader } from './env-reader.js';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
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
  const deploymentDir = path.resolve(r.string('AGENTD_DEPLOYMENT_DIR', path.join(REPO_ROOT, 'deployment')));
  const defaultStateDir =
    process.getuid?.() === 0 ? '/var/lib/agentd' : path.join(env.HOME ?? '/tmp', '.local/state/agentd');
  const defaultProfile = r.string('AGENTD_PROFILE', 'standard');
  const config: AgentdConfig = {
    appEnv,
    nodeId: r.string('AGENTD_NODE_ID', hostname()),
    stateDir: path.resolve(r.string('AGENTD_STATE_DIR', defaultStateDir)),
    log: {
      level: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      pretty: r.boolean('LOG_PRETTY', options.isTty ?? false),
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
      },
      startTimeoutMs: r.durationMs('AGENTD_SANDBOX_START_TIMEOUT', 30_000, 1000),
    },
    callHome: {
      pollTimeoutMs: r.durationMs('AGENTD_RUNNER_POLL_TIMEOUT', 25_000, 100),
      maxJsonBytes: 1024 * 1024,
      maxConnectionsPerSandbox: 32,
    },
    image: {
      debianMirror: r.optionalString('AGENTD_DEBIAN_MIRROR'),
      baseImage: r.optionalString('AGENTD_BASE_IMAGE'),
    },
    deploymentDir,
  };
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(config.nodeId)) {
    r.issues.push(`AGENTD_NODE_ID: must be 1-63 letters, digits, '.', '_' or '-' (got "${config.nodeId}")`);
  }
  if (r.issues.length > 0) throw new ValidationError('invalid configuration', r.issues);
  return config;
}
