import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureSize, perRun, SMOKE_MIX, type SizeResult } from '../bench/fleet/fleet-mix.js';
import { breakdownTable, summaryTable } from '../bench/fleet/fleet-tables.js';
import { startPrivateRedis, type PrivateRedis } from '../bench/fleet/private-redis.js';

/** bench:fleet at tiny sizes (1 and 2 nodes): the counting machinery and the fleet checks, in the test run. */
describe('bench:fleet smoke', () => {
  let redis: PrivateRedis;
  const results: SizeResult[] = [];

  beforeAll(async () => {
    redis = await startPrivateRedis();
    for (const nodes of [1, 2]) results.push(await measureSize(redis, { nodes, ...SMOKE_MIX }));
    process.stdout.write(
      `${summaryTable(results)}\n\n${breakdownTable(results, (r) => r.redis, 'command')}\n`,
    );
  });
  afterAll(async () => {
    await redis.close();
  });

  it('runs the whole mix at each size, each run on the node the client sent it to', () => {
    for (const r of results) {
      expect(r.failed).toBe(0);
      expect(r.runs).toBe(SMOKE_MIX.conversations * SMOKE_MIX.turns);
      expect(r.ranElsewhere).toBe(0);
    }
    expect(results[0]!.moved.moved).toBe(0);
  });

  it('never runs a conversation twice at once: contended requests get 409, runs never overlap', () => {
    for (const r of results) {
      expect(r.overlaps).toBe(0);
      expect(r.unfinished).toBe(0);
      expect(r.contention.other).toBe(0);
      expect(r.contention.succeeded).toBeGreaterThanOrEqual(SMOKE_MIX.conversations);
      expect(r.contention.succeeded + r.contention.busy).toBe(SMOKE_MIX.conversations * SMOKE_MIX.contenders);
    }
  });

  it('counts Redis commands and PostgreSQL statements per run, net of what idle nodes spend', () => {
    for (const r of results) {
      // Every run takes the conversation lock (redlock's SET NX ... or its script) and appends events.
      expect(r.redis.xadd ?? 0).toBeGreaterThanOrEqual(r.runs);
      expect(perRun(r, r.redis, r.idle.redis)).toBeGreaterThan(0);
      // A run row is inserted and its messages stored.
      expect(r.pg.INSERT ?? 0).toBeGreaterThanOrEqual(r.runs);
      expect(perRun(r, r.pg, r.idle.pg)).toBeGreaterThan(0);
      // Idle nodes heartbeat: the idle window saw Redis traffic.
      expect(Object.values(r.idle.redis).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    }
  });
});
