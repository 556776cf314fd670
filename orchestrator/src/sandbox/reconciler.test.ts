import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CallHomeServer } from '../callhome/call-home-server.js';
import { silentLogger } from '../common/logger.js';
import type { ContainerClient } from '../docker/container-client.js';
import { Metrics } from '../metrics/metrics.js';
import type { IdleProcesses } from './idle-processes.js';
import { Reconciler } from './reconciler.js';
import type { SandboxRecord } from './sandbox-record.js';
import type { SandboxFilter, SandboxRegistry } from './sandbox-registry.js';
import type { SandboxRemover } from './sandbox-remover.js';
import type { WarmPool } from './warm-pool.js';

/**
 * The registry as far as a pass with no containers uses it (put and list); it counts its reads and can add a
 * record right after a given read, as a concurrent start would.
 */
class WatchedRegistry implements SandboxRegistry {
  readonly records = new Map<string, SandboxRecord>();
  lists = 0;
  afterList: ((n: number) => Promise<void>) | undefined;

  put(record: SandboxRecord): Promise<void> {
    this.records.set(record.id, record);
    return Promise.resolve();
  }

  async list(filter: SandboxFilter = {}): Promise<SandboxRecord[]> {
    const out = [...this.records.values()].filter((r) => r.nodeId === filter.nodeId);
    this.lists += 1;
    await this.afterList?.(this.lists);
    return out;
  }

  get = unused;
  update = unused;
  transition = unused;
  remove = unused;
  findByConversation = unused;
}

function unused(): never {
  throw new Error('not used by this test');
}

const record = (id: string): SandboxRecord => ({
  id,
  containerId: '',
  nodeId: 'n1',
  profile: 'standard',
  profileVersion: 1,
  limitsKey: '',
  state: 'starting',
  tenantId: 't',
  conversationId: id,
  createdAt: 0,
  lastUsedAt: 0,
  workspaceVersion: null,
});

let stateDir: string;
let callHome: CallHomeServer;
let registry: WatchedRegistry;
let reconciler: Reconciler;

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-rc-'));
  callHome = new CallHomeServer({
    stateDir,
    logger: silentLogger(),
    pollTimeoutMs: 300,
    maxJsonBytes: 1024,
    maxConnectionsPerSandbox: 8,
  });
  registry = new WatchedRegistry();
  // No container on this node: only the registry and the socket directories matter here.
  const containers = { listManaged: () => Promise.resolve([]) } as unknown as ContainerClient;
  reconciler = new Reconciler({
    nodeId: 'n1',
    containers,
    registry,
    callHome,
    remover: {} as unknown as SandboxRemover,
    pool: {} as unknown as WarmPool,
    idle: {} as unknown as IdleProcesses,
    logger: silentLogger(),
    metrics: new Metrics(),
    adoptTimeoutMs: 1_000,
  });
});
afterEach(async () => {
  await callHome.detachAll();
  await rm(stateDir, { recursive: true, force: true });
});

describe('Reconciler socket directories', () => {
  it('removes the directory of a sandbox nobody knows, and reads the registry once when none is stale', async () => {
    await mkdir(callHome.socketDirOf('gone1'), { recursive: true });
    await callHome.open('live1');
    // A starting sandbox: in the registry, its directory made, its channel not yet listening.
    await registry.put(record('start1'));
    await mkdir(callHome.socketDirOf('start1'), { recursive: true });

    const first = await reconciler.reconcile();
    expect(first.staleSocketDirs).toEqual(['gone1']);
    expect((await readdir(callHome.sandboxesDir)).sort()).toEqual(['live1', 'start1']);

    registry.lists = 0;
    const second = await reconciler.reconcile();
    expect(second.staleSocketDirs).toEqual([]);
    expect(registry.lists).toBe(1);
  });

  it('keeps the directory of a sandbox registered after the pass first read the registry', async () => {
    registry.afterList = async (n) => {
      if (n !== 1) return;
      await registry.put(record('late1'));
      await mkdir(callHome.socketDirOf('late1'), { recursive: true });
    };
    const report = await reconciler.reconcile();
    expect(report.staleSocketDirs).toEqual([]);
    expect(await readdir(callHome.sandboxesDir)).toEqual(['late1']);
  });
});
