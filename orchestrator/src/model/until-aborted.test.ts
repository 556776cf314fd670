import { describe, expect, it } from 'vitest';
import { untilAborted } from './until-aborted.js';

async function* stalling(): AsyncGenerator<number> {
  yield 1;
  await new Promise(() => undefined);
}

describe('untilAborted', () => {
  it('passes every item of a source that ends', async () => {
    async function* three(): AsyncGenerator<number> {
      for (const n of [1, 2, 3]) yield await Promise.resolve(n);
    }
    const seen: number[] = [];
    for await (const n of untilAborted(three(), new AbortController().signal)) seen.push(n);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('rejects with the reason while the source is stuck', async () => {
    const controller = new AbortController();
    const reason = new Error('cancelled');
    const seen: number[] = [];
    const run = (async () => {
      for await (const n of untilAborted(stalling(), controller.signal)) {
        seen.push(n);
        setTimeout(() => controller.abort(reason), 10);
      }
    })();
    await expect(run).rejects.toBe(reason);
    expect(seen).toEqual([1]);
  });

  it('rejects at once when the signal already fired', async () => {
    const iterator = untilAborted(stalling(), AbortSignal.abort(new Error('early')));
    await expect(iterator.next()).rejects.toThrow('early');
  });
});
