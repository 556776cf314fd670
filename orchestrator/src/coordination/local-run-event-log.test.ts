import { describe, expect, it } from 'vitest';
import { parseLoggedEvent } from '../runs/run-event-log.js';
import { LocalRunEventLog } from './local-run-event-log.js';

function log(overrides: Partial<ConstructorParameters<typeof LocalRunEventLog>[0]> = {}) {
  let now = 1_000_000;
  const clock = { now: () => now };
  return {
    log: new LocalRunEventLog({
      maxEventsPerRun: 100,
      maxBytesPerRun: 1 << 20,
      maxTotalBytes: 1 << 30,
      retentionMs: 60_000,
      clock,
      ...overrides,
    }),
    advance: (ms: number) => (now += ms),
  };
}

describe('LocalRunEventLog', () => {
  it('numbers events from 1, reads after a seq, and reports done at the end', async () => {
    const { log: l } = log();
    l.append('r1', { type: 'run_start', conversationId: 'c', modelId: 'm' });
    l.append('r1', { type: 'text', delta: 'a' });
    l.append('r1', { type: 'text', delta: 'b' });
    expect((await l.read('r1', 0, 10))?.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect((await l.read('r1', 1, 1))?.events.map((e) => e.seq)).toEqual([2]);
    expect((await l.read('r1', 3, 10))?.done).toBe(false);
    await l.complete('r1');
    expect((await l.read('r1', 1, 1))?.done).toBe(false);
    expect((await l.read('r1', 2, 10))?.done).toBe(true);
    expect(await l.read('unknown', 0, 10)).toBeUndefined();
  });

  it('wakes a waiting reader on append and on completion', async () => {
    const { log: l } = log();
    l.append('r', { type: 'text', delta: 'a' });
    const waited = l.waitForMore('r', 1, new AbortController().signal);
    let woke = false;
    void waited.then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    l.append('r', { type: 'text', delta: 'b' });
    await waited;
    const done = l.waitForMore('r', 2, new AbortController().signal);
    await l.complete('r');
    await done;
  });

  it('wakes a reader once for what a fast writer appends in one go, so it reads one batch', async () => {
    const { log: l } = log();
    l.append('r', { type: 'text', delta: 'a' });
    const batches: number[] = [];
    const reader = (async () => {
      await l.waitForMore('r', 1, new AbortController().signal);
      batches.push((await l.read('r', 1, 100))?.events.length ?? 0);
    })();
    for (const delta of ['b', 'c', 'd']) l.append('r', { type: 'text', delta });
    await reader;
    expect(batches).toEqual([3]);
  });

  it('keeps memory bounded: drops the oldest events and tells readers where the log now starts', async () => {
    const { log: l } = log({ maxEventsPerRun: 3 });
    for (let i = 0; i < 5; i++) l.append('r', { type: 'text', delta: String(i) });
    const batch = await l.read('r', 0, 10);
    expect(batch?.firstSeq).toBe(3);
    expect(batch?.events.map((e) => e.seq)).toEqual([3, 4, 5]);
  });

  it('reads the right events while a long run keeps dropping its oldest (across its chunks)', async () => {
    const { log: l } = log({ maxEventsPerRun: 1_500 });
    for (let i = 1; i <= 6_000; i++) {
      l.append('r', { type: 'text', delta: String(i) });
      if (i % 700 !== 0) continue;
      const first = Math.max(1, i - 1_499);
      const all = await l.read('r', 0, 10_000);
      expect(all?.firstSeq).toBe(first);
      expect(all?.events.length).toBe(i - first + 1);
      expect(all?.events[0]?.seq).toBe(first);
      expect(all?.events.at(-1)?.seq).toBe(i);
      const some = await l.read('r', i - 10, 3);
      expect(some?.events.map(parseLoggedEvent).map((e) => [e.seq, e.type === 'text' && e.delta])).toEqual([
        [i - 9, String(i - 9)],
        [i - 8, String(i - 8)],
        [i - 7, String(i - 7)],
      ]);
    }
  });

  it('bounds bytes too, counting each event’s serialized size, and stamps each event with the clock’s time', async () => {
    const { log: l, advance } = log({ maxBytesPerRun: 300 });
    for (let i = 0; i < 4; i++) {
      l.append('r', { type: 'text', delta: 'x'.repeat(50) });
      if (i === 1) advance(1);
    }
    const batch = await l.read('r', 0, 10);
    // Each event is about 140 bytes: two fit in 300.
    expect(batch?.events.map((e) => e.json.length)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(batch?.events[0]?.json.length).toBeGreaterThan(100);
    expect(batch?.events.map((e) => e.seq)).toEqual([3, 4]);
    expect(batch?.events.map((e) => parseLoggedEvent(e).timestamp)).toEqual([
      new Date(1_000_001).toISOString(),
      new Date(1_000_001).toISOString(),
    ]);
    l.append('s', { type: 'text', delta: 'y' });
    const first = (await l.read('s', 0, 1))?.events[0];
    expect(first && parseLoggedEvent(first).timestamp).toBe(new Date(1_000_001).toISOString());
  });

  it('forgets a finished run after the retention window', async () => {
    const { log: l, advance } = log();
    l.append('r', { type: 'text', delta: 'a' });
    await l.complete('r');
    advance(59_000);
    expect(await l.read('r', 0, 1)).toBeDefined();
    advance(2_000);
    expect(await l.read('r', 0, 1)).toBeUndefined();
  });

  it('beyond its budget across runs, forgets finished runs oldest first and never a running one', async () => {
    const delta = 'x'.repeat(50);
    const sizing = log().log;
    sizing.append('run0', { type: 'text', delta });
    const size = (await sizing.read('run0', 0, 1))?.events[0]?.json.length ?? 0;
    // Room for 9 events (run ids of one length, so every event has about that size).
    const { log: l, advance } = log({ maxTotalBytes: 9 * size + 5 });
    const fill = async (runId: string, n: number): Promise<void> => {
      for (let i = 0; i < n; i++) l.append(runId, { type: 'text', delta });
    };
    await fill('run1', 4);
    await l.complete('run1');
    advance(10);
    await fill('run2', 4);
    await l.complete('run2');
    expect((await l.read('run1', 0, 10))?.events).toHaveLength(4);
    // A running run grows past the budget: the finished runs go, the oldest first, and it keeps every event.
    await fill('run3', 4);
    expect(await l.read('run1', 0, 10)).toBeUndefined();
    expect((await l.read('run2', 0, 10))?.events).toHaveLength(4);
    await fill('run3', 20);
    expect(await l.read('run2', 0, 10)).toBeUndefined();
    expect((await l.read('run3', 0, 100))?.events).toHaveLength(24);
    // Once finished it goes too, at once (no later append is needed), and what was forgotten no longer counts.
    await l.complete('run3');
    expect(await l.read('run3', 0, 1)).toBeUndefined();
    await fill('run4', 9);
    expect((await l.read('run4', 0, 10))?.events).toHaveLength(9);
  });

  it('keeps large and multi-byte events whole across its chunks, and bounds them in UTF-8 bytes', async () => {
    const { log: l } = log({ maxBytesPerRun: 1 << 20 });
    // About 100 KB each: two or three to a chunk, and ten to the run's limit.
    const deltas = Array.from({ length: 40 }, (_, i) => `${i}:${'é'.repeat(50_000)}`);
    for (const delta of deltas) l.append('r', { type: 'text', delta });
    const batch = await l.read('r', 0, 100);
    const kept = batch?.events ?? [];
    expect(kept.length).toBeGreaterThanOrEqual(9);
    expect(kept.length).toBeLessThanOrEqual(10);
    expect(kept.reduce((sum, e) => sum + Buffer.byteLength(e.json), 0)).toBeLessThanOrEqual(1 << 20);
    expect(kept.map((e) => parseLoggedEvent(e)).map((e) => e.type === 'text' && e.delta)).toEqual(
      deltas.slice(40 - kept.length),
    );
    expect(batch?.firstSeq).toBe(41 - kept.length);
    // Each event's bytes, as SSE copies them, are its JSON's UTF-8.
    for (const event of kept) {
      const copied = Buffer.alloc(event.utf8?.size ?? 0);
      event.utf8?.copy(copied, 0);
      expect(copied.equals(Buffer.from(event.json))).toBe(true);
    }
    const middle = await l.read('r', 35, 2);
    expect(middle?.events.map((e) => parseLoggedEvent(e)).map((e) => e.type === 'text' && e.delta)).toEqual(
      deltas.slice(35, 37),
    );
  });

  it('holds retained events in buffers off the JavaScript heap', async () => {
    const { log: l } = log({ maxEventsPerRun: 100_000, maxBytesPerRun: 1 << 30 });
    const before = process.memoryUsage().arrayBuffers;
    const delta = 'x'.repeat(1_000);
    for (let i = 0; i < 30_000; i++) l.append('r', { type: 'text', delta });
    // Over 30 MB of JSON, all of it in array buffers. They are freed only when collected, so earlier tests'
    // may go meanwhile (a few MB at most): the growth is at least two thirds of it.
    expect(process.memoryUsage().arrayBuffers - before).toBeGreaterThan(20_000_000);
    expect((await l.read('r', 29_999, 1))?.events[0]?.seq).toBe(30_000);
  });
});
