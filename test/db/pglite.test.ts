import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../orchestrator/src/common/logger.js';
import { ensureBuiltinModels } from '../../orchestrator/src/db/builtin-models.js';
import { createDatabase, type Database } from '../../orchestrator/src/db/create-database.js';
import { migrate } from '../../orchestrator/src/db/migrate.js';
import { startRun } from './fixtures.js';

let stateDir: string;

beforeAll(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'agentd-pglite-'));
});
afterAll(async () => {
  await rm(stateDir, { recursive: true, force: true });
});

describe('embedded PGlite', () => {
  let db: Database;

  it('starts without a URL, migrated, on 127.0.0.1', async () => {
    db = await createDatabase({ stateDir, logger: silentLogger() });
    expect(db.kind).toBe('pglite');
    expect(db.url).toMatch(/^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    expect((await stat(path.join(stateDir, 'pglite', 'PG_VERSION'))).isFile()).toBe(true);
    await db.store.ping();
    expect((await migrate(db.url, silentLogger())).applied).toEqual([]);
  });

  it('refuses a second opening of the same data directory while it is open', async () => {
    await expect(createDatabase({ stateDir, logger: silentLogger() })).rejects.toMatchObject({
      code: 'DEPENDENCY_UNAVAILABLE',
    });
  });

  it('runs a conversation end to end: start, append, finish, summarize', async () => {
    const { store } = db;
    const model = await ensureBuiltinModels(store);
    const tenant = await store.tenants.create({ name: 'embedded', defaultModelId: model.id });
    const conversation = await store.conversations.create({ tenantId: tenant.id, modelId: model.id });
    const run = await startRun(store, { tenant, model, conversation }, 'local');
    const appended = await Promise.all([
      store.runs.appendMessages(run.id, run.fencingToken, [{ role: 'user', content: [{ text: 'hi' }] }]),
      store.runs.appendMessages(run.id, run.fencingToken, [
        { role: 'assistant', content: [{ text: 'hello' }] },
      ]),
    ]);
    expect(appended).toEqual([true, true]);
    expect(
      await store.runs.finish(run.id, run.fencingToken, {
        status: 'succeeded',
        usage: {
          steps: 1,
          inputTokens: 1000,
          outputTokens: 500,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          costUsd: '0.002',
        },
      }),
    ).toBe(true);
    expect((await store.messages.history(conversation.id)).map((m) => m.seq)).toEqual([1, 2]);
    const summary = await store.usage.summarize({
      tenantId: tenant.id,
      from: new Date(Date.now() - 60_000),
      to: new Date(Date.now() + 60_000),
      groupBy: 'model',
    });
    expect(summary.groups).toEqual([
      {
        key: 'scripted',
        runs: 1,
        inputTokens: 1000,
        outputTokens: 500,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: '0.002000000000',
        // The run recorded no sandbox usage (it finished without a sandbox watch).
        resources: { measuredRuns: 0, cpuSeconds: 0, peakMemoryBytes: 0, peakPids: 0, bytesSynced: 0 },
      },
    ]);
    const newer = await startRun(store, { tenant, model, conversation }, 'local');
    expect(newer.fencingToken).toBeGreaterThan(run.fencingToken);
  });

  it('keeps its data across a restart', async () => {
    await db.close();
    await db.close();
    const reopened = await createDatabase({ stateDir, logger: silentLogger() });
    try {
      const tenants = await reopened.store.tenants.list({ limit: 10 });
      expect(tenants.items.map((t) => t.name)).toEqual(['embedded']);
      expect(await reopened.store.models.get('scripted')).toBeDefined();
    } finally {
      await reopened.close();
    }
  });
});
