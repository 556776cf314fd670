import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Clock } from '../../orchestrator/src/common/clock.js';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { createLogger } from '../../orchestrator/src/common/logger.js';
import { loadConfig } from '../../orchestrator/src/config/load-config.js';
import type { SandboxRegistry } from '../../orchestrator/src/coordination/sandbox-registry.js';
import { LABELS } from '../../orchestrator/src/docker/labels.js';
import { createDaemon, type Daemon } from '../../orchestrator/src/main.js';

export interface TestDaemonOptions {
  env?: Record<string, string>;
  nodeId?: string;
  stateDir?: string;
  clock?: Clock;
  registry?: SandboxRegistry;
  /** Start the supervisor (reconcile, pool, reaper loop). Default true. */
  start?: boolean;
}

export interface TestDaemon extends Daemon, AsyncDisposable {
  /** Removes every container of this node and the state dir. */
  destroy(): Promise<void>;
}

/** A daemon with its own node id and state dir, so suites never see each other's sandboxes. */
export async function startTestDaemon(options: TestDaemonOptions = {}): Promise<TestDaemon> {
  const nodeId = options.nodeId ?? `t-${randomId(8)}`;
  const stateDir = options.stateDir ?? (await mkdtemp(path.join(tmpdir(), 'agentd-')));
  const config = loadConfig({
    ...process.env,
    AGENTD_NODE_ID: nodeId,
    AGENTD_STATE_DIR: stateDir,
    AGENTD_POOL_SIZE: '0',
    // Long enough that no background tick interferes unless a test asks for it.
    AGENTD_REAP_INTERVAL: '1h',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...options.env,
  });
  const logger = createLogger({ level: config.log.level, pretty: false, base: { node: nodeId } });
  const daemon = await createDaemon(config, logger, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
  });
  if (options.start !== false) await daemon.start();
  const destroy = async (): Promise<void> => {
    await daemon.close();
    for (const container of await daemon.docker.listManaged({ [LABELS.node]: nodeId })) {
      await daemon.docker.remove(container.id);
    }
    if (options.stateDir === undefined) await rm(stateDir, { recursive: true, force: true });
  };
  return Object.assign(daemon, { destroy, [Symbol.asyncDispose]: destroy });
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
