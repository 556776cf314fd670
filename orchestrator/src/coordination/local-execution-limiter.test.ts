import { describe, expect, it } from 'vitest';
import { LocalExecutionLimiter } from './local-execution-limiter.js';

describe('LocalExecutionLimiter', () => {
  it('allows `limit` takes per window per key, then refuses until the window resets', async () => {
    let now = 1_000;
    const limiter = new LocalExecutionLimiter({ now: () => now });
    expect(await limiter.take('a', 2, 60_000)).toEqual({
      allowed: true,
      limit: 2,
      remaining: 1,
      resetMs: 60_000,
    });
    expect((await limiter.take('a', 2, 60_000)).allowed).toBe(true);
    now += 10_000;
    expect(await limiter.take('a', 2, 60_000)).toEqual({
      allowed: false,
      limit: 2,
      remaining: 0,
      resetMs: 50_000,
    });
    expect((await limiter.take('b', 2, 60_000)).allowed).toBe(true);
    now += 50_000;
    expect(await limiter.take('a', 2, 60_000)).toMatchObject({ allowed: true, remaining: 1 });
  });
});
