import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../orchestrator/src/common/errors.js';
import type { Run } from '../../orchestrator/src/store/entities.js';
import { useTestDatabase } from '../support/use-test-database.js';
import { NO_USAGE, newRunId, seedConversation, startRun, type Seeded } from './fixtures.js';

const { db, store } = useTestDatabase();

function start(s: Seeded, nodeId = 'node-a'): Promise<Run> {
  return startRun(store, s, nodeId);
}

// Enough concurrent starts that, without the conversation lock, a lower token would often commit last.
const STARTS = 24;

const USAGE = {
  steps: 2,
  inputTokens: 1000,
  outputTokens: 200,
  cacheReadTokens: 50,
  cacheWriteTokens: 10,
  costUsd: '0.001234500000',
};

describe('runs', () => {
  it('start creates a running run with a sequence token and marks the conversation', async () => {
    const s = await seedConversation(store);
    const run = await start(s);
    expect(run).toMatchObject({
      status: 'running',
      nodeId: 'node-a',
      sandboxId: null,
      steps: 0,
      costUsd: '0.000000000000',
      errorCode: null,
      finishedAt: null,
    });
    expect(typeof run.fencingToken).toBe('bigint');
    expect(run.fencingToken).toBeGreaterThan(0n);
    expect(run.startedAt).toBeInstanceOf(Date);
    const [row] = await db.sql<{ current_fencing_token: string; last_run_at: Date }>(
      'SELECT current_fencing_token, last_run_at FROM conversations WHERE id = $1',
      [s.conversation.id],
    );
    expect(BigInt(row!.current_fencing_token)).toBe(run.fencingToken);
    expect(row!.last_run_at).toEqual(run.startedAt);
    expect((await store.conversations.get(s.tenant.id, s.conversation.id))!.lastRunAt).toEqual(run.startedAt);

    await store.runs.setSandbox(run.id, 'sbx123');
    expect(await store.runs.get(s.tenant.id, run.id)).toMatchObject({ sandboxId: 'sbx123' });
    await expect(store.runs.setSandbox('run_missing', 'x')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('start records the sandbox claimed for the run when it is given', async () => {
    const s = await seedConversation(store);
    const run = await store.runs.start({
      id: newRunId(),
      tenantId: s.tenant.id,
      conversationId: s.conversation.id,
      modelId: s.model.id,
      nodeId: 'node-a',
      sandboxId: 'sbx_claimed',
    });
    expect(run).toMatchObject({ status: 'running', sandboxId: 'sbx_claimed' });
    expect(await store.runs.get(s.tenant.id, run.id)).toMatchObject({ sandboxId: 'sbx_claimed' });
  });

  it('start refuses a conversation of another tenant, an unknown model and a reused id', async () => {
    const a = await seedConversation(store);
    const b = await seedConversation(store, a.model);
    await expect(
      store.runs.start({
        id: newRunId(),
        tenantId: b.tenant.id,
        conversationId: a.conversation.id,
        modelId: a.model.id,
        nodeId: 'n',
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      store.runs.start({
        id: newRunId(),
        tenantId: a.tenant.id,
        conversationId: a.conversation.id,
        modelId: 'nope',
        nodeId: 'n',
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    const run = await start(a);
    await expect(
      store.runs.start({
        id: run.id,
        tenantId: a.tenant.id,
        conversationId: a.conversation.id,
        modelId: a.model.id,
        nodeId: 'n',
      }),
    ).rejects.toThrow(/already exists/);
    expect(await store.runs.get(b.tenant.id, run.id)).toBeUndefined();
  });

  it('finish records the outcome and one usage record, once', async () => {
    const s = await seedConversation(store);
    const run = await start(s);
    expect(await store.runs.finish(run.id, run.fencingToken, { status: 'succeeded', usage: USAGE })).toBe(
      true,
    );
    const finished = await store.runs.get(s.tenant.id, run.id);
    expect(finished).toMatchObject({ status: 'succeeded', ...USAGE, errorCode: null });
    expect(finished!.finishedAt).toBeInstanceOf(Date);

    expect(
      await store.runs.finish(run.id, run.fencingToken, { status: 'failed', errorCode: 'X', usage: USAGE }),
    ).toBe(false);
    expect(await store.runs.get(s.tenant.id, run.id)).toMatchObject({ status: 'succeeded' });
    const usage = await store.usage.list(s.tenant.id, { limit: 10 });
    expect(usage.items).toHaveLength(1);
    expect(usage.items[0]).toMatchObject({
      runId: run.id,
      conversationId: s.conversation.id,
      modelId: s.model.id,
      inputTokens: 1000,
      outputTokens: 200,
      cacheReadTokens: 50,
      cacheWriteTokens: 10,
      costUsd: '0.001234500000',
    });
    expect(
      await store.runs.appendMessages(run.id, run.fencingToken, [
        { role: 'assistant', content: [{ text: 'late' }] },
      ]),
    ).toBe(false);
  });

  it('finish without tokens writes no usage record and keeps error details', async () => {
    const s = await seedConversation(store);
    const run = await start(s);
    expect(
      await store.runs.finish(run.id, run.fencingToken, {
        status: 'failed',
        errorCode: 'SANDBOX_START_FAILED',
        errorMessage: 'no room',
        usage: NO_USAGE,
      }),
    ).toBe(true);
    expect(await store.runs.get(s.tenant.id, run.id)).toMatchObject({
      status: 'failed',
      errorCode: 'SANDBOX_START_FAILED',
      errorMessage: 'no room',
    });
    expect((await store.usage.list(s.tenant.id, { limit: 10 })).items).toEqual([]);
  });

  it('finish rejects costs that would be rounded and negative counts', async () => {
    const s = await seedConversation(store);
    const run = await start(s);
    await expect(
      store.runs.finish(run.id, run.fencingToken, {
        status: 'succeeded',
        usage: { ...USAGE, costUsd: '0.0000000000001' },
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    await expect(
      store.runs.finish(run.id, run.fencingToken, {
        status: 'succeeded',
        usage: { ...USAGE, inputTokens: -1 },
      }),
    ).rejects.toBeInstanceOf(ValidationError);
    expect(await store.runs.get(s.tenant.id, run.id)).toMatchObject({ status: 'running' });
  });

  it('listRunning returns only this node’s running runs', async () => {
    const s = await seedConversation(store);
    const node = `node-${newRunId()}`;
    const done = await start(s, node);
    await store.runs.finish(done.id, done.fencingToken, { status: 'interrupted', usage: NO_USAGE });
    const other = await seedConversation(store, s.model);
    const running = await start(other, node);
    await start(await seedConversation(store, s.model), 'elsewhere');
    expect((await store.runs.listRunning({ nodeId: node })).map((r) => r.id)).toEqual([running.id]);
  });
});

describe('fencing', () => {
  it('a newer run fences out an older one: its appends and finish return false and write nothing', async () => {
    const s = await seedConversation(store);
    const old = await start(s, 'paused-node');
    expect(
      await store.runs.appendMessages(old.id, old.fencingToken, [
        { role: 'user', content: [{ text: 'q1' }] },
      ]),
    ).toBe(true);
    const newer = await start(s, 'live-node');
    expect(newer.fencingToken).toBeGreaterThan(old.fencingToken);

    expect(
      await store.runs.appendMessages(old.id, old.fencingToken, [
        { role: 'assistant', content: [{ text: 'stale' }] },
      ]),
    ).toBe(false);
    expect(await store.runs.finish(old.id, old.fencingToken, { status: 'succeeded', usage: USAGE })).toBe(
      false,
    );
    expect(
      await store.conversations.setWorkspaceVersion(s.tenant.id, s.conversation.id, 9, old.fencingToken),
    ).toBe(false);

    const history = await store.messages.history(s.conversation.id);
    expect(history.map((m) => m.content)).toEqual([[{ text: 'q1' }]]);
    expect(await store.runs.get(s.tenant.id, old.id)).toMatchObject({ status: 'running', inputTokens: 0 });
    expect((await store.usage.list(s.tenant.id, { limit: 10 })).items).toEqual([]);
    expect((await store.conversations.get(s.tenant.id, s.conversation.id))!.workspaceVersion).toBe(0);

    expect(
      await store.runs.appendMessages(newer.id, newer.fencingToken, [
        { role: 'assistant', content: [{ text: 'fresh' }] },
      ]),
    ).toBe(true);
    expect(
      await store.conversations.setWorkspaceVersion(s.tenant.id, s.conversation.id, 1, newer.fencingToken),
    ).toBe(true);
    expect(await store.runs.finish(newer.id, newer.fencingToken, { status: 'succeeded', usage: USAGE })).toBe(
      true,
    );
    expect((await store.messages.history(s.conversation.id)).map((m) => m.seq)).toEqual([1, 2]);
    expect((await store.conversations.get(s.tenant.id, s.conversation.id))!.workspaceVersion).toBe(1);
  });

  it('a workspace commit holds newer runs off while it writes, and a superseded one never writes', async () => {
    const s = await seedConversation(store);
    const old = await start(s);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const writing = new Promise<void>((resolve) => (entered = resolve));
    const order: string[] = [];
    const commit = store.conversations.commitWorkspace(
      s.tenant.id,
      s.conversation.id,
      old.fencingToken,
      async (v) => {
        entered();
        await released;
        order.push('manifest written');
        return v + 1;
      },
    );
    await writing;
    const newer = start(s).then((run) => (order.push('newer run started'), run));
    // The newer run's start is queued on the conversation row (PostgreSQL says so), not merely slow.
    await expect
      .poll(
        async () =>
          (
            await db.sql<{ n: string }>(
              `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            )
          )[0]?.n,
      )
      .toBe('1');
    release();
    expect(await commit).toBe(true);
    const run = await newer;
    expect(order).toEqual(['manifest written', 'newer run started']);
    expect((await store.conversations.get(s.tenant.id, s.conversation.id))!.workspaceVersion).toBe(1);

    let wrote = false;
    expect(
      await store.conversations.commitWorkspace(s.tenant.id, s.conversation.id, old.fencingToken, () => {
        wrote = true;
        return Promise.resolve(2);
      }),
    ).toBe(false);
    expect(wrote).toBe(false);
    expect(
      await store.conversations.commitWorkspace(s.tenant.id, s.conversation.id, run.fencingToken, (v) =>
        Promise.resolve(v + 1),
      ),
    ).toBe(true);
    expect((await store.conversations.get(s.tenant.id, s.conversation.id))!.workspaceVersion).toBe(2);
  });

  it('a token that is not the run’s own is refused even when it is the conversation’s current one', async () => {
    const s = await seedConversation(store);
    const first = await start(s);
    await store.runs.finish(first.id, first.fencingToken, { status: 'succeeded', usage: NO_USAGE });
    const second = await start(s);
    expect(
      await store.runs.appendMessages(first.id, second.fencingToken, [
        { role: 'user', content: [{ text: 'x' }] },
      ]),
    ).toBe(false);
    expect(await store.runs.appendMessages('run_missing', second.fencingToken, [])).toBe(false);
    expect(await store.messages.history(s.conversation.id)).toEqual([]);
  });

  it('concurrent starts get distinct tokens, and the conversation keeps the highest', async () => {
    const s = await seedConversation(store);
    const others = await Promise.all(Array.from({ length: 3 }, () => seedConversation(store, s.model)));
    const runs = await Promise.all([
      ...Array.from({ length: STARTS }, () => start(s)),
      ...others.map((o) => start(o)),
    ]);
    const tokens = runs.map((r) => r.fencingToken);
    expect(new Set(tokens).size).toBe(tokens.length);
    const mine = runs.slice(0, STARTS).map((r) => r.fencingToken);
    const highest = mine.reduce((a, b) => (a > b ? a : b));
    const [row] = await db.sql<{ token: string }>(
      'SELECT current_fencing_token AS token FROM conversations WHERE id = $1',
      [s.conversation.id],
    );
    expect(BigInt(row!.token)).toBe(highest);
    // Only the run holding the highest token may commit.
    const winners = await Promise.all(
      runs
        .slice(0, STARTS)
        .map((r) =>
          store.runs.appendMessages(r.id, r.fencingToken, [{ role: 'user', content: [{ text: r.id }] }]),
        ),
    );
    expect(winners.filter(Boolean)).toHaveLength(1);
    expect(winners[mine.indexOf(highest)]).toBe(true);
    const later = await start(s);
    expect(later.fencingToken).toBeGreaterThan(tokens.reduce((a, b) => (a > b ? a : b)));
  });

  it('a commit that waited for the conversation lock sees what the holder did to the run meanwhile', async () => {
    const s = await seedConversation(store);
    const run = await start(s);
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM conversations WHERE id = $1 FOR UPDATE', [s.conversation.id]);
      const append = store.runs.appendMessages(run.id, run.fencingToken, [
        { role: 'assistant', content: [{ text: 'late' }] },
      ]);
      // Until the append waits for the lock (bounded: it is the only other session of this database).
      for (let i = 0; i < 100; i++) {
        const [waiting] = await db.sql<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        if ((waiting?.n ?? 0) > 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await holder.query("UPDATE runs SET status = 'succeeded', finished_at = now() WHERE id = $1", [run.id]);
      await holder.query('COMMIT');
      expect(await append).toBe(false);
      expect(await store.messages.history(s.conversation.id)).toEqual([]);
    } finally {
      await holder.end();
    }
  });

  it('a commit locks the conversation before the run, as a conversation deletion does', async () => {
    const s = await seedConversation(store);
    const run = await start(s);
    const holder = new pg.Client({ connectionString: db.url });
    const probe = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await probe.connect();
    try {
      // The run's row is held elsewhere: the commit waits for it, holding what it locked before.
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM runs WHERE id = $1 FOR UPDATE', [run.id]);
      const append = store.runs.appendMessages(run.id, run.fencingToken, [
        { role: 'assistant', content: [{ text: 'after the wait' }] },
      ]);
      let conversationLocked = false;
      for (let i = 0; i < 100 && !conversationLocked; i++) {
        await probe.query('BEGIN');
        conversationLocked = await probe
          .query('SELECT id FROM conversations WHERE id = $1 FOR UPDATE NOWAIT', [s.conversation.id])
          .then(
            () => false,
            () => true,
          );
        await probe.query('ROLLBACK');
        if (!conversationLocked) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(conversationLocked).toBe(true);
      await holder.query('COMMIT');
      expect(await append).toBe(true);
    } finally {
      await holder.end();
      await probe.end();
    }
  });

  it('concurrent appends of one run get gap-free sequence numbers in call order per batch', async () => {
    const s = await seedConversation(store);
    const run = await start(s);
    const batches = Array.from({ length: 12 }, (_, b) =>
      Array.from({ length: 3 }, (_, i) => ({
        role: 'assistant' as const,
        content: [{ text: `${b}.${i}` }],
        outputTokens: i,
      })),
    );
    const results = await Promise.all(
      batches.map((batch) => store.runs.appendMessages(run.id, run.fencingToken, batch)),
    );
    expect(results.every(Boolean)).toBe(true);
    const history = await store.messages.history(s.conversation.id);
    expect(history.map((m) => m.seq)).toEqual(Array.from({ length: 36 }, (_, i) => i + 1));
    // Each batch stays contiguous and in order.
    for (const batch of batches) {
      const positions = batch.map((m) =>
        history.findIndex((h) => (h.content[0] as { text: string }).text === m.content[0]!.text),
      );
      expect(positions[1]).toBe(positions[0]! + 1);
      expect(positions[2]).toBe(positions[0]! + 2);
    }
    expect(history.every((m) => m.runId === run.id)).toBe(true);
  });

  it('stores content blocks exactly as given', async () => {
    const s = await seedConversation(store);
    const run = await start(s);
    const content = [
      { reasoningContent: { reasoningText: { text: 'think', signature: 'sig==' } } },
      { text: 'Running it.' },
      {
        toolUse: {
          toolUseId: 'tu_1',
          name: 'bash',
          input: { command: 'ls -la', nested: [1, null, { a: 'ü' }] },
        },
      },
    ];
    const result = [
      { toolResult: { toolUseId: 'tu_1', content: [{ text: 'total 0\n' }], status: 'success' as const } },
    ];
    await store.runs.appendMessages(run.id, run.fencingToken, [
      { role: 'assistant', content, inputTokens: 12, outputTokens: 34 },
      { role: 'user', content: result },
    ]);
    const history = await store.messages.history(s.conversation.id);
    expect(history.map((m) => m.content)).toEqual([content, result]);
    expect(history[0]).toMatchObject({ role: 'assistant', inputTokens: 12, outputTokens: 34, runId: run.id });
  });
});
