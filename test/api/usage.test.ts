import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../support/test-daemon.js';
import { collectPages, expectError } from './api-client.js';

const SCALE = 12;

/** An exact decimal string as an integer count of 1e-12 USD (no float ever touches a cost). */
function pico(decimal: string): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!match) throw new Error(`not a decimal: ${decimal}`);
  const fraction = (match[2] ?? '').padEnd(SCALE, '0');
  if (fraction.length > SCALE) throw new Error(`more than ${SCALE} decimals: ${decimal}`);
  return BigInt(match[1] ?? '0') * 10n ** BigInt(SCALE) + BigInt(fraction);
}

interface Totals {
  runs: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cost: bigint;
}

function sum(rows: { inputTokens: number; outputTokens: number; costUsd?: string }[], runs: number): Totals {
  return {
    runs,
    inputTokens: rows.reduce((n, r) => n + r.inputTokens, 0),
    outputTokens: rows.reduce((n, r) => n + r.outputTokens, 0),
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    cost: rows.reduce((n, r) => n + pico(r.costUsd ?? '0'), 0n),
  };
}

function totalsOf(group: Record<string, unknown>): Totals {
  return {
    runs: group.runs as number,
    inputTokens: group.inputTokens as number,
    outputTokens: group.outputTokens as number,
    cacheReadTokens: group.cacheReadTokens as number,
    cacheWriteTokens: group.cacheWriteTokens as number,
    cost: pico(group.costUsd as string),
  };
}

