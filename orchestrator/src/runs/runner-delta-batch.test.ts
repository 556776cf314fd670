import type { ModelStreamChunk } from '@agentd/sandbox-runner/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventLoopTurns } from '../common/event-loop-turns.js';
import { RunnerDeltaBatch } from './runner-delta-batch.js';

function recorder(): { sent: ModelStreamChunk[]; send: (chunk: ModelStreamChunk) => Promise<void> } {
  const sent: ModelStreamChunk[] = [];
  return { sent, send: (chunk) => Promise.resolve(void sent.push(chunk)) };
}

afterEach(() => {
  vi.useRealTimers();
});

/**
 * Turns of their own, with a slice that is never spent: the process's relay turns end their slices on real
 * immediates, which fake timers would hold back into the next test.
 */
const roomy = (): EventLoopTurns => new EventLoopTurns(60_000, 1_000_000);

describe('RunnerDeltaBatch', () => {
  it('sends consecutive deltas of one kind as one chunk, in order, cutting where the kind changes', async () => {
    const { sent, send } = recorder();
    const batch = new RunnerDeltaBatch(send, 1_000, 1_000, roomy());
    expect(batch.add('thinking', 'hm')).toBeUndefined();
    // A change of kind sends what is held: that send is the caller's to wait for.
    const cut = batch.add('text', 'a');
    expect(cut).toBeInstanceOf(Promise);
    await cut;
    // Only held: nothing to wait for, so the model's stream pays no promise per delta.
    expect(batch.add('text', 'b')).toBeUndefined();
    await batch.add('thinking', 'c');
    await batch.flush();
    await batch.add('text', 'd');
    await batch.flush();
    await batch.flush();
    batch.close();
    expect(sent).toEqual([
      { type: 'thinking', delta: 'hm' },
      { type: 'text', delta: 'ab' },
      { type: 'thinking', delta: 'c' },
      { type: 'text', delta: 'd' },
    ]);
  });

  it('sends what a slow model left behind after the delay, without a flush', async () => {
    vi.useFakeTimers();
    const { sent, send } = recorder();
    const batch = new RunnerDeltaBatch(send, 25, 1_000, roomy());
    await batch.add('text', 'x');
    await batch.add('text', 'y');
    await vi.advanceTimersByTimeAsync(24);
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([{ type: 'text', delta: 'xy' }]);
    batch.close();
  });

  it("sends at the delay in the relay's turn: after the next check phase when the slice is spent", async () => {
    const order: string[] = [];
    // A slice of 0 ms is spent once it has begun.
    const turns = new EventLoopTurns(0, 1_000);
    const batch = new RunnerDeltaBatch(
      (chunk) => {
        order.push(`sent ${JSON.stringify(chunk)}`);
        return Promise.resolve();
      },
      1,
      1_000,
      turns,
    );
    // Fires just before the batch's timer, in the same timers phase, and begins the slice.
    setTimeout(() => {
      void turns.turn();
      setImmediate(() => order.push('next turn'));
    }, 1);
    await batch.add('text', 'x');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['next turn', 'sent {"type":"text","delta":"x"}']);
    batch.close();
  });

  it('sends once maxBytes are held, and the add that filled it waits for the runner', async () => {
    vi.useFakeTimers();
    let release = (): void => undefined;
    const sent: string[] = [];
    const batch = new RunnerDeltaBatch(
      async (chunk) => {
        await new Promise<void>((resolve) => (release = resolve));
        if (chunk.type === 'text') sent.push(chunk.delta);
      },
      1_000,
      4,
      roomy(),
    );
    await batch.add('text', 'ab');
    let filled = false;
    // Full: the caller is handed the send to wait for.
    const filling = batch.add('text', 'cd')?.then(() => (filled = true));
    expect(filling).toBeInstanceOf(Promise);
    await vi.advanceTimersByTimeAsync(0);
    expect(filled).toBe(false);
    release();
    await filling;
    expect(sent).toEqual(['abcd']);
    // Nothing held, so no timer: the next delta starts a new chunk and a new delay.
    await batch.add('text', 'e');
    await vi.advanceTimersByTimeAsync(999);
    expect(sent).toEqual(['abcd']);
    await vi.advanceTimersByTimeAsync(1);
    release();
    await batch.flush();
    expect(sent).toEqual(['abcd', 'e']);
    batch.close();
  });

  it('waits for an earlier send (backpressure) and reports a failed one at the next flush', async () => {
    const order: string[] = [];
    let release = (): void => undefined;
    let calls = 0;
    const batch = new RunnerDeltaBatch(
      async (chunk) => {
        calls += 1;
        if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
        if (calls === 3) throw new Error('runner gone');
        order.push(chunk.type === 'text' ? chunk.delta : chunk.type);
      },
      1_000,
      1_000,
      roomy(),
    );
    await batch.add('text', '1');
    const first = batch.flush();
    await batch.add('text', '2');
    const second = batch.flush();
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['1', '2']);
    await batch.add('text', '3');
    await expect(batch.flush()).rejects.toThrow('runner gone');
    batch.close();
  });
});
