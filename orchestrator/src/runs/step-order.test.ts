import { describe, expect, it } from 'vitest';
import { StepOrder } from './step-order.js';

describe('StepOrder', () => {
  it('resolves a wait when the step completes, not before', async () => {
    const order = new StepOrder();
    let reached: boolean | undefined;
    const wait = order.until(2, 5_000, new AbortController().signal).then((r) => (reached = r));
    order.complete(1);
    await new Promise((r) => setImmediate(r));
    expect(reached).toBeUndefined();
    order.complete(2);
    await wait;
    expect(reached).toBe(true);
  });

  it('answers at once for a step already completed, and never goes back', async () => {
    const order = new StepOrder();
    order.complete(3);
    order.complete(1);
    expect(order.completed).toBe(3);
    await expect(order.until(2, 5_000, new AbortController().signal)).resolves.toBe(true);
  });

  it('gives up after the timeout or when the signal aborts', async () => {
    const order = new StepOrder();
    await expect(order.until(1, 10, new AbortController().signal)).resolves.toBe(false);
    const controller = new AbortController();
    const wait = order.until(1, 5_000, controller.signal);
    controller.abort();
    await expect(wait).resolves.toBe(false);
    await expect(order.until(1, 5_000, controller.signal)).resolves.toBe(false);
  });
});
