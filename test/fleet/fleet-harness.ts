import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { randomId } from '../../orchestrator/src/common/ids.js';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import { migrate } from '../../orchestrator/src/db/migrate.js';
import { DockerEngine } from '../../orchestrator/src/docker/docker-engine.js';
import { LABELS } from '../../orchestrator/src/docker/labels.js';
import { spawnAgentd, waitReady, type AgentdProcess } from '../support/agentd-process.js';
import { createEmptyDatabase } from '../support/test-database.js';

export const REDIS_URL = process.env.AGENTD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Several agentd processes sharing one PostgreSQL database, one Redis prefix and the Docker engine. */
export class Fleet {
  readonly prefix = `agentd-fleet-${randomId(8)}:`;
  readonly adminKey = `fleet-admin-${randomId(24)}`;
  readonly nodes = new Map<string, AgentdProcess>();
  readonly stateDirs = new Map<string, string>();
  readonly docker = new DockerEngine({ dockerHost: 'unix:///var/run/docker.sock', logger: silentLogger() });
  databaseUrl = '';
  #dropDatabase: (() => Promise<void>) | undefined;

  constructor(private readonly env: Record<string, string> = {}) {}

  async setUp(): Promise<void> {
    const db = await createEmptyDatabase();
    this.databaseUrl = db.url;
    this.#dropDatabase = () => db.drop();
    await migrate(db.url, silentLogger());
  }

  /** Starts (or restarts, same node id and state dir) a node. */
  async start(nodeId: string, env: Record<string, string> = {}): Promise<AgentdProcess> {
    let stateDir = this.stateDirs.get(nodeId);
    if (!stateDir) {
      stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-'));
      this.stateDirs.set(nodeId, stateDir);
    }
    const node = await spawnAgentd(nodeId, {
      DATABASE_URL: this.databaseUrl,
      REDIS_URL,
      AGENTD_REDIS_PREFIX: this.prefix,
      API_KEYS: this.adminKey,
      AGENTD_STATE_DIR: stateDir,
      AGENTD_POOL_SIZE: '0',
      RATE_LIMIT_ENABLED: 'false',
      ...this.env,
      ...env,
    });
    await waitReady(node.url);
    this.nodes.set(nodeId, node);
    return node;
  }

  node(nodeId: string): AgentdProcess {
    const node = this.nodes.get(nodeId);
    if (!node) throw new Error(`no node ${nodeId}`);
    return node;
  }

  async api(
    nodeId: string,
    method: string,
    urlPath: string,
    body?: unknown,
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.node(nodeId).url}${urlPath}`, {
      method,
      headers: {
        'x-api-key': this.adminKey,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  }

  async containers(nodeId: string): Promise<string[]> {
    return (await this.docker.containers.listManaged({ [LABELS.node]: nodeId })).map((c) => c.id);
  }

  async tearDown(): Promise<void> {
    if (process.env.AGENTD_FLEET_LOGS) {
      for (const node of this.nodes.values())
        process.stderr.write(`--- ${node.nodeId}\n${node.logs.slice(-80).join('\n')}\n`);
    }
    for (const node of this.nodes.values()) {
      await node.stop('SIGKILL');
    }
    for (const nodeId of this.stateDirs.keys()) {
      for (const id of await this.containers(nodeId)) await this.docker.containers.remove(id);
    }
    for (const dir of this.stateDirs.values()) await rm(dir, { recursive: true, force: true });
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${this.prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await this.#dropDatabase?.();
  }
}
