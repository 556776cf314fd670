import { describe, expect, it } from 'vitest';
import { EventLoopTurns } from '../common/event-loop-turns.js';
import { silentLogger } from '../common/logger.js';
import type { SandboxUsage } from '../sandbox/sandbox-usage.js';
import { RunResourceWatch, type LimitReached } from './run-resource-watch.js';

const IDLE: SandboxUsage = {
  cpuSeconds: 10,
  memoryBytes: 1000,
  memoryPeakBytes: 5000,
  memoryLimitBytes: 100_000,
  oomKills: 1,
  pids: 3,
  pidsLimit: 64,
  pidsRefused: 7,
  throttledPeriods: 2,
  workspace: { usedBytes: 0, sizeBytes: 1000 },
};

function harness(samples: Partial<SandboxUsage>[]) {
  let now = 0;
  const queue = [IDLE, ...samples.map((s) => ({ ...IDLE, ...s }))];
  const limits: LimitReached[] = [];
  const saturated: string[] = [];
  const watch = new RunResourceWatch({
    read: () => Promise.resolve(queue.length > 1 ? queue.shift() : queue[0]),
    onLimit: (reached) => {
      limits.push(reached);
      return Promise.resolve();
    },
    onPidsSaturated: (message) => saturated.push(message),
    intervalMs: 3_600_000,
    pidsSaturationMs: 2,
    clock: { now: () => now },
    logger: silentLogger(),
  });
  return { watch, limits, saturated, tick: (ms: number) => (now += ms) };
}

describe('RunResourceWatch', () => {
  it('ignores what the sandbox hit before the run (counters are compared with the first reading)', async () => {
    const h = harness([{}, {}]);
    await h.watch.start();
    await h.watch.check();
    expect(h.limits).toEqual([]);
    await h.watch.stop();
  });

  it('reports an OOM kill, a fork bomb and a full workspace once each, and tracks the peaks', async () => {
    const h = harness([
      { oomKills: 2, memoryBytes: 90_000, memoryPeakBytes: 99_000 },
      { oomKills: 3, pids: 64, pidsRefused: 30 },
      { pids: 64, pidsRefused: 40, workspace: { usedBytes: 990, sizeBytes: 1000 }, cpuSeconds: 12.5 },
    ]);
    await h.watch.start();
    await h.watch.check();
    await h.watch.check();
    await h.watch.check();
    expect(h.limits.map((l) => l.limit)).toEqual(['memory', 'pids', 'workspace']);
    expect(h.limits[0]?.message).toMatch(/OOM killer killed 1 process/);
    expect(await h.watch.stop()).toEqual({ cpuSeconds: 2.5, peakMemoryBytes: 99_000, peakPids: 64 });
  });

  it('ends the run only when the pids limit stays saturated for the configured time', async () => {
    const h = harness([{ pids: 64 }, { pids: 10 }, { pids: 64 }, { pids: 64 }, { pids: 64 }]);
    await h.watch.start();
    h.tick(1);
    await h.watch.check(); // saturated since t=1
    h.tick(5);
    await h.watch.check(); // recovered: the clock restarts
    h.tick(1);
    await h.watch.check(); // saturated since t=7
    expect(h.saturated).toEqual([]);
    h.tick(1);
    await h.watch.check();
    expect(h.saturated).toEqual([]);
    h.tick(1);
    await h.watch.check(); // 2 ms at the limit
    expect(h.saturated).toHaveLength(1);
    expect(h.limits.map((l) => l.limit)).toEqual(['pids']);
    await h.watch.stop();
  });
});

describe('RunResourceWatch lifecycle', () => {
  it('does not start watching when the run ended before its sandbox was ready', async () => {
    let reads = 0;
    const watch = new RunResourceWatch({
      read: () => {
        reads += 1;
        return Promise.resolve(IDLE);
      },
      onLimit: () => Promise.resolve(),
      onPidsSaturated: () => undefined,
      intervalMs: 1,
      pidsSaturationMs: 1,
      clock: { now: () => 0 },
      logger: silentLogger(),
    });
    await watch.stop();
    expect(reads).toBe(1);
    await watch.start();
    expect(reads).toBe(1);
    await watch.check();
    expect(reads).toBe(1);
  });

  it("reads at its interval in the relay's turn: after the next check phase when the slice is spent", async () => {
    const order: string[] = [];
    // A slice of 0 ms is spent once it has begun.
    const turns = new EventLoopTurns(0, 1_000);
    const watch = new RunResourceWatch({
      read: () => {
        order.push('read');
        return Promise.resolve(IDLE);
      },
      onLimit: () => Promise.resolve(),
      onPidsSaturated: () => undefined,
      intervalMs: 1,
      pidsSaturationMs: 60_000,
      clock: { now: () => 0 },
      logger: silentLogger(),
      turns,
    });
    await watch.start();
    await new Promise<void>((resolve) =>
      setImmediate(() => {
        order.length = 0;
        // Begun in this check phase, the slice lasts until the next one; the interval is due before then.
        void turns.turn();
        const until = performance.now() + 2;
        while (performance.now() < until) {
          // wait for the interval to be due
        }
        setImmediate(() => {
          order.push('next turn');
          resolve();
        });
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    await watch.stop();
    expect(order.slice(0, 2)).toEqual(['next turn', 'read']);
  });
});
