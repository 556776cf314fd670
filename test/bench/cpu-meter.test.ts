import os from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { CpuTimeline, type CpuSnapshot } from './cpu-meter.js';

/** Counters as a fake clock advances: the thread busy at `busy` (CPUs), the host at `host` of its CPUs. */
function fakeCounters(): {
  now: () => CpuSnapshot;
  advance: (ms: number, busy: number, host: number) => void;
} {
  let at = 1_000;
  let threadUs = 0;
  let hostBusy = 0;
  let hostTotal = 0;
  return {
    now: () => ({ at, threadUs, threadWaitUs: 0, containersUs: undefined, hostBusy, hostTotal }),
    advance: (ms, busy, host) => {
      at += ms;
      threadUs += ms * 1000 * busy;
      hostBusy += ms * host;
      hostTotal += ms;
    },
  };
}

describe('CpuTimeline', () => {
  it('reads the use over a window between samples, interpolating at its ends', () => {
    vi.useFakeTimers();
    try {
      const counters = fakeCounters();
      const timeline = new CpuTimeline(counters.now);
      timeline.start(10);
      counters.advance(10, 0, 0.5); // 1000 → 1010: the thread idle, the host half busy
      vi.advanceTimersByTime(10);
      counters.advance(10, 1, 1); // 1010 → 1020: the thread one CPU, the host all busy
      vi.advanceTimersByTime(10);
      timeline.stop();
      const across = timeline.between(1_005, 1_015);
      expect(across?.seconds).toBeCloseTo(0.01);
      expect(across?.thread).toBeCloseTo(0.5);
      expect(across?.threadWaiting).toBe(0);
      expect(timeline.between(1_010, 1_020)?.thread).toBeCloseTo(1);
      expect(timeline.between(1_002, 1_008)?.thread).toBeCloseTo(0);
      // /proc/stat's shares scaled by this host's CPUs: half of them, then all.
      const cpus = os.cpus().length;
      expect(timeline.between(1_000, 1_010)?.host).toBeCloseTo(cpus / 2);
      expect(timeline.between(1_012, 1_018)?.host).toBeCloseTo(cpus);
    } finally {
      vi.useRealTimers();
    }
  });

  it('has no figure for a window outside its samples or of no length', () => {
    const counters = fakeCounters();
    const timeline = new CpuTimeline(counters.now);
    timeline.start(60_000);
    counters.advance(10, 1, 1);
    timeline.stop();
    expect(timeline.between(990, 1_005)).toBeUndefined();
    expect(timeline.between(1_005, 1_011)).toBeUndefined();
    expect(timeline.between(1_005, 1_005)).toBeUndefined();
    expect(timeline.between(1_000, 1_010)?.thread).toBeCloseTo(1);
  });

  it('measures this thread for real: busy while it spins, not while it sleeps', async () => {
    const timeline = new CpuTimeline();
    timeline.start(5);
    const { clockMs } = await import('./sse-reader-worker.js');
    const spinFrom = clockMs();
    while (clockMs() - spinFrom < 60) {
      // Spin.
    }
    const spinTo = clockMs();
    await new Promise((resolve) => setTimeout(resolve, 60));
    const sleptTo = clockMs();
    timeline.stop();
    // Loose bounds: the host is shared, so the spinning thread may wait for a CPU part of the time.
    expect(timeline.between(spinFrom, spinTo)?.thread).toBeGreaterThan(0.3);
    expect(timeline.between(spinTo + 10, sleptTo)?.thread).toBeLessThan(0.2);
  });
});
