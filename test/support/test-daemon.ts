import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Clock } from '../../orchestrator/src/common/clock.js';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { createLogger } from '../../orchestrator/src/common/logger.js';
import { loadConfig } from '../../orchestrator/src/config/load-config.js';
import type { SandboxRegistry } from '../../orchestrator/src/sandbox/sandbox-registry.js';
import { LABELS } from '../../orchestrator/src/docker/labels.js';
import { createDaemon, type Daemon } from '../../orchestrator/src/main.js';
import type { ModelProvider } from '../../orchestrator/src/model/model-provider.js';
import type { VersionSource } from '../../orchestrator/src/security/version-source.js';
import { createEmptyDatabase } from './test-database.js';

export interface TestDaemonOptions {
  env?: Record<string, string>;
  nodeId?: string;
  stateDir?: string;
  /** Share a database between daemons (a second node, a restart); by default each daemon gets a fresh one. */
  databaseUrl?: string;
  clock?: Clock;
  registry?: SandboxRegistry;
  providers?: Map<string, ModelProvider>;
  /** Replaces the engine and kernel versions the security posture reads. */
  versionSource?: VersionSource;
  /** Start the supervisor and the HTTP server (port chosen by the OS). Default true. */
  start?: boolean;
}

export interface TestDaemon extends Daemon, AsyncDisposable {
  adminKey: string;
  databaseUrl: string;
  /** `fetch` against the daemon's API with the admin key (or another key). */
  api(
    method: string,
    urlPath: string,
    body?: unknown,
    key?: string,
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** Removes every container of this node, the state dir and the database (if this daemon created them). */
  destroy(): Promise<void>;
}

/**
 * One secrets key for every daemon of this test process, so nodes sharing a database (fleet suites, restarts)
 * open each other's secrets; a suite that tests the key itself overrides AGENTD_SECRETS_KEY.
 */
const TEST_SECRETS_KEY = `test:${randomBytes(32).toString('base64')}`;

/** A daemon with its own node id, state dir and database, so suites never see each other's sandboxes. */
export async function startTestDaemon(options: TestDaemonOptions = {}): Promise<TestDaemon> {
  const nodeId = options.nodeId ?? `t-${randomId(8)}`;
  const stateDir = options.stateDir ?? (await mkdtemp(path.join(tmpdir(), 'agentd-')));
  const database = options.databaseUrl === undefined ? await createEmptyDatabase() : undefined;
  const databaseUrl = options.databaseUrl ?? database?.url ?? '';
  const adminKey = `test-admin-${randomId(24)}`;
  const config = loadConfig({
    ...process.env,
    AGENTD_NODE_ID: nodeId,
    AGENTD_STATE_DIR: stateDir,
    DATABASE_URL: databaseUrl,
    AGENTD_AUTO_MIGRATE: 'true',
    API_KEYS: adminKey,
    APP_HOST: '127.0.0.1',
    APP_PORT: '0',
    AGENTD_POOL_SIZE: '0',
    // Long enough that no background tick interferes unless a test asks for it.
    AGENTD_REAP_INTERVAL: '1h',
    RATE_LIMIT_ENABLED: 'false',
    AGENTD_SECRETS_KEY: TEST_SECRETS_KEY,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const logger = createLogger({ level: config.log.level, pretty: false, base: { node: nodeId } });
  let daemon: Daemon;
  try {
    daemon = await createDaemon(config, logger, {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.registry ? { registry: options.registry } : {}),
      ...(options.providers ? { providers: options.providers } : {}),
      ...(options.versionSource ? { versionSource: options.versionSource } : {}),
    });
  } catch (err) {
    await database?.drop();
    if (options.stateDir === undefined) await rm(stateDir, { recursive: true, force: true });
    throw err;
  }
  if (options.start !== false) await daemon.start();
  let destroyed: Promise<void> | undefined;
  const destroy = (): Promise<void> =>
    (destroyed ??= (async () => {
      // A close that fails (a test broke a dependency on purpose) must still leave no container behind.
      try {
        await daemon.close();
      } finally {
        for (const container of await daemon.docker.containers.listManaged({ [LABELS.node]: nodeId })) {
          await daemon.docker.containers.remove(container.id);
        }
        if (options.stateDir === undefined) await rm(stateDir, { recursive: true, force: true });
        await database?.drop();
      }
    })());
  const api: TestDaemon['api'] = async (method, urlPath, body, key = adminKey) => {
    if (!daemon.url) throw new Error('the test daemon was not started');
    const res = await fetch(`${daemon.url}${urlPath}`, {
      method,
      headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      // Not JSON (metrics, for example): the text is the body.
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return Object.assign(daemon, { adminKey, databaseUrl, api, destroy, [Symbol.asyncDispose]: destroy });
}

/** A clock tests can move forward. */
export class TestClock implements Clock {
  #offset = 0;
  now(): number {
    return Date.now() + this.#offset;
  }
  advance(ms: number): void {
    this.#offset += ms;
  }
}
