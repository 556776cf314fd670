import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomId } from '../../../orchestrator/src/common/ids.js';
import { createLogger } from '../../../orchestrator/src/common/logger.js';
import { loadConfig } from '../../../orchestrator/src/config/load-config.js';
import { DockerEngine } from '../../../orchestrator/src/docker/docker-engine.js';
import { LABELS } from '../../../orchestrator/src/docker/labels.js';
import { createEmptyDatabase } from '../../support/test-database.js';
import { TEST_SECRETS_KEY } from '../../support/test-secrets-key.js';

const HOST = fileURLToPath(new URL('./idle-agentd-host.mjs', import.meta.url));

export interface AgentdMemory {
  /** Median RSS of the agentd process (smaps_rollup) over the samples, each taken after a full collection. */
  rss: number;
  /** Median JS heap used after those collections. */
  heap: number;
}

/**
 * agentd for the idle-sandboxes bench in its own process (the compiled daemon, started with --expose-gc), so
 * its RSS is agentd's alone: the bench's clients, samples and earlier sections live in this process.
 */
export class IdleAgentd {
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(
    readonly child: ChildProcess,
    readonly nodeId: string,
    readonly adminKey: string,
    private readonly stateDir: string,
    private readonly database: { drop(): Promise<void> },
  ) {
    child.on('message', (m: { id: number; value?: unknown; error?: string }) => {
      const waiter = this.#pending.get(m.id);
      this.#pending.delete(m.id);
      if (m.error !== undefined) waiter?.reject(new Error(`agentd host: ${m.error}`));
      else waiter?.resolve(m.value);
    });
    child.once('exit', (code, signal) => {
      for (const w of this.#pending.values())
        w.reject(new Error(`agentd host exited (${String(code ?? signal)})`));
      this.#pending.clear();
    });
  }

  url = '';

  static async start(env: Record<string, string>): Promise<IdleAgentd> {
    const nodeId = `t-${randomId(8)}`;
    const stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-'));
    const database = await createEmptyDatabase();
    const adminKey = `test-admin-${randomId(24)}`;
    // No TypeScript loader in the measured process: only --expose-gc, for the collections before a sample.
    const child = fork(HOST, [], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const agentd = new IdleAgentd(child, nodeId, adminKey, stateDir, database);
    const ready = new Promise((resolve, reject) => {
      agentd.#pending.set(0, { resolve, reject });
    });
    await ready;
    const { url } = await agentd.call<{ url: string }>('start', {
      env: {
        AGENTD_NODE_ID: nodeId,
        AGENTD_STATE_DIR: stateDir,
        DATABASE_URL: database.url,
        AGENTD_AUTO_MIGRATE: 'true',
        API_KEYS: adminKey,
        APP_HOST: '127.0.0.1',
        APP_PORT: '0',
        AGENTD_REAP_INTERVAL: '1h',
        RATE_LIMIT_ENABLED: 'false',
        AGENTD_SECRETS_KEY: TEST_SECRETS_KEY,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
        ...env,
      },
    });
    agentd.url = url;
    return agentd;
  }

  call<T>(cmd: string, args: unknown = {}): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ id, cmd, args });
    });
  }

  async rss(): Promise<number> {
    const rollup = await readFile(`/proc/${this.child.pid}/smaps_rollup`, 'utf8');
    const rss = /^Rss:\s+(\d+) kB/m.exec(rollup);
    if (!rss) throw new Error('no Rss in smaps_rollup');
    return Number(rss[1]) * 1024;
  }

  /** `samples` full collections a little apart, RSS read after each; the medians. */
  async memory(samples = 5): Promise<AgentdMemory> {
    const rss: number[] = [];
    const heap: number[] = [];
    for (let i = 0; i < samples; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 300));
      heap.push(await this.call<number>('gc'));
      rss.push(await this.rss());
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    return { rss: median(rss), heap: median(heap) };
  }

  async api(method: string, urlPath: string): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.url}${urlPath}`, { method, headers: { 'x-api-key': this.adminKey } });
    return { status: res.status, body: await res.json() };
  }

  /**
   * Removes every sandbox of this node and stops the process, then checks from here that the engine holds none
   * of its containers (the host may have died), and drops the state dir and the database.
   */
  async destroy(): Promise<void> {
    try {
      if (this.child.exitCode === null && this.child.signalCode === null) {
        await this.call('removeAll').catch(() => undefined);
        await this.call('close').catch(() => undefined);
        const exited = once(this.child, 'exit').then(() => true);
        this.child.disconnect();
        if (!(await Promise.race([exited, new Promise<false>((r) => setTimeout(() => r(false), 10_000))])))
          this.child.kill('SIGKILL');
      }
    } finally {
      const config = loadConfig(process.env);
      const docker = new DockerEngine({
        dockerHost: config.docker.host,
        logger: createLogger({ level: 'warn', pretty: false }),
      });
      for (const c of await docker.containers.listManaged({ [LABELS.node]: this.nodeId }))
        await docker.containers.remove(c.id).catch(() => undefined);
      await rm(this.stateDir, { recursive: true, force: true });
      await this.database.drop();
    }
  }
}
