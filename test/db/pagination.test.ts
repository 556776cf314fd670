import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../orchestrator/src/common/errors.js';
import type { Page, PageRequest } from '../../orchestrator/src/store/repositories.js';
import { useTestDatabase } from '../support/use-test-database.js';
import { seedConversation, startRun } from './fixtures.js';

const { store } = useTestDatabase();

/** Walks every page and checks each one honours the limit and the last one says so. */
async function walk<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  for (;;) {
    const page = await fetch({ limit, cursor });
    pages += 1;
    expect(page.items.length).toBeLessThanOrEqual(limit);
    items.push(...page.items);
    if (page.nextCursor === null) return { items, pages };
    expect(page.items).toHaveLength(limit);
    expect(page.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    cursor = page.nextCursor;
    if (pages > 100) throw new Error('pagination does not end');
  }
}

describe('cursor pagination', () => {
  it('walks conversations over several pages in (createdAt, id) order with no duplicates or gaps', async () => {
    const { tenant, model, conversation } = await seedConversation(store);
    const ids = [conversation.id];
    // Same-millisecond rows are likely here: the id breaks the tie.
    const more = await Promise.all(
      Array.from({ length: 11 }, () =>
        store.conversations.create({ tenantId: tenant.id, modelId: model.id }),
      ),
    );
    ids.push(...more.map((c) => c.id));
    const { items, pages } = await walk((p) => store.conversations.list(tenant.id, {}, p), 5);
    expect(pages).toBe(3);
    const walked = items.map((c) => c.id);
    expect(new Set(walked).size).toBe(walked.length);
    expect([...walked].sort()).toEqual([...ids].sort());
    const keys = items.map((c) => [c.createdAt.getTime(), c.id] as const);
    const sorted = [...keys].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0));
    expect(keys).toEqual(sorted);
  });

  it('ends with nextCursor null exactly on the last page', async () => {
    const { tenant, model } = await seedConversation(store);
    await store.conversations.create({ tenantId: tenant.id, modelId: model.id });
    const exact = await store.conversations.list(tenant.id, {}, { limit: 2 });
    expect(exact.items).toHaveLength(2);
    expect(exact.nextCursor).toBeNull();
  });

  it('walks tenants, models, API keys and audit entries the same way', async () => {
    const tenantIds = new Set<string>();
    for (let i = 0; i < 7; i += 1) tenantIds.add((await store.tenants.create({ name: `t${i}` })).id);
    const tenants = await walk((p) => store.tenants.list(p), 3);
    expect(tenants.pages).toBeGreaterThan(2);
    const walkedTenants = tenants.items.map((t) => t.id);
    expect(new Set(walkedTenants).size).toBe(walkedTenants.length);
    for (const id of tenantIds) expect(walkedTenants).toContain(id);

    for (let i = 0; i < 7; i += 1) {
      await store.audit.record({
        actor: 'pager',
        action: 'x',
        target: `t${i}`,
        details: {},
        requestId: null,
      });
      await store.apiKeys.create({
        name: `k${i}`,
        scope: 'admin',
        tenantId: null,
        prefix: 'p',
        hash: `page-${i}`,
      });
    }
    const audit = await walk((p) => store.audit.list(p, { actor: 'pager' }), 3);
    expect(audit.pages).toBe(3);
    expect(audit.items.map((e) => e.target)).toEqual(['t0', 't1', 't2', 't3', 't4', 't5', 't6']);
    const keys = await walk((p) => store.apiKeys.list(p), 2);
    expect(keys.items.filter((k) => k.hash.startsWith('page-')).map((k) => k.name)).toEqual([
      'k0',
      'k1',
      'k2',
      'k3',
      'k4',
      'k5',
      'k6',
    ]);
    const models = await walk((p) => store.models.list(p), 1);
    expect(new Set(models.items.map((m) => m.id)).size).toBe(models.items.length);
  });

  it('walks messages by seq and runs by start', async () => {
    const seeded = await seedConversation(store);
    const { tenant, conversation } = seeded;
    const run = await startRun(store, seeded);
    const messages = Array.from({ length: 11 }, (_, i) => ({
      role: i % 2 === 0 ? ('user' as const) : ('assistant' as const),
      content: [{ text: `m${i + 1}` }],
    }));
    expect(await store.runs.appendMessages(run.id, run.fencingToken, messages)).toBe(true);
    const walked = await walk((p) => store.messages.list(conversation.id, p), 4);
    expect(walked.pages).toBe(3);
    expect(walked.items.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(walked.items.map((m) => m.content)).toEqual(messages.map((m) => m.content));

    const runIds = [run.id];
    for (let i = 0; i < 4; i += 1) {
      runIds.push((await startRun(store, seeded)).id);
    }
    const runs = await walk((p) => store.runs.list(tenant.id, conversation.id, p), 2);
    expect(runs.pages).toBe(3);
    expect(runs.items.map((r) => r.id).sort()).toEqual([...runIds].sort());
    expect(runs.items.map((r) => r.fencingToken)).toEqual(
      [...runs.items.map((r) => r.fencingToken)].sort((a, b) => (a < b ? -1 : 1)),
    );
  });

  it('rejects a cursor it did not hand out with a validation error', async () => {
    const { tenant, conversation } = await seedConversation(store);
    const bad = [
      'not a cursor!',
      'bm90IGpzb24',
      Buffer.from(JSON.stringify({ t: 'yesterday', i: 'x' })).toString('base64url'),
      Buffer.from(JSON.stringify({ t: new Date().toISOString() })).toString('base64url'),
      Buffer.from(JSON.stringify([1, 2])).toString('base64url'),
      'x'.repeat(1000),
    ];
    for (const cursor of bad) {
      await expect(
        store.conversations.list(tenant.id, {}, { limit: 5, cursor }),
        cursor,
      ).rejects.toBeInstanceOf(ValidationError);
      await expect(store.tenants.list({ limit: 5, cursor })).rejects.toBeInstanceOf(ValidationError);
    }
    const messageCursor = Buffer.from(JSON.stringify({ s: -1 })).toString('base64url');
    await expect(
      store.messages.list(conversation.id, { limit: 5, cursor: messageCursor }),
    ).rejects.toBeInstanceOf(ValidationError);
    const timeCursor = (await store.tenants.list({ limit: 1 })).nextCursor!;
    await expect(
      store.messages.list(conversation.id, { limit: 5, cursor: timeCursor }),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('rejects a limit outside 1..1000', async () => {
    for (const limit of [0, -1, 1.5, 1001, Number.NaN]) {
      await expect(store.tenants.list({ limit })).rejects.toBeInstanceOf(ValidationError);
    }
  });
});
