import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/use-test-database.js';
import { seedConversation, startRun, type Seeded } from './fixtures.js';

const { db, store } = useTestDatabase();

/** A conversation with a finished run: messages, a run, a usage record; plus a tenant API key. */
async function populated(): Promise<Seeded & { runId: string; keyHash: string }> {
  const seeded = await seedConversation(store);
  const { tenant } = seeded;
  const run = await startRun(store, seeded);
  await store.runs.appendMessages(run.id, run.fencingToken, [
    { role: 'user', content: [{ text: 'hi' }] },
    { role: 'assistant', content: [{ text: 'hello' }] },
  ]);
  await store.runs.finish(run.id, run.fencingToken, {
    status: 'succeeded',
    usage: {
      steps: 1,
      inputTokens: 10,
      outputTokens: 5,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      costUsd: '0.000105',
    },
  });
  const keyHash = `hash-${run.id}`;
  await store.apiKeys.create({ name: 'k', scope: 'tenant', tenantId: tenant.id, prefix: 'p', hash: keyHash });
  return { ...seeded, runId: run.id, keyHash };
}

async function counts(conversationId: string): Promise<Record<string, number>> {
  const [row] = await db.sql<Record<string, number>>(
    `SELECT (SELECT count(*)::int FROM messages WHERE conversation_id = $1) AS messages,
            (SELECT count(*)::int FROM runs WHERE conversation_id = $1) AS runs,
            (SELECT count(*)::int FROM usage_records WHERE conversation_id = $1) AS usage`,
    [conversationId],
  );
  return row!;
}

describe('cascading deletes', () => {
  it('deleting a conversation deletes its messages, runs and usage, and nothing else', async () => {
    const doomed = await populated();
    const kept = await populated();
    expect(await counts(doomed.conversation.id)).toEqual({ messages: 2, runs: 1, usage: 1 });

    expect(await store.conversations.delete(doomed.tenant.id, doomed.conversation.id)).toBe(true);
    expect(await counts(doomed.conversation.id)).toEqual({ messages: 0, runs: 0, usage: 0 });
    expect(await store.tenants.get(doomed.tenant.id)).toBeDefined();
    expect(await store.apiKeys.findByHash(doomed.keyHash)).toBeDefined();
    expect(await counts(kept.conversation.id)).toEqual({ messages: 2, runs: 1, usage: 1 });
  });

  it('deleting a tenant deletes its conversations, messages, runs, usage and keys', async () => {
    const doomed = await populated();
    const kept = await populated();
    expect(await store.tenants.delete(doomed.tenant.id)).toBe(true);

    expect(await counts(doomed.conversation.id)).toEqual({ messages: 0, runs: 0, usage: 0 });
    expect(await store.conversations.get(doomed.tenant.id, doomed.conversation.id)).toBeUndefined();
    expect(await store.runs.get(doomed.tenant.id, doomed.runId)).toBeUndefined();
    expect(await store.apiKeys.findByHash(doomed.keyHash)).toBeUndefined();
    expect((await store.usage.list(doomed.tenant.id, { limit: 10 })).items).toEqual([]);

    expect(await counts(kept.conversation.id)).toEqual({ messages: 2, runs: 1, usage: 1 });
    expect(await store.apiKeys.findByHash(kept.keyHash)).toBeDefined();
    expect(await store.models.get(doomed.model.id)).toBeDefined();
  });

  it('a deleted default model leaves the tenant without a default', async () => {
    const { model } = await seedConversation(store);
    const unused = await store.models.create({
      name: 'u',
      provider: 'scripted',
      inputPricePerMTok: '1',
      outputPricePerMTok: '1',
    });
    const tenant = await store.tenants.create({ name: 'd', defaultModelId: unused.id });
    expect(await store.models.delete(unused.id)).toBe(true);
    expect((await store.tenants.get(tenant.id))!.defaultModelId).toBeNull();
    expect(await store.models.get(model.id)).toBeDefined();
  });
});
