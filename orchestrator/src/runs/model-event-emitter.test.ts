import { describe, expect, it, vi } from 'vitest';
import { ModelEventEmitter, type ModelStreamEvent } from './model-event-emitter.js';

function recorder(maxChars: number, maxDelayMs = 3_600_000) {
  const events: ModelStreamEvent[] = [];
  const emitter = new ModelEventEmitter(
    (event) => {
      events.push(event);
      return Promise.resolve();
    },
    { maxChars, maxDelayMs },
  );
  return { events, emitter };
}

describe('ModelEventEmitter', () => {
  it('joins consecutive deltas of one kind and keeps the model’s order across kinds and events', async () => {
    const { events, emitter } = recorder(1024);
    await emitter.event({ type: 'step_start', step: 1 });
    await emitter.delta('thinking', 'Let me ');
    await emitter.delta('thinking', 'check.');
    await emitter.delta('text', 'Look');
    await emitter.delta('text', '');
    await emitter.delta('text', 'ing.');
    await emitter.event({ type: 'tool_call', id: 't1', toolUseId: 't1', name: 'bash', input: {} });
    await emitter.delta('text', 'After.');
    await emitter.flush();
    expect(events).toEqual([
      { type: 'step_start', step: 1 },
      { type: 'thinking', delta: 'Let me check.' },
      { type: 'text', delta: 'Looking.' },
      { type: 'tool_call', id: 't1', toolUseId: 't1', name: 'bash', input: {} },
      { type: 'text', delta: 'After.' },
    ]);
  });

  it('cuts a long run of deltas at the size bound without losing a character', async () => {
    const { events, emitter } = recorder(100);
    const deltas = Array.from({ length: 1000 }, (_, i) => `w${i} `);
    for (const delta of deltas) await emitter.delta('text', delta);
    await emitter.flush();
    const texts = events.map((e) => (e.type === 'text' ? e.delta : ''));
    expect(texts.join('')).toBe(deltas.join(''));
    // Each event holds at least the bound (the last one may hold less): far fewer events than deltas.
    expect(events.length).toBeLessThanOrEqual(Math.ceil(deltas.join('').length / 100));
    expect(texts.slice(0, -1).every((t) => t.length >= 100)).toBe(true);
  });

  it('hands the caller a promise only when a delta filled the buffer, resolved once the event is emitted', async () => {
    let release = (): void => undefined;
    const events: ModelStreamEvent[] = [];
    const emitter = new ModelEventEmitter(
      async (event) => {
        await new Promise<void>((resolve) => (release = resolve));
        events.push(event);
      },
      { maxChars: 4, maxDelayMs: 3_600_000 },
    );
    expect(emitter.delta('text', 'ab')).toBeUndefined();
    const full = emitter.delta('text', 'cd');
    expect(full).toBeInstanceOf(Promise);
    let done = false;
    void full?.then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    release();
    await full;
    expect(events).toEqual([{ type: 'text', delta: 'abcd' }]);
  });

  it('emits a buffered delta on its own after the delay, without a flush', async () => {
    let emitted!: (event: ModelStreamEvent) => void;
    const first = new Promise<ModelStreamEvent>((resolve) => (emitted = resolve));
    const emitter = new ModelEventEmitter(
      (event) => {
        emitted(event);
        return Promise.resolve();
      },
      { maxChars: 1024, maxDelayMs: 1 },
    );
    await emitter.delta('text', 'slow model');
    expect(await first).toEqual({ type: 'text', delta: 'slow model' });
  });

  it('keeps the order with one event per delta while earlier emissions are still in flight', async () => {
    const emitted: string[] = [];
    const releases: (() => void)[] = [];
    const emitter = new ModelEventEmitter(
      async (event) => {
        await new Promise<void>((resolve) => releases.push(resolve));
        emitted.push(event.type === 'text' ? event.delta : event.type);
      },
      { maxChars: 1, maxDelayMs: 0 },
    );
    // Not awaited: the second and third wait behind the first, which finds nothing in flight and starts at once.
    const waits = ['a', 'b', 'c'].map(
      (d) => emitter.delta('text', d) ?? Promise.reject(new Error('not waited')),
    );
    expect(releases).toHaveLength(1);
    for (let i = 0; i < 3; i++) {
      await vi.waitFor(() => expect(releases).toHaveLength(i + 1));
      releases[i]?.();
    }
    await Promise.all(waits);
    await emitter.flush();
    expect(emitted).toEqual(['a', 'b', 'c']);
    // Idle again: the next delta's emission starts at once.
    const next = emitter.delta('text', 'd');
    expect(releases).toHaveLength(4);
    releases[3]?.();
    await next;
    expect(emitted).toEqual(['a', 'b', 'c', 'd']);
  });

  it('hands out no promise for a delta whose emission was done on return, and keeps the order after one that was not', async () => {
    const emitted: string[] = [];
    let release = (): void => undefined;
    const emitter = new ModelEventEmitter(
      (event) => {
        const delta = event.type === 'text' ? event.delta : event.type;
        if (delta === 'slow') {
          return new Promise<void>((resolve) => {
            release = () => {
              emitted.push(delta);
              resolve();
            };
          });
        }
        emitted.push(delta);
        return undefined;
      },
      { maxChars: 1, maxDelayMs: 0 },
    );
    // The embedded event log stores an event before it returns: nothing to wait for, no promise made.
    expect(emitter.delta('text', 'a')).toBeUndefined();
    expect(emitter.delta('text', 'b')).toBeUndefined();
    expect(emitted).toEqual(['a', 'b']);
    // One still in flight: the next waits behind it, and the caller gets a promise to wait on.
    const slow = emitter.delta('text', 'slow');
    expect(slow).toBeInstanceOf(Promise);
    const after = emitter.delta('text', 'c');
    expect(after).toBeInstanceOf(Promise);
    expect(emitted).toEqual(['a', 'b']);
    release();
    await after;
    expect(emitted).toEqual(['a', 'b', 'slow', 'c']);
    // Idle again: emitted at once.
    expect(emitter.delta('text', 'd')).toBeUndefined();
    await emitter.event({ type: 'step_start', step: 2 });
    expect(emitted).toEqual(['a', 'b', 'slow', 'c', 'd', 'step_start']);
  });

  it('emits nothing after a failed emission and rejects the next call', async () => {
    const emitted: string[] = [];
    const emitter = new ModelEventEmitter(
      (event) => {
        const delta = event.type === 'text' ? event.delta : '';
        if (delta === 'bad') return Promise.reject(new Error('log down'));
        emitted.push(delta);
        return Promise.resolve();
      },
      { maxChars: 1, maxDelayMs: 0 },
    );
    await emitter.delta('text', 'ok');
    await emitter.delta('text', 'bad');
    await expect(emitter.delta('text', 'after') ?? Promise.resolve()).rejects.toThrow('log down');
    await expect(emitter.event({ type: 'step_start', step: 2 })).rejects.toThrow('log down');
    await expect(emitter.flush()).rejects.toThrow('log down');
    expect(emitted).toEqual(['ok']);
  });

  it('drops the events queued behind an emission that fails while they wait', async () => {
    const emitted: string[] = [];
    let fail = (): void => undefined;
    const emitter = new ModelEventEmitter(
      (event) => {
        const delta = event.type === 'text' ? event.delta : '';
        if (delta === 'bad')
          return new Promise<void>((_, reject) => (fail = () => reject(new Error('log down'))));
        emitted.push(delta);
        return Promise.resolve();
      },
      { maxChars: 1, maxDelayMs: 0 },
    );
    // Not awaited: 'after' is chained behind 'bad', which is still in flight.
    void emitter.delta('text', 'bad');
    void emitter.delta('text', 'after');
    fail();
    await expect(emitter.flush()).rejects.toThrow('log down');
    expect(emitted).toEqual([]);
  });

  it('reports a failed emission at the next wait, not as an unhandled rejection', async () => {
    const emitter = new ModelEventEmitter(() => Promise.reject(new Error('log down')), {
      maxChars: 1024,
      maxDelayMs: 1,
    });
    await emitter.delta('text', 'x');
    await expect(emitter.flush()).rejects.toThrow('log down');
  });
});