describe('usage totals match the runs and the stored messages exactly', () => {
  let d: TestDaemon;
  let db: pg.Pool;
  let tenantId: string;
  const conversations: string[] = [];
  const runs: { id: string; conversationId: string; usage: any }[] = [];

  beforeAll(async () => {
    d = await startTestDaemon();
    db = new pg.Pool({ connectionString: d.databaseUrl, max: 1 });
    tenantId = (await d.api('POST', '/api/tenants', { name: 'usage' })).body.id;
    for (let i = 0; i < 2; i++) {
      conversations.push((await d.api('POST', `/api/tenants/${tenantId}/conversations`, {})).body.id);
    }
    const script: [number, string][] = [
      [0, '@say hello world'],
      [0, `@say ${'long '.repeat(80)}`],
      [1, '@tool bash {"command":"echo usage"}\n@say the tool said:\n@result'],
      [1, 'no directives: echoed back'],
    ];
    for (const [index, message] of script) {
      const conversationId = conversations[index] ?? '';
      const res = await d.api('POST', `/api/tenants/${tenantId}/conversations/${conversationId}/query`, {
        message,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      runs.push({ id: res.body.runId, conversationId, usage: res.body.usage });
    }
  });
  afterAll(async () => {
    await db.end();
    await d.destroy();
  });

  it('each run row equals its /query usage, its usage records and its assistant messages', async () => {
    for (const run of runs) {
      const row = await d.api(
        'GET',
        `/api/tenants/${tenantId}/conversations/${run.conversationId}/runs/${run.id}`,
      );
      expect(row.body).toMatchObject({
        status: 'succeeded',
        inputTokens: run.usage.inputTokens,
        outputTokens: run.usage.outputTokens,
        steps: run.usage.steps,
      });
      expect(pico(row.body.costUsd)).toBe(pico(run.usage.costUsdExact));
      // The scripted model costs $1 per million input tokens and $2 per million output tokens.
      expect(pico(row.body.costUsd)).toBe(
        (BigInt(row.body.inputTokens) * 1n + BigInt(row.body.outputTokens) * 2n) * 10n ** BigInt(SCALE - 6),
      );
      const records = await db.query(
        `SELECT coalesce(sum(input_tokens), 0)::int AS input, coalesce(sum(output_tokens), 0)::int AS output,
           coalesce(sum(cost_usd), 0)::text AS cost FROM usage_records WHERE run_id = $1`,
        [run.id],
      );
      expect(records.rows[0]).toMatchObject({ input: row.body.inputTokens, output: row.body.outputTokens });
      expect(pico(records.rows[0].cost)).toBe(pico(row.body.costUsd));
    }
    expect(runs.find((r) => r.usage.steps === 2)).toBeDefined();

    for (const conversationId of conversations) {
      const { items } = await collectPages(
        d,
        `/api/tenants/${tenantId}/conversations/${conversationId}/messages`,
        3,
      );
      const mine = runs.filter((r) => r.conversationId === conversationId);
      for (const run of mine) {
        const assistant = items.filter((m) => m.runId === run.id && m.role === 'assistant');
        expect(assistant).toHaveLength(run.usage.steps);
        expect(sum(assistant, 1)).toMatchObject({
          inputTokens: run.usage.inputTokens,
          outputTokens: run.usage.outputTokens,
        });
      }
      expect(
        items.filter((m) => m.role === 'user' && Number(m.inputTokens) + Number(m.outputTokens) > 0),
      ).toEqual([]);
      expect(items.map((m) => m.seq)).toEqual(items.map((_, i) => i + 1));
    }
  });

  it('groupBy=model, conversation and day total exactly the runs and the messages', async () => {
    const rows = await Promise.all(
      runs.map(
        async (run) =>
          (await d.api('GET', `/api/tenants/${tenantId}/conversations/${run.conversationId}/runs/${run.id}`))
            .body,
      ),
    );
    const all = sum(rows, rows.length);
    const messages = (
      await Promise.all(
        conversations.map(
          async (c) =>
            (await collectPages(d, `/api/tenants/${tenantId}/conversations/${c}/messages`, 200)).items,
        ),
      )
    ).flat();
    const fromMessages = sum(
      messages.filter((m) => m.role === 'assistant'),
      rows.length,
    );
    expect({ ...fromMessages, cost: all.cost }).toEqual(all);

    const byModel = await d.api('GET', `/api/tenants/${tenantId}/usage?groupBy=model`);
    expect(byModel.status).toBe(200);
    expect(byModel.body.groupBy).toBe('model');
    expect(totalsOf(byModel.body.total)).toEqual(all);
    expect(byModel.body.groups.map((g: { key: string }) => g.key)).toEqual(['scripted']);
    expect(totalsOf(byModel.body.groups[0])).toEqual(all);
    expect(byModel.body.total.costUsd).toMatch(/^\d+\.\d+$/);

    const byConversation = await d.api('GET', `/api/tenants/${tenantId}/usage?groupBy=conversation`);
    expect(totalsOf(byConversation.body.total)).toEqual(all);
    const expectedGroups = conversations
      .map((c) => {
        const mine = rows.filter((r) => r.conversationId === c);
        return { key: c, totals: sum(mine, mine.length) };
      })
      .sort((x, y) => x.key.localeCompare(y.key));
    expect(
      byConversation.body.groups.map((g: Record<string, unknown>) => ({ key: g.key, totals: totalsOf(g) })),
    ).toEqual(expectedGroups);

    const byDay = await d.api('GET', `/api/tenants/${tenantId}/usage?groupBy=day`);
    expect(totalsOf(byDay.body.total)).toEqual(all);
    const days = [...new Set(rows.map((r) => String(r.createdAt).slice(0, 10)))].sort();
    expect(byDay.body.groups.map((g: { key: string }) => g.key)).toEqual(days);
    const dayRuns = byDay.body.groups.reduce((n: number, g: { runs: number }) => n + g.runs, 0);
    expect(dayRuns).toBe(rows.length);

    // The default grouping is by model; a tenant key sees the same totals.
    const key = await d.api('POST', '/api/keys', { name: 'u', scope: 'tenant', tenantId });
    const asTenant = await d.api('GET', `/api/tenants/${tenantId}/usage`, undefined, key.body.key);
    expect(asTenant.body.groupBy).toBe('model');
    expect(totalsOf(asTenant.body.total)).toEqual(all);
  });

  it('honours the window and validates it', async () => {
    const future = new Date(Date.now() + 60_000).toISOString();
    const empty = await d.api('GET', `/api/tenants/${tenantId}/usage?from=${future}&to=${future}`);
    expect(empty.status).toBe(200);
    expect(empty.body.total).toMatchObject({ runs: 0, inputTokens: 0, outputTokens: 0 });
    expect(pico(empty.body.total.costUsd)).toBe(0n);
    const past = new Date(Date.now() - 86_400_000).toISOString();
    const window = await d.api('GET', `/api/tenants/${tenantId}/usage?from=${past}&to=${future}`);
    expect(window.body.total.runs).toBe(runs.length);

    const base = `/api/tenants/${tenantId}/usage`;
    for (const query of [
      `from=${future}&to=${past}`,
      'from=yesterday',
      'to=2026-13-01T00:00:00Z',
      'groupBy=user',
    ]) {
      expectError(await d.api('GET', `${base}?${query}`), 400, 'VALIDATION_FAILED');
    }
    expectError(await d.api('GET', '/api/tenants/no-such-tenant/usage'), 404, 'NOT_FOUND');
  });
});
