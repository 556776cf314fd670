import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JobResult } from '@agentd/sandbox-runner/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CallHomeServer } from '../callhome/call-home-server.js';
import type { JobRequest, SandboxChannel } from '../callhome/sandbox-channel.js';
import { AgentdError, isAgentdError } from '../common/errors.js';
import { createLogger } from '../common/logger.js';
import { Metrics } from '../metrics/metrics.js';
import type { ActiveRun } from '../runs/active-run.js';
import type { SandboxRegistry } from '../sandbox/sandbox-registry.js';
import { LocalWorkspaceStore } from '../storage/local-workspace-store.js';
import type { WorkspaceRef } from '../storage/workspace-store.js';
import type { ConversationRepository, Store } from '../store/repositories.js';
import { StoreWorkspaceSync } from './store-workspace-sync.js';
import { SyncSessions } from './sync-sessions.js';
import { WorkspaceService } from './workspace-service.js';

const logger = createLogger({ level: 'silent', pretty: false });

/** A local store whose manifest reads wait until the test lets them through (or fail). */
class GatedStore extends LocalWorkspaceStore {
  reads = 0;
  #open!: (failure?: Error) => void;
  readonly #gate = new Promise<Error | undefined>((resolve) => (this.#open = resolve));

  open(failure?: Error): void {
    this.#open(failure);
  }

  override async readManifest(ws: WorkspaceRef): Promise<Buffer | undefined> {
    this.reads += 1;
    const failure = await this.#gate;
    if (failure) throw failure;
    return super.readManifest(ws);
  }
}

/** `promise`, or a clear failure after `ms` (the behaviour under test would otherwise hang until the timeout). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** The runner's side of the channel: records each job, answers with what the test says. */
class ScriptedChannel {
  readonly jobs: JobRequest[] = [];
  #sent!: () => void;
  /** Resolves when the first job has been sent. */
  readonly sent = new Promise<void>((resolve) => (this.#sent = resolve));

  constructor(private readonly answer: (job: JobRequest) => Promise<JobResult>) {}

  send(job: JobRequest): Promise<JobResult> {
    this.jobs.push(job);
    this.#sent();
    return this.answer(job);
  }
}

describe('StoreWorkspaceSync sync-out', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'agentd-sync-out-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function harness(channel: ScriptedChannel) {
    const store = new GatedStore(root);
    const workspaces = new WorkspaceService(store, {} as ConversationRepository, logger);
    const sync = new StoreWorkspaceSync({
      workspaces,
      sessions: new SyncSessions({ route: () => undefined } as unknown as CallHomeServer, workspaces, store),
      store: {} as Store,
      registry: { update: () => Promise.resolve() } as unknown as SandboxRegistry,
      callHome: {} as unknown as CallHomeServer,
      workspaceBytes: () => 1024 * 1024,
      settings: { maxFiles: 100, maxFileBytes: 1024 * 1024, syncTimeoutMs: 10_000 },
      logger,
      metrics: new Metrics(),
    });
    const run = {
      id: 'run-1',
      fencingToken: 1n,
      tenant: {},
      conversation: { tenantId: 't1', id: 'c1', workspaceEnabled: true },
      lease: { channel: channel as unknown as SandboxChannel, record: { id: 'sbx-1' } },
      addSyncedBytes: () => undefined,
      markSandboxForDiscard: () => undefined,
    } as unknown as ActiveRun;
    return { store, sync, run };
  }

  it('sends the runner its job while the base manifest is still being read', async () => {
    const channel = new ScriptedChannel(async (job) => ({
      jobId: 'j1',
      ok: false,
      error: { code: 'SCAN_FAILED', message: `scan of ${job.kind} failed` },
    }));
    const { store, sync, run } = harness(channel);
    const out = sync.syncOut(run);
    out.catch(() => undefined);
    // The job goes out with the read still held: the runner's scan overlaps the store's round trip.
    await within(channel.sent, 2_000, 'the sync-out job while the manifest read was held');
    expect(store.reads).toBe(1);
    expect(channel.jobs.map((j) => j.kind)).toEqual(['sync_out']);
    store.open();
    await expect(out).rejects.toMatchObject({ code: 'WORKSPACE_SYNC_FAILED' });
  });

  it('fails with the read’s error when the manifest cannot be read, even while the runner still scans', async () => {
    // The runner never answers: the failed read alone must end the sync.
    const channel = new ScriptedChannel(() => new Promise<JobResult>(() => undefined));
    const { store, sync, run } = harness(channel);
    const out = sync.syncOut(run);
    out.catch(() => undefined);
    await within(channel.sent, 2_000, 'the sync-out job while the manifest read was held');
    store.open(new AgentdError('DEPENDENCY_UNAVAILABLE', 'S3 is down'));
    const err: unknown = await out.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAgentdError(err) && err.code).toBe('WORKSPACE_SYNC_FAILED');
    expect(isAgentdError(err) && err.details).toMatchObject({ cause: 'DEPENDENCY_UNAVAILABLE' });
  });
});
