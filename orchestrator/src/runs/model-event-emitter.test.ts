import { describe, expect, it } from 'vitest';
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

  it('reports a failed emission at the next wait, not as an unhandled rejection', async () => {
    const emitter = new ModelEventEmitter(() => Promise.reject(new Error('log down')), {
      maxChars: 1024,
      maxDelayMs: 1,
    });
    await emitter.delta('text', 'x');
    await expect(emitter.flush()).rejects.toThrow('log down');
  });
});
