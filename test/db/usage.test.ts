import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../orchestrator/src/common/errors.js';
import { useTestDatabase } from '../support/use-test-database.js';
import { newRunId, seedConversation, seedModel, startRun } from './fixtures.js';

const { db, store } = useTestDatabase();

const NO_RESOURCES = { measuredRuns: 0, cpuSeconds: 0, peakMemoryBytes: 0, peakPids: 0, bytesSynced: 0 };

describe('usage summary', () => {
  it('groups by model, conversation and UTC day with exact decimal totals', async () => {
    const modelA = await seedModel(store, { inputPricePerMTok: '3.000001' });
    const modelB = await seedModel(store);
    const { tenant, conversation: c1 } = await seedConversation(store, modelA);
    const c2 = await store.conversations.create({ tenantId: tenant.id, modelId: modelB.id });
    const noise = await seedConversation(store, modelA);

    // Costs chosen so that a float sum would drift: 0.1 + 0.2 and twelve-decimal values.
    const runs = [
      {
        conversationId: c1.id,
        modelId: modelA.id,
        cost: '0.100000000001',
        input: 100,
        day: '2026-11-20T23:59:59.999Z',
      },
      {
        conversationId: c1.id,
        modelId: modelA.id,
        cost: '0.200000000002',
        input: 200,
        day: '2026-11-21T00:00:00.000Z',
      },
      {
        conversationId: c2.id,
        modelId: modelB.id,
        cost: '0.000003000001',
        input: 3,
        day: '2026-11-21T12:00:00.000Z',
      },
    ];
    for (const r of runs) {
      const run = await store.runs.start({
        id: newRunId(),
        tenantId: tenant.id,
        conversationId: r.conversationId,
        modelId: r.modelId,
        nodeId: 'n',
      });
      await store.runs.finish(run.id, run.fencingToken, {
        status: 'succeeded',
        usage: {
          steps: 1,
          inputTokens: r.input,
          outputTokens: 10,
          cacheReadTokens: 1,
          cacheWriteTokens: 2,
          costUsd: r.cost,
        },
      });
      await db.sql('UPDATE usage_records SET created_at = $1 WHERE run_id = $2', [r.day, run.id]);
    }
    const other = await startRun(store, { ...noise, model: modelA }, 'n');
    await store.runs.finish(other.id, other.fencingToken, {
      status: 'succeeded',
      usage: {
        steps: 1,
        inputTokens: 999,
        outputTokens: 999,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: '9',
      },
    });
    await db.sql('UPDATE usage_records SET created_at = $1 WHERE run_id = $2', [
      '2026-11-21T01:00:00Z',
      other.id,
    ]);

    const window = {
      tenantId: tenant.id,
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-12-01T00:00:00Z'),
    };
    const total = {
      runs: 3,
      inputTokens: 303,
      outputTokens: 30,
      cacheReadTokens: 3,
      cacheWriteTokens: 6,
      costUsd: '0.300003000004',
      resources: NO_RESOURCES,
    };

    const byModel = await store.usage.summarize({ ...window, groupBy: 'model' });
    expect(byModel.total).toEqual(total);
    expect(byModel.groups).toEqual(
      [
        {
          key: modelA.id,
          runs: 2,
          inputTokens: 300,
          outputTokens: 20,
          cacheReadTokens: 2,
          cacheWriteTokens: 4,
          costUsd: '0.300000000003',
          resources: NO_RESOURCES,
        },
        {
          key: modelB.id,
          runs: 1,
          inputTokens: 3,
          outputTokens: 10,
          cacheReadTokens: 1,
          cacheWriteTokens: 2,
          costUsd: '0.000003000001',
          resources: NO_RESOURCES,
        },
      ].sort((a, b) => (a.key < b.key ? -1 : 1)),
    );

    const byConversation = await store.usage.summarize({ ...window, groupBy: 'conversation' });
    expect(byConversation.total).toEqual(total);
    expect(Object.fromEntries(byConversation.groups.map((g) => [g.key, g.costUsd]))).toEqual({
      [c1.id]: '0.300000000003',
      [c2.id]: '0.000003000001',
    });

    const byDay = await store.usage.summarize({ ...window, groupBy: 'day' });
    expect(byDay.groups.map((g) => [g.key, g.runs, g.costUsd])).toEqual([
      ['2026-11-20', 1, '0.100000000001'],
      ['2026-11-21', 2, '0.200003000003'],
    ]);
  });

  it('uses a half-open window [from, to) and returns zeros when empty', async () => {
    const seeded = await seedConversation(store);
    const { tenant } = seeded;
    const run = await startRun(store, seeded, 'n');
    await store.runs.finish(run.id, run.fencingToken, {
      status: 'succeeded',
      usage: {
        steps: 1,
        inputTokens: 1,
        outputTokens: 1,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: '0.5',
      },
    });
    await db.sql('UPDATE usage_records SET created_at = $1 WHERE run_id = $2', [
      '2026-10-10T00:00:00Z',
      run.id,
    ]);
    const at = new Date('2026-10-10T00:00:00Z');
    const included = await store.usage.summarize({
      tenantId: tenant.id,
      from: at,
      to: new Date(at.getTime() + 1),
      groupBy: 'day',
    });
    expect(included.total).toMatchObject({ runs: 1, costUsd: '0.500000000000' });
    const excluded = await store.usage.summarize({
      tenantId: tenant.id,
      from: new Date(0),
      to: at,
      groupBy: 'model',
    });
    expect(excluded).toEqual({
      groups: [],
      total: {
        runs: 0,
        inputTokens: 0,
        outputTokens: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        costUsd: '0.000000000000',
        resources: NO_RESOURCES,
      },
    });
  });

  it('stores a run’s sandbox resources with the run and sums them, runs without tokens included', async () => {
    const seeded = await seedConversation(store);
    const { tenant, conversation } = seeded;
    const spent = {
      steps: 1,
      inputTokens: 1,
      outputTokens: 1,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: '0',
    };
    const a = await startRun(store, seeded, 'n');
    await store.runs.finish(a.id, a.fencingToken, {
      status: 'succeeded',
      usage: spent,
      resources: { cpuSeconds: 1.25, peakMemoryBytes: 50_000_000, peakPids: 12, bytesSynced: 4096 },
    });
    const b = await startRun(store, seeded, 'n');
    await store.runs.finish(b.id, b.fencingToken, {
      status: 'failed',
      errorCode: 'SANDBOX_LIMIT',
      usage: { ...spent, inputTokens: 0, outputTokens: 0 },
      resources: { cpuSeconds: 0.5, peakMemoryBytes: 90_000_000, peakPids: 64, bytesSynced: 0 },
    });
    const unmeasured = await startRun(store, seeded, 'n');
    await store.runs.finish(unmeasured.id, unmeasured.fencingToken, { status: 'succeeded', usage: spent });

    expect((await store.runs.get(tenant.id, a.id))?.resources).toEqual({
      cpuSeconds: 1.25,
      peakMemoryBytes: 50_000_000,
      peakPids: 12,
      bytesSynced: 4096,
    });
    expect((await store.runs.get(tenant.id, unmeasured.id))?.resources).toBeNull();
    const summary = await store.usage.summarize({
      tenantId: tenant.id,
      from: new Date(Date.now() - 60_000),
      to: new Date(Date.now() + 60_000),
      groupBy: 'conversation',
    });
    const expected = {
      measuredRuns: 2,
      cpuSeconds: 1.75,
      peakMemoryBytes: 90_000_000,
      peakPids: 64,
      bytesSynced: 4096,
    };
    expect(summary.total.resources).toEqual(expected);
    expect(summary.groups).toHaveLength(1);
    expect(summary.groups[0]).toMatchObject({ key: conversation.id, resources: expected });
  });

  it('rejects an inverted or invalid window', async () => {
    const base = { tenantId: 't', groupBy: 'day' as const };
    await expect(
      store.usage.summarize({ ...base, from: new Date(2), to: new Date(1) }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      store.usage.summarize({ ...base, from: new Date('nope'), to: new Date(1) }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});
